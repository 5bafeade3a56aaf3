/**
 * The control plane's pins. Its image is Sovra's own: built from this
 * repository (`services/`, the production npm tree of package-lock.json),
 * tagged with Sovra's version. No digest is written here: the digest of a
 * built image is recorded in the image lock when it is built, and until
 * then the image is unlocked (the synth reports it, the SBOM marks it).
 */
import { readFileSync } from 'node:fs';
import type { ModelDeclaration } from '../../../contracts/model-declaration.js';
import { shipped } from '../../../core/paths.js';
import { sovraVersion } from '../../../core/version.js';
import type { ImageSpec } from '../../kit/image.js';

/** Image of the control plane service. */
export function controlPlaneImage(): ImageSpec {
  return {
    registry: 'registry.sovra.dev',
    repository: 'sovra/control-plane',
    tag: sovraVersion(),
    license: 'Apache-2.0',
    source: 'built from this repository (services/ and the production dependencies of package-lock.json)',
    // The image installs Sovra's production dependencies from this lockfile.
    npmLockfile: 'package-lock.json',
  };
}

/**
 * The built-in local model: Sovra's generated test model `sovra-tiny-chat`
 * (a two-layer llama-architecture GGUF written by code from a fixed seed,
 * so its SHA-256 is computed from bytes; it answers every prompt with the
 * same sentence). The declaration is the output of `sovra model pin` on the
 * file `sovra model tiny` writes; a test checks the two agree.
 */
export function builtinLocalModel(): ModelDeclaration {
  return JSON.parse(readFileSync(shipped('constructs/ai-runtime/control-plane/builtin-model.json'), 'utf8')) as ModelDeclaration;
}
