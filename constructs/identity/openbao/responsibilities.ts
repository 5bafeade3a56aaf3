/**
 * What the site must do for OpenBao because no manifest can: initialize,
 * hold and use the unseal or recovery keys, appoint administrators, run the
 * CA ceremony, back up. Stated in OSCAL as customer responsibilities that
 * point at the README's runbook, never claimed as implemented.
 */
import type { CustomerResponsibility } from '../../kit/claims.js';
import { OPENBAO_CLIENTS, OPENBAO_PATHS } from '../../kit/shared-names.js';
import type { OpenBao } from './openbao.js';
import { SEAL_SECRET } from './seal.js';
import { BOOTSTRAP_ADMIN } from './self-init.js';

/** Where the procedures are written. */
export const RUNBOOK = 'README.md#openbao-runbook';

/** The key ceremony each seal asks of the site. */
function sealCeremony(bao: OpenBao): string {
  switch (bao.seal.kind) {
    case 'shamir':
      return 'Initialize OpenBao with at least 5 unseal key shares and a threshold of 3, give each share to a different named holder who keeps it offline, and unseal every server after each restart with a quorum of holders.';
    case 'static':
      return `Generate the 32-byte seal key on a trusted machine, create the Secret ${SEAL_SECRET} with it before install, keep an offline copy under dual control (losing it loses every secret), and restrict who can read Secrets in ${bao.info.namespace} and the node's disk: the key sits beside the data it protects, so physical access to the node defeats the seal.`;
    case 'transit':
      return `Run the transit OpenBao that holds the seal key, issue an orphan periodic token limited to encrypt and decrypt with that key, supply it in the Secret ${SEAL_SECRET}, and never delete or disable older key versions.`;
    case 'awskms':
    case 'gcpckms':
      return `Create the KMS key and a principal limited to encrypt, decrypt and describe on it, supply its credentials in the Secret ${SEAL_SECRET}, and never delete or disable the key.`;
  }
}

/** The customer responsibilities of `bao`, for its constructor to state. */
export function customerResponsibilities(bao: OpenBao): CustomerResponsibility[] {
  const out: CustomerResponsibility[] = [];
  const say = (r: CustomerResponsibility) => out.push(r);
  say({ control: 'sc-12', statement: sealCeremony(bao), procedure: RUNBOOK });
  say({
    control: 'ia-5',
    statement: bao.selfInit
      ? `The servers initialize themselves and revoke their root token; no unseal or recovery key exists until an administrator creates recovery key shares (sys/rotate/recovery/init) and gives them to named holders, who keep them offline.`
      : `Initialization returns the initial root token and the unseal (or recovery) key shares: hand the shares to their holders at once, use the root token only to create the first administrators, then revoke it; generate a new one only with a quorum of holders (operator generate-root).`,
    procedure: RUNBOOK,
  });
  say({
    control: 'ac-2',
    statement: bao.selfInit
      ? `The first administrator logs in with a short-lived token of the service account ${BOOTSTRAP_ADMIN.namespace}/${BOOTSTRAP_ADMIN.serviceAccount} (role ${BOOTSTRAP_ADMIN.role}), creates named administrator accounts (for example OIDC against the platform's Keycloak), and then deletes the role ${BOOTSTRAP_ADMIN.role}.`
      : 'The holder of the initial root token creates named administrator accounts (for example OIDC against the platform\'s Keycloak) with an administrator policy, and reviews them; nobody works with the root token.',
    procedure: RUNBOOK,
  });
  if (!bao.selfInit) {
    const eso = OPENBAO_CLIENTS.externalSecrets;
    const cm = OPENBAO_CLIENTS.certManager;
    say({
      control: 'ac-3',
      statement: `Create the KV version 2 mount ${OPENBAO_PATHS.kv} and one policy per client role as the runbook writes them: ${eso.policy} reads ${OPENBAO_PATHS.kv}/data/* only${bao.pki ? `, ${cm.policy} signs at ${cm.signPath} only` : ''}.`,
      procedure: RUNBOOK,
    });
    say({
      control: 'ia-2',
      statement: `Enable Kubernetes auth at ${OPENBAO_PATHS.kubernetesAuth} and bind each role to one service account in one namespace: ${eso.role} ← ${eso.namespace}/${eso.serviceAccount}${bao.pki ? `, ${cm.role} ← ${cm.namespace}/${cm.serviceAccount} (audience ${cm.audience})` : ''}.`,
      procedure: RUNBOOK,
    });
  }
  if (bao.pki) {
    say({
      control: 'sc-17',
      statement: `Mount the PKI engine at ${OPENBAO_PATHS.pki}, have the organization's root CA sign its intermediate certificate, and create the role ${OPENBAO_CLIENTS.certManager.signPath.split('/').pop()} limited to the platform's service names and 90-day certificates.`,
      procedure: RUNBOOK,
    });
  }
  say({
    control: 'cp-9',
    statement: `Take Raft snapshots (operator raft snapshot save) on a schedule and keep them, like the seal material, off the cluster; a snapshot is useless without the ${bao.seal.kind === 'shamir' ? 'unseal key shares' : 'seal key'}.`,
    procedure: RUNBOOK,
  });
  return out;
}
