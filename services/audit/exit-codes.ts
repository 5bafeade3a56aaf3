/** What `sovra audit verify` can find, and the exit status of each. */

/** Kinds of tampering the verifier tells apart. */
export type AuditFindingKind = 'modification' | 'deletion' | 'insertion' | 'reordering' | 'truncation' | 'bad-signature';

/**
 * Exit status of `sovra audit verify` per finding kind (0 when the trail is
 * intact). Chosen above the CLI's general statuses (1–10) so scripts can tell
 * a tampered trail from a usage or I/O mistake.
 */
export const AUDIT_EXIT_CODES: Readonly<Record<AuditFindingKind, number>> = {
  modification: 20,
  deletion: 21,
  insertion: 22,
  reordering: 23,
  truncation: 24,
  'bad-signature': 25,
};

/**
 * When several kinds are found, the exit status is that of the first kind in
 * this list: the more specific explanation wins over `modification`, which is
 * also the consequence of most other kinds (renumbered records no longer match
 * the checkpoints that signed them).
 */
export const AUDIT_FINDING_PRIORITY: readonly AuditFindingKind[] = [
  'bad-signature',
  'truncation',
  'deletion',
  'insertion',
  'reordering',
  'modification',
];
