/**
 * Tekton Pipelines and Chains through the Tekton operator 0.81.1: the
 * operator (chart tekton-operator, namespace tekton-operator) installs
 * Pipelines v1.15.0 and Chains v0.29.1 into tekton-pipelines from the
 * TektonConfig Sovra writes; Chains signs SLSA v1.0 provenance of every
 * run with an ECDSA key that External Secrets reads from OpenBao; and the
 * Pipelines in sovra-pipelines verify a signed Sovra output before its
 * manifests are applied (the CI gate of the outputs, inside the cluster).
 *
 * What cannot be known offline: the digests of every image the operator
 * installs (catalog.ts), and whether operator 0.81.1, built for Kubernetes
 * 1.34 (its chart's kubernetesMinVersion), behaves on the platform's 1.30:
 * Sovra lowers the start-up check to the platform's version and says so.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import { controlPlaneImage } from '../../ai-runtime/control-plane/catalog.js';
import { DISTRIBUTIONS } from '../../distribution/distribution/catalog.js';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { PodGroup } from '../../kit/network.js';
import { tektonAlerts } from './alerts.js';
import { kubectlImage, PAYLOAD_DIGESTS_UNKNOWN, TEKTON_IMAGES, TEKTON_OPERATOR_CHART, TEKTON_PAYLOAD } from './catalog.js';
import { CHAINS_METRICS, PIPELINES_METRICS } from './metrics.js';
import { addPipelines, PIPELINE_NAMES, PIPELINES_NAMESPACE, type Pipelines } from './pipeline.js';
import { declareTektonExceptions } from './policy-exceptions.js';
import { CHAINS_ARTIFACTS, CHAINS_SIGNING_SECRET, TEKTON_CONFIG_NAME, tektonConfigSpec } from './tekton-config.js';
import {
  OPERATOR_LABELS,
  OPERATOR_NAMESPACE,
  OPERATOR_PORTS,
  OPERATOR_RELEASE,
  OPERATOR_SERVICE_ACCOUNT,
  OPERATOR_WEBHOOK_LABELS,
  operatorValues,
  TARGET_NAMESPACE,
  type TektonOperatorValues,
} from './values.js';

/** The API server's port on K3s and RKE2. */
const API_SERVER = { entity: 'kube-apiserver', ports: [{ port: 6443 }] } as const;
/** KV path in OpenBao of the Chains signing key (property CHAINS_SIGNING_SECRET.key). */
export const CHAINS_KEY_PATH = 'tekton/chains-signing';

/** Pods the operator installs into TARGET_NAMESPACE: upstream's labels (pipeline v1.15.0 config/, chains v0.29.1 config/, operator kodata/webhook), service accounts and ports. */
export const OPERAND_PODS = {
  pipelinesController: { labels: { 'app.kubernetes.io/part-of': 'tekton-pipelines', 'app.kubernetes.io/component': 'controller' }, serviceAccount: 'tekton-pipelines-controller', metrics: 9090 },
  pipelinesWebhook: { labels: { 'app.kubernetes.io/part-of': 'tekton-pipelines', 'app.kubernetes.io/component': 'webhook' }, serviceAccount: 'tekton-pipelines-webhook', webhook: 8443, metrics: 9090 },
  events: { labels: { 'app.kubernetes.io/part-of': 'tekton-pipelines', 'app.kubernetes.io/component': 'events' }, serviceAccount: 'tekton-events-controller' },
  resolvers: { labels: { 'app.kubernetes.io/part-of': 'tekton-pipelines', 'app.kubernetes.io/component': 'resolvers' }, serviceAccount: 'tekton-pipelines-resolvers' },
  proxyWebhook: { labels: { name: 'tekton-operator-proxy-webhook' }, serviceAccount: 'tekton-operators-proxy-webhook', webhook: 8443 },
  chainsController: { labels: { 'app.kubernetes.io/part-of': 'tekton-chains', 'app.kubernetes.io/component': 'controller' }, serviceAccount: 'tekton-chains-controller', metrics: 9090 },
} as const;

/** Host and port of an OCI repository `host[:port]/path`. */
export function registryOf(repository: string): { host: string; port: number } {
  const authority = repository.split('/')[0]!;
  const [host, port] = authority.split(':');
  return { host: host!, port: port ? Number(port) : 443 };
}

