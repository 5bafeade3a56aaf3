/**
 * The base of every Sovra component: a cdk8s Chart (one manifest file)
 * through which a component declares, as typed data, the Helm charts it
 * installs, its images, models, cryptographic assets, host files and
 * control claims. Every view (manifests, host config, OSCAL, SBOM,
 * provenance, Terraform) reads these declarations; nothing is written twice.
 */
import { createHash } from 'node:crypto';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { SovraError } from '../../core/errors.js';
import { toYaml } from '../../core/yaml.js';
import type { DeclaredModel } from '../../contracts/served-model.js';
import type { Profile } from '../../profiles/profile.generated.js';
import { isControlId } from '../../controls/catalog.js';
import { HELM_CONTROLLER_NAMESPACE, SITE_CHART_PATH, SITE_REGISTRY_CA_CONFIGMAP, type HelmChartSpec } from './chart.js';
import { alertProblems, type AlertRule } from './alerts.js';
import type { ControlClaim, CustomerResponsibility, UserRole } from './claims.js';
import type { CryptoAsset } from './crypto.js';
import type { ImagePin, ImageSpec } from './image.js';
import type { ImageLock } from './image-lock.js';
import type { OidcClientSpec } from './oidc-clients.js';
import { PodGroup, type MetricsEndpoint, type NetworkDirectory, type PodGroupSpec } from './network.js';
import type { SecretConsumption, SecretProduction } from './secrets.js';
import type { AuditLogSource, GrafanaDatasource } from './telemetry.js';
import { exceptionWaiver, type PolicyException } from './policy-exceptions.js';
import type { Waiver } from '../../policies/waivers.js';

/** Layers of the stack (DESIGN.md, "The stack"). */
export type Layer = 'distribution' | 'network' | 'identity' | 'policy' | 'ai-runtime' | 'data' | 'supply-chain' | 'observability';

/** Props every component takes. */
export interface ComponentProps {
  /** The validated profile being synthesized. */
  readonly profile: Profile;
}

/**
 * Objects whose namespace is removed as they are written (see
 * `Component.clusterScoped`), so their identity is known without rendering
 * them. Evidence lookups fail loudly if this ever disagreed with the output.
 */
export const CLUSTER_SCOPED = new WeakSet<ApiObject>();

/** What a component is, for the OSCAL component definition and the SBOM. */
export interface ComponentInfo {
  /** Human title, e.g. `Cilium`. */
  readonly title: string;
  /** What it does in the platform, one or two sentences. */
  readonly description: string;
  readonly layer: Layer;
  /** Namespace of its objects; created with restricted Pod Security unless it is `kube-system`. */
  readonly namespace: string;
  /** Upstream version of the software this component installs. */
  readonly version: string;
  /**
   * Ids of components this one needs at run time beyond those it connects
   * to (the SBOM dependency graph adds every peer component).
   */
  readonly dependsOn?: readonly string[];
  /** Labels its Namespace needs besides Pod Security (for example a mesh's injection label). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * Pod Security level enforced on its Namespace when `restricted` is impossible
   * (a CNI, a device plugin), with the reason, which reaches the SSP.
   * @default - restricted
   */
  readonly podSecurity?: { readonly level: 'baseline' | 'privileged'; readonly reason: string };
}

/** What components see of the platform they are part of. */
export interface PlatformDirectory extends NetworkDirectory {
  /** The profile being synthesized. */
  readonly profile: Profile;
  /** Component `id`, or undefined when this profile does not install it. */
  component(id: string): Component | undefined;
  /** Whether this profile installs component `id` (it may not be constructed yet). */
  installs(id: string): boolean;
  /** Every component, in construct order. */
  readonly components: readonly Component[];
  /** Every image of every component (first declaration of a reference wins). */
  images(): ImageSpec[];
  /** The image lock digests are read from. */
  readonly lock: ImageLock;
  /** `pin` as the profile runs it (its image override, else the lock's digest). */
  resolveImage(pin: ImagePin): ImageSpec;
  /** OIDC clients the installed components declare, with the id of each declaring component (known before any is built). */
  oidcClients(): ReadonlyArray<OidcClientSpec & { readonly component: string }>;
  /** The archive of `chart` when the synth was given chart archives (air-gapped output embeds it). */
  readonly chartArchive?: (chart: HelmChartSpec<object>) => Uint8Array | undefined;
}

