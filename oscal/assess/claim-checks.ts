/**
 * Claims as the assessment sees them: each with its evidence records and
 * whether each still holds. From the synth model (at build time every
 * record held, or the synth would have failed), or from a written SSP
 * whose evidence is re-checked against an output directory.
 */
import type { SynthModel } from '../../output/model.js';
import { componentUuid } from '../component-definition-ids.js';

/** One piece of evidence as the SSP records it. */
export interface EvidenceRecord {
  readonly file: string;
  readonly object?: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly path: string;
  /** `present`, `equals <json>` or `contains <json>`. */
  readonly expectation: string;
  readonly description: string;
}

/** The outcome of checking one record. */
export interface EvidenceCheck {
  readonly record: EvidenceRecord;
  readonly holds: boolean;
  /** The value found (undefined when the field, object or file is missing). */
  readonly actual: unknown;
}

/** One claim of one component on one control, checked. */
export interface ClaimCheck {
  readonly control: string;
  readonly component: string;
  readonly componentUuid: string;
  readonly statement: string;
  /** The status the claim states (implemented, partial, planned). */
  readonly status: string;
  readonly evidence: readonly EvidenceCheck[];
}

/** The claims of `model` with their evidence as the synth resolved it (all holding). */
export function checksFromModel(model: SynthModel): ClaimCheck[] {
  return model.components.flatMap((c) =>
    c.claims.map((claim) => ({
      control: claim.control,
      component: c.id,
      componentUuid: componentUuid(c.id),
      statement: claim.statement,
      status: claim.status,
      evidence: claim.evidence.map((e) => ({
        record: { file: e.file, ...(e.object ? { object: e.object } : {}), path: e.path, expectation: e.expectation, description: e.description },
        holds: true,
        actual: e.actual,
      })),
    })),
  );
}

type Json = Record<string, unknown>;
type Prop = { name: string; value: string; group?: string; remarks?: string };

/** The claims an SSP records, evidence unchecked: by control, by component, by claim group. */
export function claimsFromSsp(ssp: unknown): Array<Omit<ClaimCheck, 'evidence'> & { readonly records: EvidenceRecord[] }> {
  const plan = (ssp as Json)['system-security-plan'] as Json | undefined;
  const reqs = ((plan?.['control-implementation'] as Json | undefined)?.['implemented-requirements'] ?? []) as Json[];
  const components = (((plan?.['system-implementation'] as Json | undefined)?.components ?? []) as Json[]).map((c) => ({
    uuid: c.uuid as string,
    id: ((c.props ?? []) as Prop[]).find((p) => p.name === 'component-id')?.value ?? (c.title as string),
  }));
  const out: Array<Omit<ClaimCheck, 'evidence'> & { records: EvidenceRecord[] }> = [];
  for (const r of reqs) {
    for (const bc of (r['by-components'] ?? []) as Json[]) {
      const props = (bc.props ?? []) as Prop[];
      const claims = props.filter((p) => p.name === 'claim-status' && p.group);
      for (const claim of claims) {
        const records: EvidenceRecord[] = [];
        const groups = [...new Set(props.filter((p) => p.group?.startsWith(`${claim.group}-evidence-`)).map((p) => p.group!))];
        for (const g of groups) {
          const v = (name: string): string | undefined => props.find((p) => p.group === g && p.name === name)?.value;
          const kind = v('evidence-kind');
          const namespace = v('evidence-namespace');
          records.push({
            file: v('evidence-file') ?? '',
            ...(kind ? { object: { apiVersion: v('evidence-api-version') ?? '', kind, ...(namespace !== undefined ? { namespace } : {}), name: v('evidence-name') ?? '' } } : {}),
            path: v('evidence-path') ?? '',
            expectation: v('evidence-expectation') ?? '',
            description: v('evidence-description') ?? '',
          });
        }
        const uuid = bc['component-uuid'] as string;
        out.push({
          control: r['control-id'] as string,
          component: components.find((c) => c.uuid === uuid)?.id ?? uuid,
          componentUuid: uuid,
          statement: claim.remarks ?? '',
          status: claim.value,
          records,
        });
      }
    }
  }
  return out;
}