/** Tekton Pipelines and Chains, and the verify pipelines. */
export class Tekton extends Component {
  /** The operator chart as declared, with its typed values. */
  readonly chart;
  /** The TektonConfig the operator reconciles everything from. */
  readonly tektonConfig: ApiObject;
  /** The operand namespace (tekton-pipelines). */
  readonly targetNamespace: ApiObject;
  /** The ExternalSecret that writes the Chains signing key. */
  readonly signingKey: ApiObject;
  /** The Tasks and Pipelines. */
  readonly pipelines: Pipelines;
  /** Pod groups by name. */
  readonly pods: Readonly<Record<'operator' | 'operatorWebhook' | 'pipelinesController' | 'pipelinesWebhook' | 'events' | 'resolvers' | 'proxyWebhook' | 'chainsController' | 'verify', PodGroup>> & { readonly apply?: PodGroup };

  constructor(scope: Construct, id: string, props: ComponentProps) {
    const dir = directoryOf(scope);
    super(scope, id, props, {
      title: 'Tekton Pipelines and Chains',
      description: `The Tekton operator ${TEKTON_PAYLOAD.operator} installs Tekton Pipelines ${TEKTON_PAYLOAD.pipeline} and Chains ${TEKTON_PAYLOAD.chains} (TektonConfig profile basic, Triggers, Results, dashboard, pruners and Pipelines-as-Code off). Chains signs SLSA v1.0 provenance (slsa/v2alpha4) of every TaskRun and PipelineRun with an ECDSA key from OpenBao and stores it on the run and in OCI; the Pipelines in ${PIPELINES_NAMESPACE} verify a signed Sovra output with \`sovra verify\` before its manifests are applied. Image digests of the operator's payload are not known offline: ${PAYLOAD_DIGESTS_UNKNOWN}.`,
      layer: 'supply-chain',
      namespace: OPERATOR_NAMESPACE,
      version: TEKTON_PAYLOAD.operator,
      dependsOn: ['cilium', 'external-secrets', 'openbao'].filter((c) => dir.installs(c)),
    });
    const p = props.profile;
    const settings = p.components.tekton;
    if (settings.apply && p.deploy === 'cdktf') {
      throw new SovraError(
        'bad-profile',
        `components.tekton.apply is true but the profile deploys with cdktf (deploy: cdktf): Terraform owns every object of the output, and a kubectl apply of the same objects would fight it. Set components.tekton.apply to false (the Pipeline ${PIPELINE_NAMES.verifyPipeline} then gates cdktf deploy) or deploy with manifests.`,
      );
    }
    if (!this.platform.installs('external-secrets')) {
      throw new SovraError('bad-profile', `components.tekton.enabled needs the external-secrets component: the Chains signing key is read from OpenBao by an ExternalSecret. Install external-secrets and openbao, or set components.tekton.enabled to false.`);
    }

    const kubernetesVersion = DISTRIBUTIONS[p.distribution.kind].kubernetes;
    const img = {
      operator: this.addImage(TEKTON_IMAGES.operator),
      operatorWebhook: this.addImage(TEKTON_IMAGES.operatorWebhook),
      proxyWebhook: this.addImage(TEKTON_IMAGES.proxyWebhook),
      pipelinesController: this.addImage(TEKTON_IMAGES.pipelinesController),
      pipelinesWebhook: this.addImage(TEKTON_IMAGES.pipelinesWebhook),
      events: this.addImage(TEKTON_IMAGES.events),
      resolvers: this.addImage(TEKTON_IMAGES.resolvers),
      entrypoint: this.addImage(TEKTON_IMAGES.entrypoint),
      nop: this.addImage(TEKTON_IMAGES.nop),
      workingDirInit: this.addImage(TEKTON_IMAGES.workingDirInit),
      chainsController: this.addImage(TEKTON_IMAGES.chainsController),
      kubectl: this.addImage(kubectlImage(kubernetesVersion)),
      sovra: this.addImage(controlPlaneImage()),
    };
    const values = operatorValues({ profile: p, operator: img.operator, webhook: img.operatorWebhook, proxyWebhook: img.proxyWebhook, operands: img, kubernetesVersion });
    this.chart = this.addChart<TektonOperatorValues>({ release: OPERATOR_RELEASE, namespace: this.info.namespace, values, ...TEKTON_OPERATOR_CHART });
    declareTektonExceptions(this);

    // The operand namespace: Sovra's (restricted, part of the platform, meshed like the component's own); the operator adds its own label and owner and keeps these.
    this.targetNamespace = this.addNamespace(TARGET_NAMESPACE);
    this.tektonConfig = this.clusterScoped(
      new ApiObject(this, 'TektonConfig', {
        apiVersion: 'operator.tekton.dev/v1alpha1',
        kind: 'TektonConfig',
        metadata: { name: TEKTON_CONFIG_NAME },
        spec: tektonConfigSpec({ profile: p, ociRepository: settings.chains.ociRepository }),
      }),
    );
    this.tektonConfig.node.addDependency(this.targetNamespace);
    const chartObject = this.chartObject(OPERATOR_RELEASE);
    if (chartObject) this.tektonConfig.node.addDependency(chartObject);

    this.signingKey = addExternalSecret(this, {
      name: CHAINS_SIGNING_SECRET.name,
      namespace: TARGET_NAMESPACE,
      purpose: 'ECDSA private key (PKCS#8 PEM) the Tekton Chains x509 signer signs provenance and image signatures with.',
      from: { openbao: [{ secretKey: CHAINS_SIGNING_SECRET.key, path: CHAINS_KEY_PATH, property: CHAINS_SIGNING_SECRET.key }] },
      // The operator creates signing-secrets empty (chains release manifest, its Secret installer set) and the Chains Deployment mounts it.
      creationPolicy: 'CreateOrMerge',
    });
    this.signingKey.node.addDependency(this.targetNamespace);
    this.consumesSecret({ name: CHAINS_SIGNING_SECRET.name, namespace: TARGET_NAMESPACE, keys: [CHAINS_SIGNING_SECRET.key], purpose: 'Signing key of the Chains controller, mounted at /etc/signing-secrets (chains config/100-deployment.yaml).' });

    this.pipelines = addPipelines(this, this.addNamespace(PIPELINES_NAMESPACE), { sovra: img.sovra, kubectl: img.kubectl, requireLocked: p.images.requireDigest, apply: settings.apply, ...(settings.verificationKey ? { verificationKey: settings.verificationKey } : {}) }, () => this.platform);
    if (this.pipelines.applyRole) this.clusterScoped(this.pipelines.applyRole);
    if (this.pipelines.applyRoleBinding) this.clusterScoped(this.pipelines.applyRoleBinding);

    this.pods = this.declarePods(settings.chains.ociRepository, settings.apply);
    for (const a of tektonAlerts()) this.addAlert(a);
    this.declareClaims(settings.apply);
    this.declareCrypto();
    this.declareResponsibilities(settings.verificationKey !== undefined);
  }

