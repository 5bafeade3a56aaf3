/**
 * Coverage of the baseline: per family and overall, how many controls are
 * implemented, partial, planned, inherited, not applicable and not
 * addressed (`oscal/coverage.json`, one line of the synth's output, the
 * report's coverage view).
 */
import { catalog } from '../../controls/catalog.js';
import { COVERAGE_STATUSES, type ControlEntry, type CoverageStatus } from './control-status.js';

/** Output path of the coverage. */
export const COVERAGE_PATH = 'oscal/coverage.json';

/** Counts by status, and their total. */
export type Counts = Record<CoverageStatus, number> & { readonly total: number };

/** The coverage document. */
export interface Coverage {
  readonly profile: string;
  readonly baseline: string;
  readonly overall: Counts;
  /** Families with at least one baseline control, in catalog order. */
  readonly families: ReadonlyArray<{ readonly id: string; readonly title: string } & Counts>;
  /** Controls claimed beyond the baseline (not counted above). */
  readonly beyondBaseline: readonly string[];
}

function zero(): Record<CoverageStatus, number> & { total: number } {
  return { implemented: 0, partial: 0, planned: 0, inherited: 0, 'not-applicable': 0, 'not-addressed': 0, total: 0 };
}

/** The coverage of `entries` (from `controlEntries`). */
export function coverage(profile: string, baseline: string, entries: readonly ControlEntry[]): Coverage {
  const overall = zero();
  const families = new Map<string, ReturnType<typeof zero>>();
  for (const e of entries) {
    if (!e.inBaseline) continue;
    const f = families.get(e.control.family) ?? zero();
    f[e.status]++;
    f.total++;
    families.set(e.control.family, f);
    overall[e.status]++;
    overall.total++;
  }
  const titles = catalog().families;
  return {
    profile,
    baseline,
    overall,
    families: Object.keys(titles)
      .filter((id) => families.has(id))
      .map((id) => ({ id, title: titles[id]!, ...families.get(id)! })),
    beyondBaseline: entries.filter((e) => !e.inBaseline).map((e) => e.control.id),
  };
}

/** One line for the synth's output: `coverage of HIGH (370 controls): 40 implemented, …`. */
export function coverageLine(c: Coverage): string {
  const parts = COVERAGE_STATUSES.map((s) => `${c.overall[s]} ${s.replace('-', ' ')}`);
  return `coverage of the ${c.baseline} baseline (${c.overall.total} controls): ${parts.join(', ')}${c.beyondBaseline.length > 0 ? `; ${c.beyondBaseline.length} more claimed beyond it` : ''}`;
}
