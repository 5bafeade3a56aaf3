/**
 * The CI gate of Sovra's outputs, inside the cluster: Tasks and Pipelines
 * in the namespace `sovra-pipelines` that check a synthesized output with
 * `sovra verify` (signature, every file's digest, SBOM and CBOM, license
 * policy, and on profiles that require digests every image locked) before
 * anything is applied.
 *
 * - Task `sovra-verify`: `sovra verify <output> --key <public key>`; the key
 *   is the ConfigMap `sovra-verification-key` of the namespace, never a
 *   parameter, so whoever starts a run cannot bring their own key.
 * - Task `sovra-apply`: verifies again in its own pod, then `kubectl apply
 *   --server-side` of the output's `manifests/`. A TaskRun of it alone,
 *   or a workspace changed between the two tasks, cannot apply what was
 *   not verified in the same pod a step earlier.
 * - Pipeline `sovra-verify`: the verify task (for sites whose objects
 *   another tool applies, such as `cdktf deploy`); Pipeline
 *   `sovra-verify-apply`: verify, then apply (runAfter verify).
 *
 * The workspace `output` holds the synthesized output (the folder `sovra
 * synth --out` wrote, with `provenance.sigstore.json`), mounted read-only.
 * Every step names its command: the controller has no route to a registry
 * to look up an image's entrypoint.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { CONTROL_PLANE_IMAGE_RUNTIME } from '../../../contracts/control-plane.js';
import type { Component } from '../../kit/component.js';
import { imageRef, type ImageSpec } from '../../kit/image.js';
import { pluralOf } from '../../policy/admission/bindings.js';
import { NONROOT_SECURITY_CONTEXT } from './values.js';

/** Namespace of the Pipelines, Tasks and their runs. */
export const PIPELINES_NAMESPACE = 'sovra-pipelines';

/** Names of the objects, a contract with the site's PipelineRuns. */
export const PIPELINE_NAMES = {
  verifyTask: 'sovra-verify',
  applyTask: 'sovra-apply',
  verifyPipeline: 'sovra-verify',
  verifyApplyPipeline: 'sovra-verify-apply',
  /** Service account of verify TaskRuns: no token, no permission. */
  verifyServiceAccount: 'sovra-verify',
  /** Service account of apply TaskRuns: the ClusterRole `sovra-apply`. */
  applyServiceAccount: 'sovra-apply',
  /** ClusterRole (and binding) of the apply step. */
  applyRole: 'sovra-apply',
  /** ConfigMap with the public key outputs are verified against. */
  verificationKey: 'sovra-verification-key',
  /** Its key. */
  verificationKeyFile: 'signing.pub',
  /** Field manager of server-side apply: the owner the API server records for every field the pipeline sets. */
  fieldManager: 'sovra-pipeline',
} as const;

/** Where the verification key is mounted in the verify steps. */
const KEY_DIR = '/etc/sovra/verification-key';
/** kubectl's discovery cache (the root filesystem is read-only). */
const KUBECTL_CACHE = '/var/cache/kubectl';

/** The parameter and workspace of both pipelines: the signed output's folder in the `output` workspace. */
const PIPELINE_INPUTS = { params: [{ name: 'path', type: 'string', default: '.' }], workspaces: [{ name: 'output' }] };
/** The verify task as both pipelines run it first. */
const VERIFY_PIPELINE_TASK = { name: 'verify', taskRef: { kind: 'Task', name: PIPELINE_NAMES.verifyTask }, params: [{ name: 'path', value: '$(params.path)' }], workspaces: [{ name: 'output', workspace: 'output' }] };

/** The restricted security context of every step (Tekton's own containers get theirs from set-security-context). */
export const STEP_SECURITY_CONTEXT = NONROOT_SECURITY_CONTEXT;

/** What the pipelines are built from. */
export interface PipelineInput {
  /** Sovra's control plane image, which carries the `sovra` CLI. */
  readonly sovra: ImageSpec;
  readonly kubectl: ImageSpec;
  /** Add `--require-locked` (the profile requires digests: an unlocked image fails verification, exit 39). */
  readonly requireLocked: boolean;
  /** Write the apply Task and the Pipeline sovra-verify-apply. */
  readonly apply: boolean;
  /** PEM public key to write into the verification ConfigMap; absent: the site creates it. */
  readonly verificationKey?: string;
}

/** The objects written. */
export interface Pipelines {
  readonly namespace: ApiObject;
  readonly verifyTask: ApiObject;
  readonly verifyPipeline: ApiObject;
  readonly applyTask?: ApiObject;
  readonly verifyApplyPipeline?: ApiObject;
  readonly applyRole?: ApiObject;
  readonly applyRoleBinding?: ApiObject;
  readonly verificationKey?: ApiObject;
  /** Args of the verify step, for evidence. */
  readonly verifyArgs: readonly string[];
}

