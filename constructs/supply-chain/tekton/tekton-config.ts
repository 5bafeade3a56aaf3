/**
 * The TektonConfig Sovra writes (operator.tekton.dev/v1alpha1, the one
 * object the operator reconciles everything from; it must be named
 * `config`). Profile `basic` installs Pipelines, Triggers, Chains and
 * Results; Triggers and Results are turned off, the dashboard comes only
 * with profile `all`, and Pipelines-as-Code, both pruners and the
 * scheduler are off, so Pipelines and Chains are what runs.
 *
 * Pipelines: every container Tekton injects into a TaskRun pod runs with
 * the restricted security context and a read-only root filesystem; no
 * credentials are copied from service accounts into steps; Tasks and
 * Pipelines must be referenced by name (no inline specs) from the cluster
 * (every remote resolver is off), with stable API fields only.
 *
 * Chains: every TaskRun and PipelineRun gets SLSA v1.0 provenance
 * (`slsa/v2alpha4`) signed with the x509 signer (an ECDSA key in the
 * Secret `signing-secrets`, from OpenBao), stored on the run itself
 * (`tekton`) and pushed to the OCI repository (`oci`); image signatures go
 * to OCI. No transparency log, no Fulcio: signing stays inside the site.
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import { TARGET_NAMESPACE } from './values.js';

/** Name the operator requires of its TektonConfig. */
export const TEKTON_CONFIG_NAME = 'config';

/** Secret in the target namespace that the Chains controller mounts its signing key from (chains config/100-deployment.yaml). */
export const CHAINS_SIGNING_SECRET = { name: 'signing-secrets', key: 'x509.pem' } as const;

/** What Chains does with each kind of artifact (chains docs/config.md at v0.29.1). */
export const CHAINS_ARTIFACTS = {
  /** SLSA v1.0 provenance, reading type-hinted results (docs: "slsa/v2alpha4 corresponds to the slsav1.0 spec"). */
  format: 'slsa/v2alpha4',
  /** On the run's annotations, and in the OCI repository (skipped for runs without an image subject). */
  storage: 'tekton,oci',
  signer: 'x509',
} as const;

/** Labels of the target namespace, which the operator keeps (it only adds its own). */
export const TARGET_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.30',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** What the spec is built from. */
export interface TektonConfigInput {
  readonly profile: Profile;
  /** `host[:port]/path` where Chains pushes signatures and attestations. */
  readonly ociRepository: string;
}

/** Controller replicas and HA: knative buckets spread the keys over the replicas (leader election per bucket). */
function performance(replicas: number): Record<string, unknown> {
  return replicas > 1 ? { 'disable-ha': false, replicas, buckets: replicas } : { 'disable-ha': false, replicas: 1, buckets: 1 };
}

/** The TektonConfig spec for a profile. */
export function tektonConfigSpec(i: TektonConfigInput): Record<string, unknown> {
  const replicas = i.profile.highAvailability ? 3 : 1;
  return {
    profile: 'basic',
    targetNamespace: TARGET_NAMESPACE,
    targetNamespaceMetadata: { labels: { ...TARGET_NAMESPACE_LABELS } },
    // Sovra derives the allow-lists of every Tekton pod from its own declarations; the operator's policies (webhooks open to any source, events and resolvers to the internet) would widen them.
    networkPolicy: { disabled: true },
    pipeline: {
      'set-security-context': true,
      'disable-creds-init': true,
      'enable-api-fields': 'stable',
      'disable-inline-spec': 'pipeline,pipelinerun,taskrun',
      'enable-bundles-resolver': false,
      'enable-cluster-resolver': false,
      'enable-git-resolver': false,
      'enable-hub-resolver': false,
      'enable-provenance-in-status': true,
      'send-cloudevents-for-runs': false,
      // No affinity-assistant pods: the tasks of a run share a workspace one after the other, which a ReadWriteOnce volume allows.
      coschedule: 'disabled',
      'keep-pod-on-cancel': false,
      'metrics.pipelinerun.level': 'pipeline',
      'metrics.taskrun.level': 'task',
      performance: performance(replicas),
      options: {
        // Not a TektonConfig field at 0.81.1: written straight into the feature-flags ConfigMap (pipeline v1.15.0 config-feature-flags.yaml).
        configMaps: { 'feature-flags': { data: { 'set-security-context-read-only-root-filesystem': 'true' } } },
      },
    },
    chain: {
      disabled: false,
      generateSigningSecret: false,
      'artifacts.taskrun.format': CHAINS_ARTIFACTS.format,
      'artifacts.taskrun.storage': CHAINS_ARTIFACTS.storage,
      'artifacts.taskrun.signer': CHAINS_ARTIFACTS.signer,
      'artifacts.pipelinerun.format': CHAINS_ARTIFACTS.format,
      'artifacts.pipelinerun.storage': CHAINS_ARTIFACTS.storage,
      'artifacts.pipelinerun.signer': CHAINS_ARTIFACTS.signer,
      // slsa/v2alpha4 reads the type-hinted results of the child TaskRuns into the PipelineRun's provenance.
      'artifacts.pipelinerun.enable-deep-inspection': 'true',
      'artifacts.oci.format': 'simplesigning',
      'artifacts.oci.storage': 'oci',
      'artifacts.oci.signer': 'x509',
      'storage.oci.repository': i.ociRepository,
      'storage.oci.repository.insecure': false,
      'signers.x509.fulcio.enabled': false,
      'transparency.enabled': 'false',
      performance: performance(replicas),
      options: {},
    },
    trigger: { disabled: true },
    // The CRD schema requires is_external_db beside disabled.
    result: { disabled: true, is_external_db: false },
    pruner: { disabled: true },
    // The event-based pruner (spec.tektonpruner) and the scheduler are off by default (tektonpruner_defaults.go, tektonscheduler_defaults.go at v0.81.1); their CRD schema requires their whole configuration when named.
    platforms: { kubernetes: { pipelinesAsCode: { enable: false } } },
  };
}
