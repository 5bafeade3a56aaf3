/**
 * Served models on GPU model servers (vLLM, Triton): the declaration read
 * from the profile, the digest manifest (a ConfigMap Sovra writes when the
 * profile declares the digests; the site's, of the same name, when they are
 * supplied at install) and the init container that checks every file of the
 * weights against it with `sovra model verify-files` before the server's
 * container starts. A mismatch, a missing or unlisted file, or no manifest
 * keeps the pod from serving, and its log names the file and both digests.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { digestManifest, type ServedModelDeclaration } from '../../contracts/served-model.js';
import { imageRef, type ImageSpec } from './image.js';

/** A served model as a profile declares it (files absent: digests supplied at install). */
export interface ServedModelSettings {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly source: string;
  readonly format: 'safetensors' | 'onnx';
  readonly files?: ReadonlyArray<{ readonly path: string; readonly sha256: string }>;
}

/** The declaration of a served model from its profile settings: digests declared when the profile lists the files, supplied at install otherwise. */
export function servedModel(s: ServedModelSettings): ServedModelDeclaration {
  const files = (s.files ?? []).map((f) => ({ path: f.path, sha256: f.sha256 }));
  return { name: s.name, version: s.version, license: s.license, source: s.source, format: s.format, digests: files.length > 0 ? 'declared' : 'supplied-at-install', files };
}

/** Key of the manifest in its ConfigMap, and the file name the verifier reads. */
export const DIGEST_MANIFEST_KEY = 'SHA256SUMS';
/** Where the verifier sees the digest manifest. */
export const DIGEST_MOUNT = '/etc/sovra/model-digests';

/** Name of the ConfigMap holding the digest manifest of `model`. */
export function digestConfigMapName(model: ServedModelDeclaration): string {
  return `${model.name.replace(/\./g, '-')}-digests`.slice(0, 63);
}

/** What a GPU pod needs to verify its weights: the init container, its volume, and the manifest ConfigMap (absent when supplied at install). */
export interface WeightVerifier {
  /** The init container (hardened: non-root, read-only root filesystem, no capabilities). */
  readonly initContainer: Record<string, unknown>;
  /** The manifest volume (an optional ConfigMap volume: a pod without the site's manifest starts only to be refused by the verifier, with a clear log line). */
  readonly volume: Record<string, unknown>;
  /** The ConfigMap Sovra writes when the profile declares the digests. */
  readonly configMap?: ApiObject;
  /** Args of the verifier, for evidence. */
  readonly args: readonly string[];
}

/**
 * The weight verifier of `model` whose files the pod mounts (read-only) as
 * volume `weightsVolume` at `weightsPath`. `image` is Sovra's control plane
 * image, which carries the `sovra` CLI.
 */
export function addWeightVerifier(scope: Construct, o: { model: ServedModelDeclaration; image: ImageSpec; weightsVolume: string; weightsPath: string; namespace?: string }): WeightVerifier {
  const name = digestConfigMapName(o.model);
  const configMap =
    o.model.digests === 'declared'
      ? new ApiObject(scope, `ConfigMap-${name}`, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name,
            ...(o.namespace ? { namespace: o.namespace } : {}),
            annotations: { 'sovra.dev/model': `${o.model.name}@${o.model.version}`, 'sovra.dev/reason': 'SHA-256 of every file of the model, checked before the server starts.' },
          },
          data: { [DIGEST_MANIFEST_KEY]: digestManifest(o.model) },
        })
      : undefined;
  const args = ['model', 'verify-files', '--manifest', `${DIGEST_MOUNT}/${DIGEST_MANIFEST_KEY}`, '--dir', o.weightsPath];
  const q = { cpu: '1', memory: '256Mi' };
  return {
    configMap,
    args,
    volume: { name: 'model-digests', configMap: { name, optional: true } },
    initContainer: {
      name: 'verify-weights',
      image: imageRef(o.image),
      imagePullPolicy: 'IfNotPresent',
      args,
      resources: { requests: q, limits: q },
      securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      volumeMounts: [
        { name: o.weightsVolume, mountPath: o.weightsPath, readOnly: true },
        { name: 'model-digests', mountPath: DIGEST_MOUNT, readOnly: true },
      ],
    },
  };
}
