/**
 * The control plane's upstream tiers as a profile gives them: the platform's
 * vLLM (VLLM_API, when the profile installs component `vllm`), then the
 * hosted OpenAI-compatible servers of `components.control-plane.hostedUpstreams`.
 * For each: the base URL, the peer its pods declare, and where its API key
 * file comes from (an ExternalSecret from OpenBao, mounted read-only).
 */
import { serveEnv } from '../../../contracts/control-plane.js';
import type { Component } from '../../kit/component.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { Peer } from '../../kit/network.js';
import { VLLM_API } from '../../kit/shared-names.js';
import type { WorkloadVolume } from '../../kit/workload.js';

/** Where the pod mounts the API key Secret of upstream `name`. */
export const UPSTREAM_KEY_MOUNT = '/etc/sovra/upstream-keys';
/** Key of an upstream's API key Secret. */
export const UPSTREAM_KEY = 'api-key';

/** One upstream tier as the workload needs it. */
export interface UpstreamPlan {
  readonly name: string;
  readonly url: string;
  readonly peer: Peer;
  readonly reason: string;
  /** Volume with the API key file, when the upstream needs a key. */
  readonly keyVolume?: WorkloadVolume;
  /** Path of the key file in the pod. */
  readonly keyFile?: string;
}

/** The upstream tiers of `component`'s profile, in failover order; ExternalSecrets for their keys are added to `component`. */
export function planUpstreams(component: Component): UpstreamPlan[] {
  const plans: UpstreamPlan[] = [];
  if (component.platform.installs(VLLM_API.component)) {
    plans.push({
      name: VLLM_API.component,
      url: VLLM_API.url,
      peer: { component: VLLM_API.component, pods: VLLM_API.pods, port: VLLM_API.portName },
      reason: "the upstream tier: the platform's vLLM (OpenAI-compatible API)",
    });
  }
  for (const h of component.profile.components['control-plane'].hostedUpstreams ?? []) {
    const u = new URL(h.url);
    const secret = `control-plane-upstream-${h.name}`;
    const plan: UpstreamPlan = {
      name: h.name,
      url: h.url,
      peer: { entity: 'world', ports: [{ port: u.port ? Number(u.port) : 443 }], fqdns: [u.hostname] },
      reason: `the hosted upstream tier ${h.name} (${u.host})`,
      ...(h.apiKey
        ? {
            keyVolume: { name: `upstream-key-${h.name}`, mountPath: `${UPSTREAM_KEY_MOUNT}/${h.name}`, source: { secret: { name: secret, keys: [UPSTREAM_KEY], purpose: `Bearer API key of the hosted upstream ${h.name}, mounted as a file (${serveEnv('upstream-api-key-file')}).` } } },
            keyFile: `${UPSTREAM_KEY_MOUNT}/${h.name}/${UPSTREAM_KEY}`,
          }
        : {}),
    };
    if (h.apiKey) {
      addExternalSecret(component, { name: secret, purpose: `Bearer API key of the hosted upstream ${h.name}, read from OpenBao.`, from: { openbao: [{ secretKey: UPSTREAM_KEY, path: h.apiKey.openbaoPath, property: h.apiKey.property }] } });
    }
    plans.push(plan);
  }
  const names = plans.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${component.node.path}: upstream ${dup} is declared twice`);
  return plans;
}

/** The serve variables of the upstream tiers: the URLs and, when any needs a key, one key file entry per upstream (empty for none). */
export function upstreamEnv(plans: readonly UpstreamPlan[]): Record<string, string> {
  if (plans.length === 0) return {};
  return {
    [serveEnv('upstream')]: plans.map((p) => p.url).join(','),
    ...(plans.some((p) => p.keyFile) ? { [serveEnv('upstream-api-key-file')]: plans.map((p) => p.keyFile ?? '').join(',') } : {}),
  };
}