/** When a finalizer runs: `declare` (adds peers) before `derive` (reads the whole peer graph). */
export type FinalizeStage = 'declare' | 'derive';

const DIRECTORY = Symbol.for('sovra.PlatformDirectory');
const COMPONENT = Symbol.for('sovra.Component');

/** Marks `scope` as the platform directory its components find by walking up the tree. */
export function registerDirectory(scope: Construct, directory: PlatformDirectory): void {
  Object.defineProperty(scope, DIRECTORY, { value: directory });
}

/** The platform directory above `scope`; throws when `scope` is not inside a platform. */
export function directoryOf(scope: Construct): PlatformDirectory {
  for (let s: Construct | undefined = scope; s; s = s.node.scope as Construct | undefined) {
    const d = (s as unknown as Record<symbol, PlatformDirectory | undefined>)[DIRECTORY];
    if (d) return d;
  }
  throw new Error(`${scope.node.path}: not inside a Platform (components are created by the platform from its registry)`);
}

/** A host configuration file, written under `host/`. */
export interface HostFile {
  /** Path relative to `host/`, e.g. `config.yaml`. */
  readonly path: string;
  /** File content, or a function called after the whole tree is built (for files that list every image). */
  readonly content: string | (() => string);
  /** Where it goes on the node, e.g. `/etc/rancher/k3s/config.yaml`. */
  readonly installPath: string;
}

/** Label keys every Sovra object carries. */
export const LABELS = {
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  profile: 'sovra.dev/profile',
} as const;

/** Base construct of a component; its construct id is a contract (file names, UUIDs, Terraform addresses). */
export abstract class Component extends Chart {
  /** The profile this component is synthesized for. */
  readonly profile: Profile;
  /** Descriptive facts. */
  readonly info: ComponentInfo;
  private readonly _charts: HelmChartSpec<object>[] = [];
  private readonly _chartObjects = new Map<string, ApiObject>();
  private readonly _images: ImageSpec[] = [];
  private readonly _models: DeclaredModel[] = [];
  private readonly _crypto: CryptoAsset[] = [];
  private readonly _claims: ControlClaim[] = [];
  private readonly _responsibilities: CustomerResponsibility[] = [];
  private readonly _userRoles: UserRole[] = [];
  private readonly _hostFiles: HostFile[] = [];
  private readonly _podGroups: PodGroup[] = [];
  private readonly _metrics: MetricsEndpoint[] = [];
  private readonly _alerts: AlertRule[] = [];
  private readonly _secretsConsumed: SecretConsumption[] = [];
  private readonly _secretsProduced: SecretProduction[] = [];
  private readonly _finalizers: Array<{ readonly fn: () => void; readonly stage: FinalizeStage }> = [];
  private readonly _policyExceptions: PolicyException[] = [];
  private readonly _auditLogs: AuditLogSource[] = [];
  private readonly _datasources: GrafanaDatasource[] = [];
  private readonly namespaceObject?: ApiObject;
  private readonly _moreNamespaces: ApiObject[] = [];