/** `sovra verify` of the workspace's output against the namespace's key. */
function verifyStep(input: PipelineInput): { step: Record<string, unknown>; args: string[] } {
  const args = ['verify', '$(workspaces.output.path)/$(params.path)', '--key', `${KEY_DIR}/${PIPELINE_NAMES.verificationKeyFile}`, ...(input.requireLocked ? ['--require-locked'] : [])];
  const q = { cpu: '500m', memory: '256Mi' };
  return {
    args,
    step: {
      name: 'verify',
      image: imageRef(input.sovra),
      // The image's entrypoint (the control plane image's contract), named: Tekton would otherwise ask the registry for it.
      command: [...CONTROL_PLANE_IMAGE_RUNTIME.entrypoint],
      args,
      computeResources: { requests: q, limits: q },
      volumeMounts: [{ name: 'verification-key', mountPath: KEY_DIR, readOnly: true }],
      securityContext: STEP_SECURITY_CONTEXT,
    },
  };
}

const PATH_PARAM = { name: 'path', type: 'string', default: '.', description: 'Folder of the synthesized output inside the workspace (the folder `sovra synth --out` wrote).' };
const OUTPUT_WORKSPACE = { name: 'output', readOnly: true, description: 'The synthesized output, signed (`sovra synth --sign` or `sovra sign`).' };
const KEY_VOLUME = { name: 'verification-key', configMap: { name: PIPELINE_NAMES.verificationKey, items: [{ key: PIPELINE_NAMES.verificationKeyFile, path: PIPELINE_NAMES.verificationKeyFile }] } };

/** Every kind the platform writes, as RBAC resource rules (group → resources), sorted. */
export function appliedResources(platform: { readonly components: readonly Component[] }): Array<{ apiGroups: string[]; resources: string[] }> {
  const byGroup = new Map<string, Set<string>>();
  for (const c of platform.components) {
    for (const o of c.node.findAll()) {
      if (!(o instanceof ApiObject)) continue;
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
      const set = byGroup.get(group) ?? new Set<string>();
      set.add(pluralOf(o.kind));
      byGroup.set(group, set);
    }
  }
  return [...byGroup.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([g, r]) => ({ apiGroups: [g], resources: [...r].sort() }));
}

/** The rules of ClusterRole sovra-apply: read, create and patch every kind the output holds; escalate and bind for its RBAC objects. */
export function applyRules(platform: { readonly components: readonly Component[] }): Array<Record<string, unknown>> {
  const rules: Array<Record<string, unknown>> = appliedResources(platform).map((r) => ({ ...r, verbs: ['create', 'get', 'patch'] }));
  const rbac = appliedResources(platform).find((r) => r.apiGroups[0] === 'rbac.authorization.k8s.io');
  const roles = (rbac?.resources ?? []).filter((r) => r === 'roles' || r === 'clusterroles');
  // Creating a role with permissions the applier does not hold needs `escalate`, binding one needs `bind` (Kubernetes RBAC privilege-escalation prevention).
  if (roles.length > 0) rules.push({ apiGroups: ['rbac.authorization.k8s.io'], resources: roles, verbs: ['bind', 'escalate'] });
  return rules;
}