  /** Pod groups, their peers and metrics endpoints. */
  private declarePods(ociRepository: string, apply: boolean): Tekton['pods'] {
    const t = TARGET_NAMESPACE;
    const O = OPERAND_PODS;
    const operator = this.addPods({ name: 'operator', labels: OPERATOR_LABELS, ports: { metrics: { port: OPERATOR_PORTS.metrics } }, serviceAccount: OPERATOR_SERVICE_ACCOUNT });
    operator.connectsTo(API_SERVER, 'the operator reconciles TektonConfig into TektonPipeline and TektonChain and installs their manifests through the API server');
    const operatorWebhook = this.addPods({ name: 'operator-webhook', labels: OPERATOR_WEBHOOK_LABELS, ports: { webhook: { port: OPERATOR_PORTS.webhook } }, serviceAccount: OPERATOR_SERVICE_ACCOUNT });
    operatorWebhook.connectsTo(API_SERVER, "the operator's webhook reads its configuration and writes its serving certificate");
    operatorWebhook.acceptsFrom('kube-apiserver', 'webhook', "the API server calls the operator's admission webhook for Tekton operator resources");

    const group = (name: string, spec: { labels: Readonly<Record<string, string>>; serviceAccount: string }, ports: Record<string, { port: number }>) =>
      this.addPods({ name, labels: spec.labels, serviceAccount: spec.serviceAccount, namespace: t, ports });
    const pipelinesController = group('pipelines-controller', O.pipelinesController, { metrics: { port: O.pipelinesController.metrics } });
    pipelinesController.connectsTo(API_SERVER, 'the Pipelines controller turns TaskRuns and PipelineRuns into pods');
    const pipelinesWebhook = group('pipelines-webhook', O.pipelinesWebhook, { webhook: { port: O.pipelinesWebhook.webhook }, metrics: { port: O.pipelinesWebhook.metrics } });
    pipelinesWebhook.connectsTo(API_SERVER, "the Pipelines webhook reads its configuration and writes its serving certificate");
    pipelinesWebhook.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the Pipelines admission webhook to default and validate Tekton resources');
    const events = group('events', O.events, {});
    events.connectsTo(API_SERVER, 'the events controller watches runs (no CloudEvents sink is configured, so it sends nothing out)');
    const resolvers = group('resolvers', O.resolvers, {});
    resolvers.connectsTo(API_SERVER, 'the resolvers controller watches ResolutionRequests (every remote resolver is off)');
    const proxyWebhook = group('proxy-webhook', O.proxyWebhook, { webhook: { port: O.proxyWebhook.webhook } });
    proxyWebhook.connectsTo(API_SERVER, "the operator's proxy webhook reads its configuration and writes its serving certificate");
    proxyWebhook.acceptsFrom('kube-apiserver', 'webhook', "the API server calls the operator's proxy webhook for TaskRun pods");
    const chainsController = group('chains-controller', O.chainsController, { metrics: { port: O.chainsController.metrics } });
    chainsController.connectsTo(API_SERVER, 'Chains watches runs and writes their signed provenance onto them');
    const registry = registryOf(ociRepository);
    chainsController.connectsTo({ entity: 'world', ports: [{ port: registry.port }], fqdns: [registry.host] }, `Chains pushes signatures and attestations to the OCI repository ${ociRepository}`);

    const verify = this.addPods({ name: 'verify', labels: { 'tekton.dev/task': PIPELINE_NAMES.verifyTask }, serviceAccount: PIPELINE_NAMES.verifyServiceAccount, namespace: PIPELINES_NAMESPACE });
    const applyPods = apply ? this.addPods({ name: 'apply', labels: { 'tekton.dev/task': PIPELINE_NAMES.applyTask }, serviceAccount: PIPELINE_NAMES.applyServiceAccount, namespace: PIPELINES_NAMESPACE }) : undefined;
    applyPods?.connectsTo(API_SERVER, 'the apply step applies the verified manifests with server-side apply');

    this.addMetrics({ pods: operator, port: 'metrics' });
    this.addMetrics({ pods: pipelinesController, port: 'metrics', provides: PIPELINES_METRICS });
    this.addMetrics({ pods: pipelinesWebhook, port: 'metrics' });
    this.addMetrics({ pods: chainsController, port: 'metrics', provides: CHAINS_METRICS });

    // The derived policies of pods in the other two namespaces come after those namespaces.
    for (const g of [pipelinesController, pipelinesWebhook, events, resolvers, proxyWebhook, chainsController]) {
      g.networkPolicy.node.addDependency(this.targetNamespace);
      g.ciliumPolicy?.node.addDependency(this.targetNamespace);
    }
    for (const g of [verify, ...(applyPods ? [applyPods] : [])]) {
      g.networkPolicy.node.addDependency(this.pipelines.namespace);
      g.ciliumPolicy?.node.addDependency(this.pipelines.namespace);
    }
    return { operator, operatorWebhook, pipelinesController, pipelinesWebhook, events, resolvers, proxyWebhook, chainsController, verify, ...(applyPods ? { apply: applyPods } : {}) };
  }

