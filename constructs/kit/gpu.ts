/**
 * GPU node pools as every component sees them: the labels and taint the
 * host configuration puts on a pool's nodes (component distribution), and
 * the placement a pod that requests GPUs must carry (node selector,
 * toleration, RuntimeClass). One place for these names, so the nodes and
 * the pods that target them cannot drift apart.
 */
import { SovraError } from '../../core/errors.js';
import type { GpuPool, Profile } from '../../profiles/profile.generated.js';

/** Label and taint keys of GPU pool nodes, and the RuntimeClass of GPU pods. */
export const GPU_POOL = {
  /** Node label: the pool's name. */
  poolLabel: 'sovra.dev/gpu-pool',
  /** Node label: the GPU product of the pool (profile `gpu.pools[].product`). */
  productLabel: 'sovra.dev/gpu-product',
  /** Taint key (value: the pool's name, effect NoSchedule) that keeps pods without GPUs off dedicated pool nodes. */
  taintKey: 'sovra.dev/gpu-pool',
  /** RuntimeClass of GPU pods: NVIDIA's container runtime (created by the GPU Operator, handler `nvidia`). */
  runtimeClass: 'nvidia',
  /** Extended resource of the NVIDIA device plugin. */
  resource: 'nvidia.com/gpu',
} as const;

/** A toleration as a pod spec carries it. */
export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect: 'NoSchedule';
}

/** Where a GPU pod goes: the fields its pod spec carries. */
export interface GpuPlacement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly runtimeClassName: string;
}

/**
 * Whether the pool's nodes are the server itself: a single-node
 * distribution (the edge box) whose only pool has one node. Such a node is
 * labelled but never tainted, because a taint on the only node would keep
 * the whole platform off it.
 */
export function poolIsServer(profile: Profile, pool: GpuPool): boolean {
  return profile.distribution.nodes === 1 && profile.gpu.pools.length === 1 && pool.nodes === 1;
}

/** Node labels of a pool's nodes (`key=value` strings, as `node-label` takes them). */
export function poolNodeLabels(pool: GpuPool): string[] {
  return [`${GPU_POOL.poolLabel}=${pool.name}`, `${GPU_POOL.productLabel}=${pool.product}`];
}

/** The taint of a dedicated pool's nodes (`key=value:effect`, as `node-taint` takes it). */
export function poolNodeTaint(pool: GpuPool): string {
  return `${GPU_POOL.taintKey}=${pool.name}:NoSchedule`;
}

/**
 * Tolerations of the node agents every node needs, GPU pool nodes
 * included (workload identity, log collection): the pools' taint keeps
 * pods without GPUs off those nodes, but not the agents their GPU pods
 * depend on. Empty when no pool is tainted.
 */
export function nodeAgentTolerations(profile: Profile): Toleration[] {
  const tainted = (profile.gpu.pools as readonly GpuPool[]).some((pool) => !poolIsServer(profile, pool));
  return tainted ? [{ key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' }] : [];
}

/** The pool named `name` (or the profile's first pool when `name` is undefined); a user mistake when none matches. */
export function gpuPool(profile: Profile, name: string | undefined, setting: string): GpuPool {
  const pools = profile.gpu.pools as readonly GpuPool[];
  const pool = name === undefined ? pools[0] : pools.find((p) => p.name === name);
  if (!pool) {
    const known = pools.map((p) => p.name).join(', ') || 'none';
    throw new SovraError('bad-profile', `profile "${profile.name}": ${setting} names GPU pool "${name ?? '(first)'}", but gpu.pools has ${known}. Name one of gpu.pools, or add the pool.`);
  }
  return pool;
}

/** Placement of a pod that requests GPUs of `pool`: its node selector, the toleration of the pool's taint, and the NVIDIA RuntimeClass. */
export function gpuPlacement(pool: GpuPool): GpuPlacement {
  return {
    nodeSelector: { [GPU_POOL.poolLabel]: pool.name },
    tolerations: [{ key: GPU_POOL.taintKey, operator: 'Equal', value: pool.name, effect: 'NoSchedule' }],
    runtimeClassName: GPU_POOL.runtimeClass,
  };
}
