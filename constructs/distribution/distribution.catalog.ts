/** Distribution pins: the one place the K3s and RKE2 versions live. */

/** Release of each distribution Sovra installs; both carry Kubernetes v1.30.14. */
export const DISTRIBUTIONS = {
  k3s: { version: 'v1.30.14+k3s1', kubernetes: 'v1.30.14', license: 'Apache-2.0', configDir: '/etc/rancher/k3s', source: 'https://docs.k3s.io/release-notes/v1.30.X' },
  rke2: { version: 'v1.30.14+rke2r1', kubernetes: 'v1.30.14', license: 'Apache-2.0', configDir: '/etc/rancher/rke2', source: 'https://github.com/rancher/rke2/releases/tag/v1.30.14+rke2r1' },
} as const;