  private declareClaims(apply: boolean): void {
    const tc = this.tektonConfig;
    const chain = (key: string) => `spec.chain["${key}"]`;
    this.claim({
      control: 'sr-4',
      statement: `Provenance of everything built or run in the cluster's pipelines: Tekton Chains writes SLSA v1.0 provenance (format ${CHAINS_ARTIFACTS.format}) for every TaskRun and PipelineRun, with the steps' image digests, parameters and results, signs it with the x509 signer (an ECDSA key the site keeps in OpenBao) and stores it on the run and in the OCI repository; image signatures go to OCI.`,
      evidence: [
        onObject(tc, 'spec.chain.disabled', { equals: false }),
        onObject(tc, chain('artifacts.taskrun.format'), { equals: CHAINS_ARTIFACTS.format }),
        onObject(tc, chain('artifacts.pipelinerun.format'), { equals: CHAINS_ARTIFACTS.format }),
        onObject(tc, chain('artifacts.taskrun.signer'), { equals: 'x509' }),
        onObject(tc, chain('artifacts.pipelinerun.signer'), { equals: 'x509' }),
        onObject(tc, chain('artifacts.taskrun.storage'), { equals: CHAINS_ARTIFACTS.storage }),
        onObject(tc, chain('artifacts.oci.storage'), { equals: 'oci' }),
        onObject(this.signingKey, 'spec.data[0].remoteRef.key', { equals: CHAINS_KEY_PATH }),
      ],
    });
    const verifyStep = 'spec.steps[0]';
    this.claim({
      control: 'sr-4.3',
      statement: `A Sovra output is validated as genuine and not altered before it reaches the cluster: the Task ${PIPELINE_NAMES.verifyTask} runs \`sovra verify\` against the public key in ConfigMap ${PIPELINE_NAMES.verificationKey} (fixed by the platform, not by whoever starts the run): the Sigstore signature over the SLSA provenance, every file's SHA-256 against it, the SBOM and CBOM, the license policy${this.profile.images.requireDigest ? ', and every image pinned by digest (--require-locked)' : ''}.`,
      evidence: [
        onObject(this.pipelines.verifyTask, `${verifyStep}.args`, { equals: [...this.pipelines.verifyArgs] }),
        onObject(this.pipelines.verifyTask, 'spec.volumes[0].configMap.name', { equals: PIPELINE_NAMES.verificationKey }),
        onObject(this.pipelines.verifyTask, 'spec.workspaces[0].readOnly', { equals: true }),
      ],
    });
    if (apply && this.pipelines.applyTask && this.pipelines.verifyApplyPipeline) {
      this.claim({
        control: 'cm-14',
        status: 'partial',
        statement: `Through the Pipeline ${PIPELINE_NAMES.verifyApplyPipeline}, no manifest is installed unless the output carries a valid signature of the organization's key: the apply task runs only after the verify task succeeded, and verifies again in its own pod before kubectl applies. Partial: an administrator can still install an output by other paths (the host's auto-deploy folder, kubectl); keeping to the pipeline is the site's procedure.`,
        evidence: [
          onObject(this.pipelines.verifyApplyPipeline, 'spec.tasks[1].runAfter', { equals: ['verify'] }),
          onObject(this.pipelines.applyTask, 'spec.steps[0].args', { equals: [...this.pipelines.verifyArgs] }),
          onObject(this.pipelines.applyTask, 'spec.steps[1].args[0]', { equals: 'apply' }),
        ],
      });
    }
    this.claim({
      control: 'cm-7',
      statement:
        'Least functionality of the pipelines: Triggers, Results, the dashboard, both pruners, the scheduler and Pipelines-as-Code are not installed; every remote resolver (git, hub, bundles, cluster) is off and inline Task and Pipeline specs are refused, so only Tasks and Pipelines in the cluster run; only stable API fields are enabled; the operator runs only the TektonConfig, TektonPipeline and TektonChain reconcilers.',
      evidence: [
        onObject(tc, 'spec.profile', { equals: 'basic' }),
        onObject(tc, 'spec.trigger.disabled', { equals: true }),
        onObject(tc, 'spec.result.disabled', { equals: true }),
        onObject(tc, 'spec.platforms.kubernetes.pipelinesAsCode.enable', { equals: false }),
        onObject(tc, 'spec.pipeline["enable-git-resolver"]', { equals: false }),
        onObject(tc, 'spec.pipeline["enable-hub-resolver"]', { equals: false }),
        onObject(tc, 'spec.pipeline["enable-bundles-resolver"]', { equals: false }),
        onObject(tc, 'spec.pipeline["enable-cluster-resolver"]', { equals: false }),
        onObject(tc, 'spec.pipeline["disable-inline-spec"]', { equals: 'pipeline,pipelinerun,taskrun' }),
        onObject(tc, 'spec.pipeline["enable-api-fields"]', { equals: 'stable' }),
        onChartValues(OPERATOR_RELEASE, 'controllers', { equals: 'tektonconfig,tektonpipeline,tektonchain' }),
      ],
    });
    this.claim({
      control: 'ac-6',
      statement: `Least privilege of pipeline pods: Tekton copies no service-account credentials into steps; every container of a TaskRun pod runs non-root with no capabilities, RuntimeDefault seccomp and a read-only root filesystem; the verify task's service account ${PIPELINE_NAMES.verifyServiceAccount} has no token and no permission.`,
      evidence: [
        onObject(tc, 'spec.pipeline["disable-creds-init"]', { equals: true }),
        onObject(tc, 'spec.pipeline["set-security-context"]', { equals: true }),
        onObject(tc, 'spec.pipeline.options.configMaps["feature-flags"].data["set-security-context-read-only-root-filesystem"]', { equals: 'true' }),
        onObject(this.pipelines.verifyTask, 'spec.steps[0].securityContext.readOnlyRootFilesystem', { equals: true }),
      ],
    });
    this.claim({
      control: 'sc-7',
      statement: "Tekton's pods reach only what they are declared to: the operator's own NetworkPolicies (which open its webhooks to any source and the events and resolvers controllers to the internet) are off, and Sovra's derived allow-lists apply: the API server for every controller, the API server into the three admission webhooks, and for Chains the OCI repository's host and port only.",
      evidence: [onObject(tc, 'spec.networkPolicy.disabled', { equals: true })],
    });
  }

