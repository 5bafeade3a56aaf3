/**
 * The OSCAL 1.1.3 Plan of Action and Milestones (`oscal/poam.json`): one
 * item per baseline control that is planned or not addressed, and one per
 * waived policy finding. Policy waivers come from the profile's
 * `policyWaivers` when the profile schema has that key (the policy gate
 * adds it); until then the list is empty and `poamItems` takes it as input.
 */
import { uuidV5 } from '../../core/hash.js';
import { isoTime } from '../../core/time.js';
import type { SynthModel } from '../../output/model.js';
import { PLATFORM_ROLE_ID, platformPartyUuid } from '../component-definition-ids.js';
import { PENDING_UUID } from '../document-text.js';
import { sovraProp } from '../component-definition-requirements.js';
import type { ControlEntry } from './control-status.js';
import { SITE_ROLE_ID } from './ssp.js';

/** Output path of the POA&M. */
export const POAM_PATH = 'oscal/poam.json';

/** A waived policy finding, as the profile's `policyWaivers` states it. */
export interface PolicyWaiver {
  /** Id of the policy rule waived. */
  readonly rule: string;
  /** The object it is waived for, e.g. `Deployment sovra-system/control-plane`. */
  readonly object: string;
  readonly reason: string;
  /** Who approved the waiver. */
  readonly approver: string;
  /** Date (YYYY-MM-DD) after which the waiver no longer holds. */
  readonly expiry: string;
}

/** The profile's policy waivers, if its schema has the key (read loosely: the key is added by the policy gate). */
export function policyWaiversOf(model: SynthModel): readonly PolicyWaiver[] {
  return (model.profile.policyWaivers ?? []).map((w) => ({
    rule: w.rule,
    object: `${w.object.kind} ${w.object.namespace ? `${w.object.namespace}/` : ''}${w.object.name}`,
    reason: w.reason,
    approver: w.approvedBy,
    expiry: w.expires,
  }));
}

type Json = Record<string, unknown>;

/** The POA&M items: planned and not-addressed baseline controls, then waived policy findings. */
export function poamItems(entries: readonly ControlEntry[], waivers: readonly PolicyWaiver[]): Json[] {
  const items: Json[] = [];
  for (const e of entries) {
    if (!e.inBaseline || (e.status !== 'planned' && e.status !== 'not-addressed')) continue;
    const c = e.control;
    const role = e.responsibility?.role ?? (e.claims.length > 0 ? PLATFORM_ROLE_ID : SITE_ROLE_ID);
    const what =
      e.status === 'planned'
        ? [
            ...e.claims.flatMap((x) => x.claims.map((cl) => `${x.component.id}: ${cl.statement}`)),
            ...e.componentDuties.map((d) => `${d.component.id} leaves to the site: ${d.statement}`),
            ...(e.responsibility ? [e.responsibility.statement] : []),
          ].join(' ')
        : e.reason!;
    items.push({
      uuid: uuidV5(`poam:control:${c.id}`),
      title: `${c.label} ${c.title}: ${e.status === 'planned' ? 'planned' : 'not addressed'}`,
      description: what,
      props: [sovraProp('control-id', c.id), sovraProp('coverage-status', e.status), sovraProp('responsible-role', role)],
      remarks: e.status === 'planned' ? 'Close it by implementing the control and updating the claim or the profile responsibility.' : 'Close it with a claim on a component, a profile responsibility, or a leveraged authorization.',
    });
  }
  for (const w of waivers) {
    items.push({
      uuid: uuidV5(`poam:waiver:${w.rule}:${w.object}`),
      title: `Waived policy finding: rule ${w.rule} on ${w.object}`,
      description: w.reason,
      props: [sovraProp('policy-rule', w.rule), sovraProp('waived-object', w.object), sovraProp('approver', w.approver), sovraProp('expiry', w.expiry)],
      remarks: `Waiver approved by ${w.approver}; it expires on ${w.expiry}, when the finding must be fixed or the waiver renewed.`,
    });
  }
  return items;
}

/** The POA&M document of `model`; its own uuid is PENDING_UUID until `documentText` writes it. */
export function emitPoam(model: SynthModel, entries: readonly ControlEntry[], waivers: readonly PolicyWaiver[] = policyWaiversOf(model)): Json {
  const time = isoTime(model.epoch);
  const p = model.profile;
  const items = poamItems(entries, waivers);
  const body = {
    metadata: {
      title: `Sovra ${p.name}: Plan of Action and Milestones`,
      published: time,
      'last-modified': time,
      version: `${model.sovraVersion}+${p.name}`,
      'oscal-version': '1.1.3',
      props: [sovraProp('profile', p.name), sovraProp('baseline', p.baseline), sovraProp('policy-waivers', String(waivers.length))],
      roles: [
        { id: PLATFORM_ROLE_ID, title: 'Platform Engineering Team' },
        { id: SITE_ROLE_ID, title: 'System Owner (the organization that operates the site)' },
      ],
      parties: [{ uuid: platformPartyUuid(), type: 'organization', name: 'Platform Engineering Team' }],
    },
    'import-ssp': { href: 'ssp.json' },
    'system-id': { 'identifier-type': 'https://sovra.dev/ns/oscal/system-id', id: `sovra-${p.name}` },
    // OSCAL requires at least one item; a plan with nothing open says so.
    'poam-items': items.length > 0 ? items : [{ uuid: uuidV5('poam:none'), title: 'Nothing open', description: 'Every baseline control is implemented, partial, inherited or not applicable, and no policy finding is waived.' }],
  };
  return { 'plan-of-action-and-milestones': { uuid: PENDING_UUID, ...body } };
}