/** Writes the service accounts, RBAC, Tasks and Pipelines under `c`, in `namespace` (PIPELINES_NAMESPACE, which `c` creates). */
export function addPipelines(c: Component, namespace: ApiObject, input: PipelineInput, platform: () => { readonly components: readonly Component[] }): Pipelines {
  const ns = PIPELINES_NAMESPACE;
  const inNs = <T extends ApiObject>(o: T): T => {
    o.node.addDependency(namespace);
    return o;
  };
  inNs(
    new ApiObject(c, 'VerifyServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: PIPELINE_NAMES.verifyServiceAccount, namespace: ns, annotations: { 'sovra.dev/reason': 'Runs sovra-verify TaskRuns: reads the workspace and the key, calls nothing.' } },
      automountServiceAccountToken: false,
    }),
  );
  const verificationKey = input.verificationKey
    ? inNs(
        new ApiObject(c, 'VerificationKey', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: PIPELINE_NAMES.verificationKey, namespace: ns, annotations: { 'sovra.dev/reason': 'Public key that signed Sovra outputs must verify against (components.tekton.verificationKey).' } },
          data: { [PIPELINE_NAMES.verificationKeyFile]: input.verificationKey },
        }),
      )
    : undefined;

  const verify = verifyStep(input);
  const verifyTask = inNs(
    new ApiObject(c, 'VerifyTask', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: PIPELINE_NAMES.verifyTask, namespace: ns },
      spec: {
        description: 'Checks a signed Sovra output with `sovra verify`: signature by the namespace key, every file against the signed provenance, SBOM and CBOM, license policy. Fails with the exit status of the first finding (30-39).',
        params: [PATH_PARAM],
        workspaces: [OUTPUT_WORKSPACE],
        volumes: [KEY_VOLUME],
        steps: [verify.step],
      },
    }),
  );
  const verifyPipeline = inNs(
    new ApiObject(c, 'VerifyPipeline', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: { name: PIPELINE_NAMES.verifyPipeline, namespace: ns },
      spec: {
        description: 'The CI gate alone: verify a signed Sovra output (for sites where another tool applies it).',
        ...PIPELINE_INPUTS,
        tasks: [VERIFY_PIPELINE_TASK],
      },
    }),
  );
  if (!input.apply) return { namespace, verifyTask, verifyPipeline, verifyArgs: verify.args, ...(verificationKey ? { verificationKey } : {}) };

  inNs(
    new ApiObject(c, 'ApplyServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: PIPELINE_NAMES.applyServiceAccount, namespace: ns, annotations: { 'sovra.dev/reason': 'Runs sovra-apply TaskRuns: its kubectl step applies the verified manifests with ClusterRole sovra-apply.' } },
      automountServiceAccountToken: true,
    }),
  );
  // The kinds are read when the object is rendered, once every component has written its objects.
  const applyRole = new ApiObject(c, 'ApplyClusterRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: PIPELINE_NAMES.applyRole,
      annotations: {
        'sovra.dev/reason':
          'Server-side apply of the platform: create, get and patch of exactly the kinds the synthesized output holds, no delete, no list or watch; escalate and bind on roles because the output creates RBAC objects, which makes this role as strong as the permissions those objects grant.',
      },
    },
    rules: Lazy.any({ produce: () => applyRules(platform()) }),
  });
  const applyRoleBinding = new ApiObject(c, 'ApplyClusterRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: PIPELINE_NAMES.applyRole },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: PIPELINE_NAMES.applyRole },
    subjects: [{ kind: 'ServiceAccount', name: PIPELINE_NAMES.applyServiceAccount, namespace: ns }],
  });
  const kq = { cpu: '500m', memory: '256Mi' };
  const applyTask = inNs(
    new ApiObject(c, 'ApplyTask', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: PIPELINE_NAMES.applyTask, namespace: ns },
      spec: {
        description: 'Verifies a signed Sovra output again in its own pod, then applies its manifests/ with kubectl server-side apply (no pruning: objects the output no longer holds are left for a person to delete).',
        params: [PATH_PARAM],
        workspaces: [OUTPUT_WORKSPACE],
        volumes: [KEY_VOLUME, { name: 'kubectl-cache', emptyDir: { sizeLimit: '64Mi' } }],
        steps: [
          verify.step,
          {
            name: 'apply',
            image: imageRef(input.kubectl),
            command: ['/bin/kubectl'],
            args: ['apply', '--server-side', '--force-conflicts', `--field-manager=${PIPELINE_NAMES.fieldManager}`, `--cache-dir=${KUBECTL_CACHE}`, '--recursive', '--filename', '$(workspaces.output.path)/$(params.path)/manifests'],
            computeResources: { requests: kq, limits: kq },
            volumeMounts: [{ name: 'kubectl-cache', mountPath: KUBECTL_CACHE }],
            securityContext: STEP_SECURITY_CONTEXT,
          },
        ],
      },
    }),
  );
  const verifyApplyPipeline = inNs(
    new ApiObject(c, 'VerifyApplyPipeline', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: { name: PIPELINE_NAMES.verifyApplyPipeline, namespace: ns },
      spec: {
        description: 'Verify a signed Sovra output, then apply its manifests (only after verify succeeded).',
        ...PIPELINE_INPUTS,
        tasks: [
          VERIFY_PIPELINE_TASK,
          {
            name: 'apply',
            runAfter: ['verify'],
            taskRef: { kind: 'Task', name: PIPELINE_NAMES.applyTask },
            params: [{ name: 'path', value: '$(params.path)' }],
            workspaces: [{ name: 'output', workspace: 'output' }],
          },
        ],
      },
    }),
  );
  return { namespace, verifyTask, verifyPipeline, applyTask, verifyApplyPipeline, applyRole, applyRoleBinding, verifyArgs: verify.args, ...(verificationKey ? { verificationKey } : {}) };
}