  /** The Chains signing key and its algorithm. */
  private declareCrypto(): void {
    const signer = onObject(this.tektonConfig, 'spec.chain["artifacts.taskrun.signer"]', { equals: 'x509' });
    this.addCryptoAsset({
      type: 'algorithm',
      name: 'ECDSA-P256-SHA256',
      purpose: 'Tekton Chains signs run provenance and image signatures (the x509 signer accepts ECDSA keys only and hashes with SHA-256; the curve is the key the site generates, P-256 in the runbook).',
      configuredBy: signer,
      implementation: 'Tekton Chains x509 signer (sigstore, Go crypto/ecdsa)',
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Tekton Chains signing key',
      purpose: 'Private key of the Chains x509 signer; generated by the site, kept in OpenBao, written into the Secret by External Secrets.',
      configuredBy: signer,
      material: { type: 'private-key', algorithm: 'ECDSA-P256-SHA256', format: 'PKCS#8 PEM', secret: { namespace: TARGET_NAMESPACE, name: CHAINS_SIGNING_SECRET.name, key: CHAINS_SIGNING_SECRET.key } },
    });
  }

  private declareResponsibilities(keyInProfile: boolean): void {
    this.customerResponsibility({
      control: 'sc-12',
      statement: `Generate the Tekton Chains signing key (ECDSA P-256, PKCS#8 PEM), store it in OpenBao at sovra/${CHAINS_KEY_PATH} (property ${CHAINS_SIGNING_SECRET.key}) and publish its public key to whoever verifies attestations; rotate it by writing a new key there. Until then Chains signs nothing.`,
      procedure: 'README.md#secrets-the-platform-reads-from-openbao',
    });
    this.customerResponsibility({
      control: 'ac-6',
      statement: `Grant the right to create PipelineRuns and TaskRuns in ${PIPELINES_NAMESPACE} only to the identity that deploys the platform: a run there may use the service account ${PIPELINE_NAMES.applyServiceAccount}, whose ClusterRole can write every kind the platform holds, including RBAC.`,
      procedure: 'README.md#tekton-pipelines-and-chains',
    });
    if (!keyInProfile) {
      this.customerResponsibility({
        control: 'sr-4.3',
        statement: `Create the ConfigMap ${PIPELINE_NAMES.verificationKey} (key ${PIPELINE_NAMES.verificationKeyFile}: the public key outputs are signed with) in ${PIPELINES_NAMESPACE}, writable by administrators only; without it no verify step starts.`,
        procedure: 'README.md#tekton-pipelines-and-chains',
      });
    }
  }
}