  protected constructor(scope: Construct, id: string, props: ComponentProps, info: ComponentInfo) {
    super(scope, id, {
      namespace: info.namespace,
      labels: {
        [LABELS.partOf]: 'sovra',
        [LABELS.component]: id,
        [LABELS.managedBy]: 'sovra',
        [LABELS.profile]: props.profile.name,
      },
      disableResourceNameHashes: true,
    });
    Object.defineProperty(this, COMPONENT, { value: true });
    this.profile = props.profile;
    this.info = info;
    if (info.namespace !== HELM_CONTROLLER_NAMESPACE) {
      this.namespaceObject = new ApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: info.namespace,
          labels: {
            ...(info.namespaceLabels ?? {}),
            'pod-security.kubernetes.io/enforce': info.podSecurity?.level ?? 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'v1.30',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
      });
      this.clusterScoped(this.namespaceObject);
      if (info.podSecurity) this.exceptPolicy({ rule: 'pod-security/namespace-restricted', object: this.namespaceObject, reason: info.podSecurity.reason });
    }
    this.node.addValidation({ validate: () => this._podGroups.flatMap((g) => g.validate()) });
  }

  /** Whether `x` is a Sovra component (cdk8s makes `instanceof` of any Chart class true for every Chart; this one checks the component mark). */
  static isComponent(x: unknown): x is Component {
    return x !== null && typeof x === 'object' && COMPONENT in x;
  }

  static override [Symbol.hasInstance](x: unknown): x is Component {
    return Component.isComponent(x);
  }

  /** The component `scope` belongs to (itself, or its nearest component ancestor). */
  static override of(scope: IConstruct): Component {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) if (Component.isComponent(s)) return s;
    throw new Error(`${scope.node.path}: not inside a component`);
  }

  /** The platform this component is part of. */
  get platform(): PlatformDirectory {
    return directoryOf(this);
  }

  /** Renders the objects; every object comes after the component's Namespace. */
  override toJson(): unknown[] {
    if (this.namespaceObject) {
      for (const o of this.apiObjectsDeep()) if (o !== this.namespaceObject) o.node.addDependency(this.namespaceObject);
    }
    return super.toJson();
  }

  private apiObjectsDeep(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }

  /** Helm charts this component installs. */
  get charts(): readonly HelmChartSpec<object>[] {
    return this._charts;
  }
  /** Images this component runs, directly or through its charts. */
  get images(): readonly ImageSpec[] {
    return this._images;
  }
  /** Model artifacts this component serves. */
  get models(): readonly DeclaredModel[] {
    return this._models;
  }
  /** Cryptographic assets this component configures. */
  get cryptoAssets(): readonly CryptoAsset[] {
    return this._crypto;
  }
  /** Control claims with their evidence. */
  get claims(): readonly ControlClaim[] {
    return this._claims;
  }
  /** What the customer must do for controls this component touches. */
  get responsibilities(): readonly CustomerResponsibility[] {
    return this._responsibilities;
  }
  /** Roles of the platform's users this component defines (the SSP's system users). */
  get userRoles(): readonly UserRole[] {
    return this._userRoles;
  }
  /** Host configuration files. */
  get hostFiles(): readonly HostFile[] {
    return this._hostFiles;
  }
  /** The rendered HelmChart object of a release, where the profile renders one (dev, edge). */
  chartObject(release: string): ApiObject | undefined {
    return this._chartObjects.get(release);
  }
  /** Its pod groups, with the peers they connect to. */
  get podGroups(): readonly PodGroup[] {
    return this._podGroups;
  }
  /** The pod group named `name`, if declared. */
  podGroup(name: string): PodGroup | undefined {
    return this._podGroups.find((g) => g.name === name);
  }
  /** Its metrics endpoints. */
  get metricsEndpoints(): readonly MetricsEndpoint[] {
    return this._metrics;
  }
  /** Alert rules about its own failures. */
  get alerts(): readonly AlertRule[] {
    return this._alerts;
  }
  /** Secrets its objects reference. */
  get secretsConsumed(): readonly SecretConsumption[] {
    return this._secretsConsumed;
  }
  /** Secrets it makes exist. */
  get secretsProduced(): readonly SecretProduction[] {
    return this._secretsProduced;
  }
  /** Audit trails it writes where the node's log collector reads them. */
  get auditLogs(): readonly AuditLogSource[] {
    return this._auditLogs;
  }
  /** Grafana datasources it serves. */
  get datasources(): readonly GrafanaDatasource[] {
    return this._datasources;
  }
  /** Ids of the components its pods connect to (for the dependency graph). */
  get peerComponents(): string[] {
    const ids = this._podGroups.flatMap((g) => g.egress.flatMap((c) => ('component' in c.to && c.to.component !== this.node.id ? [c.to.component] : [])));
    return [...new Set(ids)].sort();
  }

  /**
   * Declares a set of this component's pods (labels, named ports, service
   * account); its NetworkPolicy is derived from the peers declared on it and
   * on the groups that connect to it. Constructs inside the component (such
   * as a HardenedWorkload) call it for their pods.
   */
  addPods(spec: PodGroupSpec): PodGroup {
    if (this._podGroups.some((g) => g.name === spec.name)) throw new Error(`${this.node.path}: pod group ${spec.name} declared twice`);
    const directory = () => this.platform;
    const group = new PodGroup({ id: this.node.id, namespace: this.info.namespace, scope: this, directory }, spec);
    this._podGroups.push(group);
    return group;
  }

  /** Declares a metrics endpoint of one of its pod groups; scrapers are allowed to it and monitor it. */
  addMetrics(endpoint: MetricsEndpoint): MetricsEndpoint {
    if (!this._podGroups.includes(endpoint.pods)) throw new Error(`${this.node.path}: metrics endpoint on pods of another component`);
    endpoint.pods.port(endpoint.port);
    this._metrics.push(endpoint);
    return endpoint;
  }

  /**
   * Declares an alert rule about this component's failures; the monitoring
   * component writes it into a PrometheusRule and checks its expression
   * (PromQL syntax, metrics provided by a declared exporter) at synth.
   */
  addAlert(rule: AlertRule): AlertRule {
    const problems = alertProblems(this.node.id, rule);
    if (problems.length > 0) throw new SovraError('bad-input', problems.join('; '));
    if (this._alerts.some((a) => a.name === rule.name)) throw new Error(`${this.node.path}: alert ${rule.name} declared twice`);
    this._alerts.push(rule);
    return rule;
  }

  /**
   * Declares an audit trail this component writes on the nodes or into a
   * container's log; the log collector (component logs) reads every declared
   * trail, marks its records as audit records and keeps them for the audit
   * retention of the profile.
   */
  declareAuditLog(source: AuditLogSource): AuditLogSource {
    if (this._auditLogs.some((a) => a.service === source.service)) throw new Error(`${this.node.path}: audit log of ${source.service} declared twice`);
    this._auditLogs.push(source);
    return source;
  }

  /**
   * Declares a Grafana datasource served by one of its pod groups; the
   * monitoring component provisions it in Grafana and declares Grafana's
   * connection to the port. The component must be built before monitoring
   * (the registry's order), which writes its values when it is built.
   */
  addDatasource(ds: GrafanaDatasource): GrafanaDatasource {
    if (!this._podGroups.includes(ds.pods)) throw new Error(`${this.node.path}: datasource ${ds.uid} on pods of another component`);
    ds.pods.port(ds.port);
    this._datasources.push(ds);
    return ds;
  }

  /**
   * Runs `fn` once every component of the platform exists (before anything is
   * rendered), for what a component derives from the others: mesh policies
   * per namespace, monitors per metrics endpoint, dashboards per layer.
   * Stage `declare` runs first, for finalizers that add peers or pods (an
   * operator's connections to the clusters other components declared);
   * stage `derive` (the default) runs after every component's `declare`
   * finalizers, so what it derives from the peer graph sees all of it.
   */
  protected onFinalize(fn: () => void, stage: FinalizeStage = 'derive'): void {
    this._finalizers.push({ fn, stage });
  }

  /** Runs this component's finalizers of `stage` (the platform calls it once per stage, in component order). */
  runFinalizers(stage: FinalizeStage): void {
    const run = this._finalizers.filter((f) => f.stage === stage);
    this._finalizers.splice(0, this._finalizers.length, ...this._finalizers.filter((f) => f.stage !== stage));
    for (const f of run) f.fn();
  }

  /**
   * States that an object of this component, or one its chart renders,
   * cannot meet a policy rule by design, and why. The rule's finding on it
   * is lifted, shown with the reason, and the object is excluded from the
   * rule's admission binding.
   */
  exceptPolicy(exception: PolicyException): void {
    this._policyExceptions.push(exception);
  }

  /** Its policy exceptions as waivers (source `component <id>`). */
  get policyExceptions(): readonly Waiver[] {
    return this._policyExceptions.map((e) => exceptionWaiver(this.node.id, e, (o) => CLUSTER_SCOPED.has(o)));
  }

  /** Declares a Secret its objects reference. */
  consumesSecret(secret: Omit<SecretConsumption, 'namespace'> & { readonly namespace?: string }): void {
    this._secretsConsumed.push({ ...secret, namespace: secret.namespace ?? this.info.namespace });
  }

  /** Declares a Secret it makes exist, and how. */
  producesSecret(secret: Omit<SecretProduction, 'namespace'> & { readonly namespace?: string }): void {
    this._secretsProduced.push({ ...secret, namespace: secret.namespace ?? this.info.namespace });
  }

  /** The Namespace object this component creates, if any. */
  get namespaceResource(): ApiObject | undefined {
    return this.namespaceObject;
  }

  /**
   * Every namespace this component creates: its own, then those of
   * `addNamespace`. The mesh treats them alike (injection label,
   * default-deny authorization).
   */
  get namespaces(): readonly string[] {
    return [...(this.namespaceObject ? [this.info.namespace] : []), ...this._moreNamespaces.map((n) => n.name)];
  }

  /**
   * Creates another Namespace the component owns, for workloads that
   * software it installs puts elsewhere (an operator's operands) or that
   * must not share its namespace: restricted Pod Security enforced, audited
   * and warned, the platform's labels, after the component's own
   * Namespace. Its pod groups name it (`addPods({ namespace })`).
   */
  protected addNamespace(name: string): ApiObject {
    if (!this.namespaceObject) throw new Error(`${this.node.path}: a component in ${this.info.namespace} creates no namespaces`);
    if (this.namespaces.includes(name)) throw new Error(`${this.node.path}: namespace ${name} declared twice`);
    const ns = new ApiObject(this, `Namespace-${name}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          ...(this.info.namespaceLabels ?? {}),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.30',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    this.clusterScoped(ns);
    ns.node.addDependency(this.namespaceObject);
    this._moreNamespaces.push(ns);
    return ns;
  }

  /**
   * Declares a chart; for profiles not deployed by Terraform it is rendered
   * as a K3s/RKE2 HelmChart object. A profile's `chartOverrides` entry for
   * the release replaces where the chart comes from (repository and archive
   * digest). On an air-gapped profile nothing is fetched from the chart's
   * own repository: the HelmChart carries the archive (`chartContent`) when
   * the synth was given it, else names the chart in the site registry
   * (`oci://<images.registryMirror>/charts/<chart>`, where `sovra bundle
   * load` pushes it).
   */
  protected addChart<V extends object>(declared: HelmChartSpec<V>): HelmChartSpec<V> {
    if (this._charts.some((c) => c.release === declared.release)) throw new Error(`${this.node.path}: chart release ${declared.release} declared twice`);
    if (declared.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(declared.digest)) {
      throw new SovraError('bad-input', `${this.node.path}: chart ${declared.chart} ${declared.version} has a malformed digest "${declared.digest}".`);
    }
    const override = this.profile.chartOverrides?.[declared.release];
    const spec: HelmChartSpec<V> = override ? { ...declared, repository: override.repository, digest: override.digest, source: `profile ${this.profile.name} chartOverrides`, replaces: declared.repository } : declared;
    this._charts.push(spec);
    if (this.profile.deploy !== 'cdktf') {
      const obj = new ApiObject(this, `HelmChart-${spec.release}`, {
        apiVersion: 'helm.cattle.io/v1',
        kind: 'HelmChart',
        metadata: {
          name: spec.release,
          namespace: HELM_CONTROLLER_NAMESPACE,
          annotations: spec.digest ? { 'sovra.dev/chart-digest': spec.digest } : {},
        },
        spec: {
          ...this.chartSource(spec),
          targetNamespace: spec.namespace,
          createNamespace: false,
          ...(spec.bootstrap ? { bootstrap: true } : {}),
          valuesContent: toYaml(spec.values),
        },
      });
      if (this.namespaceObject) obj.node.addDependency(this.namespaceObject);
      this._chartObjects.set(spec.release, obj);
    }
    return spec;
  }

  /** Where a HelmChart takes its chart from: the repository, or on an air-gapped site the archive itself or the site registry. */
  private chartSource(spec: HelmChartSpec<object>): Record<string, unknown> {
    if (!this.profile.airGapped) return { repo: spec.repository, chart: spec.chart, version: spec.version };
    const archive = this.platform.chartArchive?.(spec);
    if (archive) {
      const found = `sha256:${createHash('sha256').update(archive).digest('hex')}`;
      if (spec.digest !== undefined && found !== spec.digest) {
        throw new SovraError('bad-input', `chart ${spec.chart} ${spec.version} (release ${spec.release}): the archive given to the synth has ${found}, the pin is ${spec.digest}. Use the archive the pin names (or correct the pin).`);
      }
      return { chartContent: Buffer.from(archive).toString('base64') };
    }
    const mirror = this.profile.images.registryMirror;
    if (!mirror) throw new SovraError('bad-profile', `profile "${this.profile.name}": airGapped is true but images.registryMirror is not set; name the host[:port] of the registry that serves the bundle's images and charts.`);
    return { chart: `oci://${mirror}/${SITE_CHART_PATH}/${spec.chart}`, version: spec.version, repoCAConfigMap: { name: SITE_REGISTRY_CA_CONFIGMAP } };
  }

  /** Declares an image by its pin; returns it with the digest the image lock has for it, if any. */
  protected addImage(pin: ImagePin): ImageSpec {
    const image = this.platform.resolveImage(pin);
    this._images.push(image);
    return image;
  }

  /** Declares a model artifact served by this component. */
  protected addModel<M extends DeclaredModel>(model: M): M {
    this._models.push(model);
    return model;
  }

  /** Declares a cryptographic asset configured by this component. */
  protected addCryptoAsset(asset: CryptoAsset): void {
    this._crypto.push(asset);
  }

  /** States a control claim on behalf of the component (for helpers that add objects to it, such as a database cluster). */
  declareClaim(claim: ControlClaim): void {
    this.claim(claim);
  }

  /** States a customer responsibility on behalf of the component (for helpers). */
  declareCustomerResponsibility(r: CustomerResponsibility): void {
    this.customerResponsibility(r);
  }

  /** Declares a cryptographic asset on behalf of the component (for the kit's helpers, such as certificates). */
  declareCryptoAsset(asset: CryptoAsset): void {
    this._crypto.push(asset);
  }

  /** Declares a host configuration file. */
  protected addHostFile(file: HostFile): void {
    this._hostFiles.push(file);
  }

  /** States a control claim with its evidence; the control id must exist in SP 800-53 rev5. */
  protected claim(claim: ControlClaim): void {
    if (!isControlId(claim.control)) {
      throw new SovraError('bad-input', `${this.node.path}: claim on unknown control "${claim.control}". Use an SP 800-53 rev5 id in OSCAL form, e.g. "sc-8" or "ac-2.1".`);
    }
    if (claim.evidence.length === 0) throw new Error(`${this.node.path}: claim on ${claim.control} has no evidence`);
    this._claims.push(claim);
  }

  /** States a customer responsibility for a control; the control id must exist in SP 800-53 rev5. */
  protected customerResponsibility(r: CustomerResponsibility): void {
    if (!isControlId(r.control)) {
      throw new SovraError('bad-input', `${this.node.path}: customer responsibility on unknown control "${r.control}". Use an SP 800-53 rev5 id in OSCAL form, e.g. "sc-12".`);
    }
    this._responsibilities.push(r);
  }

  /** Declares a role of the platform's users that this component defines and enforces (listed as an SSP system user). */
  protected declareUserRole(role: UserRole): void {
    if (this._userRoles.some((r) => r.id === role.id)) throw new Error(`${this.node.path}: user role ${role.id} declared twice`);
    this._userRoles.push(role);
  }

  /** Adds labels to this component's Namespaces, its own and those of `addNamespace` (for components that derive them platform-wide, such as a mesh's injection label). */
  addNamespaceLabels(labels: Readonly<Record<string, string>>): void {
    if (!this.namespaceObject) throw new Error(`${this.node.path}: namespace ${this.info.namespace} is not created by this component`);
    for (const ns of [this.namespaceObject, ...this._moreNamespaces]) for (const [k, v] of Object.entries(labels)) ns.metadata.addLabel(k, v);
  }

  /** Marks `obj` as cluster-scoped: cdk8s puts the chart namespace on every object, so it is removed. */
  protected clusterScoped<T extends ApiObject>(obj: T): T {
    obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    CLUSTER_SCOPED.add(obj);
    return obj;
  }

  /** Makes `obj` come after this component's Namespace in the manifest. */
  protected inNamespace<T extends ApiObject>(obj: T): T {
    if (this.namespaceObject && obj !== this.namespaceObject) obj.node.addDependency(this.namespaceObject);
    return obj;
  }
}
