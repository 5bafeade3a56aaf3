/**
 * The honest default of the built-in profiles' `responsibilities`: every
 * organizational control of a baseline (the policy and procedures control
 * of each family, awareness and training, physical and environmental
 * protection, planning, personnel security, program management) as
 * planned, customer responsibility. No manifest can implement these; the
 * site overrides entries as it does them (profile maps merge key by key).
 */
import { catalog } from '../../controls/catalog.js';
import type { Profile } from '../profile.generated.js';

/** Families whose controls are organizational as a whole. */
export const ORGANIZATIONAL_FAMILIES: readonly string[] = ['at', 'pe', 'pl', 'pm', 'ps'];

/** Role of the organization that operates the site (an OSCAL common role id). */
export const SITE_ROLE = 'system-owner';

/** True when no manifest can implement control `id` of `family`: a family's policy control (`xx-1`) or an organizational family. */
export function isOrganizational(id: string, family: string): boolean {
  return /^[a-z]{2}-1$/.test(id) || ORGANIZATIONAL_FAMILIES.includes(family);
}

/** The organizational controls of `baseline`, each planned and the customer's. */
export function organizationalResponsibilities(baseline: Profile['baseline']): NonNullable<Profile['responsibilities']> {
  const out: NonNullable<Profile['responsibilities']> = {};
  for (const c of catalog().controls) {
    if (c.withdrawn || !c.baselines.includes(baseline) || !isOrganizational(c.id, c.family)) continue;
    out[c.id] = {
      statement: `Customer responsibility: ${c.label} ${c.title}. The organization operating the site implements and documents this control; Sovra ships no procedure for it.`,
      role: SITE_ROLE,
      status: 'planned',
    };
  }
  return out;
}
