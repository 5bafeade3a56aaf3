/**
 * KServe's charts (v0.20.0, the tagged sources in the reference data)
 * rendered by the real helm with the values Sovra writes for the cluster
 * profile, the one that installs KServe: each chart accepts them, every value
 * path is known, the controller's configuration carries raw-deployment mode,
 * no ingress and no automounted token, only the Triton runtime is enabled
 * (with the declared image), every image the charts run is declared, and the
 * InferenceService Sovra writes is valid against the CRD of this version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KSERVE_CONTROLLER_LABELS, KSERVE_NAMESPACE, KSERVE_RELEASES } from '../../../constructs/ai-runtime/kserve/kserve.js';
import { OTHER_RUNTIMES, TRITON_RUNTIME } from '../../../constructs/ai-runtime/kserve/catalog.js';
import { k8sAjv } from '../../../output/kubernetes/schema-validator.js';
import { removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CHARTS = {
  crd: () => chartDir('kserve', 'kserve-crd-v0.20.0'),
  resources: () => chartDir('kserve', 'kserve-resources-v0.20.0'),
  runtimes: () => chartDir('kserve', 'kserve-runtime-configs-v0.20.0'),
};
/** Maps the runtime chart copies whole (a runtime's securityContext). */
const RUNTIME_FREE_FORM = ['kserve.servingruntime.tritonserver.securityContext'];

let root: string;
let dir: string;
const renders = {} as Record<keyof typeof CHARTS, Render>;

beforeAll(async () => {
  root = tempDir();
  dir = `${root}/cluster`;
  await synthProfile('cluster', dir);
  for (const k of Object.keys(CHARTS) as Array<keyof typeof CHARTS>) {
    renders[k] = renderChart({ chart: CHARTS[k](), release: KSERVE_RELEASES[k], namespace: KSERVE_NAMESPACE, values: writtenValues(dir, KSERVE_RELEASES[k]) });
  }
});
afterAll(() => removeDir(root));

describe('profile cluster: the KServe charts over the values Sovra writes', () => {
  it('each chart accepts its values, and every value path is one the chart has', () => {
    for (const k of Object.keys(CHARTS) as Array<keyof typeof CHARTS>) {
      expect(renders[k].error, k).toBe('');
      expect(renders[k].ok, k).toBe(true);
    }
    expect(unknownValuePaths(CHARTS.resources(), writtenValues(dir, KSERVE_RELEASES.resources))).toEqual([]);
    expect(unknownValuePaths(CHARTS.runtimes(), writtenValues(dir, KSERVE_RELEASES.runtimes), RUNTIME_FREE_FORM)).toEqual([]);
    expect(renders.crd.objects.map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['inferenceservices.serving.kserve.io', 'clusterservingruntimes.serving.kserve.io']));
  });

  it('the controller configuration: raw deployment (no Knative), no ingress or virtual service, no automounted token in predictors', () => {
    const cm = objectNamed(renders.resources.objects, 'ConfigMap', 'inferenceservice-config') as Obj;
    expect(JSON.parse(cm.data.deploy)).toEqual({ defaultDeploymentMode: 'RawDeployment' });
    expect(JSON.parse(cm.data.security)).toEqual({ autoMountServiceAccountToken: false });
    const ingress = JSON.parse(cm.data.ingress) as Obj;
    expect(ingress.disableIngressCreation).toBe(true);
    expect(ingress.disableIstioVirtualHost).toBe(true);
  });

  it('the controller pod has the labels and account the component declares and meets the hardened baseline', () => {
    const d = objectNamed(renders.resources.objects, 'Deployment', 'kserve-controller-manager') as Obj;
    expect(d.spec.template.metadata.labels).toEqual(KSERVE_CONTROLLER_LABELS);
    expect(d.spec.template.spec.serviceAccountName).toBe('kserve-controller-manager');
    expect(d.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of d.spec.template.spec.containers as Obj[]) {
      expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    }
    expect(d.spec.template.spec.containers[0].ports).toContainEqual({ containerPort: 9443, name: 'webhook-server', protocol: 'TCP' });
  });

  it('only the Triton ClusterServingRuntime is enabled, with the declared image and the hardened security context', () => {
    const runtimes = renders.runtimes.objects.filter((o) => o.kind === 'ClusterServingRuntime') as Obj[];
    expect(runtimes.filter((r) => r.spec.disabled !== true).map((r) => r.metadata.name)).toEqual([TRITON_RUNTIME]);
    expect(runtimes.length).toBe(OTHER_RUNTIMES.length + 1);
    const triton = objectNamed(runtimes as unknown as K8sObject[], 'ClusterServingRuntime', TRITON_RUNTIME) as Obj;
    const c = triton.spec.containers[0];
    expect(c.args).toContain('--model-store=/mnt/models');
    expect(c.args).toContain('--http-port=8080');
    expect(c.securityContext).toEqual({ runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(undeclaredImages([c.image], declaredImages(dir))).toEqual([]);
  });

  it('every image the charts run is declared', () => {
    const images = [...renderedImages(renders.resources.objects), ...renderedImages(renders.runtimes.objects)];
    expect(images).toEqual(['docker.io/kserve/kserve-controller:v0.20.0', 'quay.io/brancz/kube-rbac-proxy:v0.18.0']);
    expect(undeclaredImages(images, declaredImages(dir))).toEqual([]);
  });

  it('the InferenceService Sovra writes is valid against the CRD of KServe v0.20.0', () => {
    const isvc = writtenObjects(dir).find((o) => o.object.kind === 'InferenceService')!.object;
    const crd = renders.crd.objects.find((o) => o.metadata.name === 'inferenceservices.serving.kserve.io') as Obj;
    const schema = crd.spec.versions.find((v: Obj) => v.name === 'v1beta1').schema.openAPIV3Schema;
    const { ajv, schema: prepared } = k8sAjv('crds/serving.kserve.io/inferenceservice_v1beta1.json', false, () => schema);
    const validate = ajv.compile(prepared);
    expect(validate(isvc) ? [] : validate.errors).toEqual([]);
  });
});
