/** Distribution pins: the one place the K3s and RKE2 versions live. */

/** Release of each distribution Sovra installs; both carry Kubernetes v1.30.14. */
export const DISTRIBUTIONS = {
  k3s: { version: 'v1.30.14+k3s1', kubernetes: 'v1.30.14', license: 'Apache-2.0', configDir: '/etc/rancher/k3s', source: 'https://docs.k3s.io/release-notes/v1.30.X' },
  rke2: { version: 'v1.30.14+rke2r1', kubernetes: 'v1.30.14', license: 'Apache-2.0', configDir: '/etc/rancher/rke2', source: 'https://github.com/rancher/rke2/releases/tag/v1.30.14+rke2r1' },
} as const;

/**
 * RKE2's FIPS crypto module: its Kubernetes binaries (API server, etcd,
 * containerd, kubelet) are compiled with Go BoringCrypto, revalidated for
 * FIPS 140-2 (rancher/rke2-docs#189, 2024). Bundled CNIs other than Canal are
 * not rebuilt for FIPS, so Cilium is outside the module. The host OS must
 * itself run in FIPS mode; Sovra's output does not configure the kernel.
 */
export const RKE2_FIPS_MODULE = {
  name: 'Go BoringCrypto (RKE2 build)',
  certificationLevel: 'fips140-2-l1',
  source: 'https://docs.rke2.io/security/fips_support',
} as const;
