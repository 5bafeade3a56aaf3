/**
 * The secret closure: every Secret an object of the output references has a
 * producer in the output. References are read from the written objects
 * (environment `secretKeyRef`, `envFrom`, `secret` and `projected` volumes,
 * `imagePullSecrets`) and from what components declare they consume (chart
 * values that name a Secret). Producers are cert-manager Certificates,
 * ExternalSecrets and the declarations of components (an operator they
 * install that creates the Secret, or a Secret supplied at install).
 */
import type { Component } from '../constructs/kit/component.js';
import type { SecretProducerKind } from '../constructs/kit/secrets.js';
import { SovraError } from '../core/errors.js';

/** A reference to a Secret and where it was found. */
export interface SecretReference {
  readonly namespace: string;
  readonly name: string;
  /** `Deployment sovra-system/control-plane spec.template.spec.containers[0].env[5].valueFrom.secretKeyRef` or `declared by component nats`. */
  readonly where: string;
  readonly file?: string;
}

/** A Secret's producer. */
export interface SecretProducer {
  readonly namespace: string;
  readonly name: string;
  readonly kind: SecretProducerKind;
  readonly by: string;
}

/** What the check found: every producer and reference, and the references without a producer. */
export interface SecretClosure {
  readonly producers: readonly SecretProducer[];
  readonly references: readonly SecretReference[];
  readonly unproduced: readonly SecretReference[];
  /** Secrets the site supplies at install (for the README and the SSP). */
  readonly suppliedAtInstall: readonly SecretProducer[];
}

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> };
type PodSpec = { containers?: Container[]; initContainers?: Container[]; volumes?: Volume[]; imagePullSecrets?: Array<{ name?: string }> };
type Container = { env?: Array<{ valueFrom?: { secretKeyRef?: { name?: string; optional?: boolean } } }>; envFrom?: Array<{ secretRef?: { name?: string; optional?: boolean } }> };
type Volume = { secret?: { secretName?: string; optional?: boolean }; projected?: { sources?: Array<{ secret?: { name?: string; optional?: boolean } }> } };

/** The pod spec of a workload object and its path, if it has one. */
function podSpecOf(o: Obj): { spec: PodSpec; path: string } | undefined {
  const s = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!s) return undefined;
  switch (o.kind) {
    case 'Pod':
      return { spec: s as PodSpec, path: 'spec' };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return s.template?.spec ? { spec: s.template.spec as PodSpec, path: 'spec.template.spec' } : undefined;
    case 'CronJob':
      return s.jobTemplate?.spec?.template?.spec ? { spec: s.jobTemplate.spec.template.spec as PodSpec, path: 'spec.jobTemplate.spec.template.spec' } : undefined;
    default:
      return undefined;
  }
}

/** Secret names a pod spec references, with the field of each (optional references are skipped: the pod starts without them). */
export function podSecretReferences(spec: PodSpec, base: string): Array<{ name: string; field: string }> {
  const out: Array<{ name: string; field: string }> = [];
  const containers = [...(spec.initContainers ?? []).map((c, i) => ['initContainers', i, c] as const), ...(spec.containers ?? []).map((c, i) => ['containers', i, c] as const)];
  for (const [list, i, c] of containers) {
    (c.env ?? []).forEach((e, j) => {
      const r = e.valueFrom?.secretKeyRef;
      if (r?.name && !r.optional) out.push({ name: r.name, field: `${base}.${list}[${i}].env[${j}].valueFrom.secretKeyRef` });
    });
    (c.envFrom ?? []).forEach((e, j) => {
      if (e.secretRef?.name && !e.secretRef.optional) out.push({ name: e.secretRef.name, field: `${base}.${list}[${i}].envFrom[${j}].secretRef` });
    });
  }
  (spec.volumes ?? []).forEach((v, i) => {
    if (v.secret?.secretName && !v.secret.optional) out.push({ name: v.secret.secretName, field: `${base}.volumes[${i}].secret` });
    (v.projected?.sources ?? []).forEach((s, j) => {
      if (s.secret?.name && !s.secret.optional) out.push({ name: s.secret.name, field: `${base}.volumes[${i}].projected.sources[${j}].secret` });
    });
  });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (s.name) out.push({ name: s.name, field: `${base}.imagePullSecrets[${i}]` });
  });
  return out;
}

const describe = (o: Obj) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/** Computes the closure over the rendered objects of every component (and the file each is written to). */
export function secretClosure(objects: ReadonlyMap<Component, readonly object[]>, fileOf: (c: Component) => string): SecretClosure {
  const producers: SecretProducer[] = [];
  const references: SecretReference[] = [];
  for (const [component, objs] of objects) {
    const file = fileOf(component);
    for (const raw of objs) {
      const o = raw as Obj;
      const ns = o.metadata?.namespace ?? '';
      if (o.kind === 'Certificate' && o.apiVersion?.startsWith('cert-manager.io/')) {
        const name = (o.spec as { secretName?: string } | undefined)?.secretName;
        if (name) producers.push({ namespace: ns, name, kind: 'certificate', by: describe(o) });
      } else if (o.kind === 'ExternalSecret' && o.apiVersion?.startsWith('external-secrets.io/')) {
        const name = (o.spec as { target?: { name?: string } } | undefined)?.target?.name ?? o.metadata?.name;
        if (name) producers.push({ namespace: ns, name, kind: 'external-secret', by: describe(o) });
      }
      const pod = podSpecOf(o);
      if (pod) for (const r of podSecretReferences(pod.spec, pod.path)) references.push({ namespace: ns, name: r.name, where: `${describe(o)} ${r.field}`, file });
    }
    for (const p of component.secretsProduced) producers.push({ namespace: p.namespace, name: p.name, kind: p.kind, by: p.by });
    for (const c of component.secretsConsumed) references.push({ namespace: c.namespace, name: c.name, where: `declared by component ${component.node.id} (${c.purpose})`, file });
  }
  const produced = new Set(producers.map((p) => `${p.namespace}/${p.name}`));
  const unproduced = references.filter((r) => !produced.has(`${r.namespace}/${r.name}`));
  const supplied = producers.filter((p) => p.kind === 'supplied-at-install');
  const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  return {
    producers: uniq(producers, (p) => `${p.namespace}/${p.name}/${p.by}`).sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1)),
    references,
    unproduced,
    suppliedAtInstall: uniq(supplied, (p) => `${p.namespace}/${p.name}`),
  };
}

/** Throws `invalid-output` naming every reference without a producer: object, field and Secret. */
export function checkSecretClosure(closure: SecretClosure): void {
  if (closure.unproduced.length === 0) return;
  const lines = closure.unproduced.map((r) => `Secret ${r.namespace}/${r.name}: referenced by ${r.where}${r.file ? ` in ${r.file}` : ''}`);
  throw new SovraError(
    'invalid-output',
    `these Secrets are referenced but nothing in the output produces them, so the pods that need them would never start:\n  - ${lines.join('\n  - ')}\n` +
      'Give each a producer: an ExternalSecret (addExternalSecret), a cert-manager Certificate (addCertificate), the operator that creates it (producesSecret with kind "operator"), or declare it supplied at install (producesSecret with kind "supplied-at-install").',
  );
}
