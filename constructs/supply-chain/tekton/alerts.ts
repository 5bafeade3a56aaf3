/**
 * Tekton's alert rules: a PipelineRun that failed (for the verify
 * pipelines, an output that did not verify or did not apply) and Chains
 * failing to sign (a run left without signed provenance). Metric names
 * from metrics.ts.
 */
import type { AlertRule } from '../../kit/alerts.js';
import { PIPELINES_NAMESPACE } from './pipeline.js';

/** The rules. */
export function tektonAlerts(): AlertRule[] {
  return [
    {
      name: 'TektonPipelineRunFailed',
      expr: 'sum(increase(tekton_pipelines_controller_pipelinerun_total{status="failed"}[30m])) > 0',
      for: '1m',
      severity: 'warning',
      summary: 'A Tekton PipelineRun failed.',
      description: `At least one PipelineRun failed in the last 30 minutes. In ${PIPELINES_NAMESPACE} a failed sovra-verify task means an output did not verify (its exit status, 30-39, names the finding: tampering, wrong key, missing signature, unlocked image); nothing of it was applied. Read the TaskRun's log before starting the run again.`,
      controls: ['sr-4.3', 'si-7', 'cm-14'],
    },
    {
      name: 'TektonChainsSigningFailed',
      expr: '(sum(increase(watcher_taskrun_signing_failures_total[30m])) or vector(0)) + (sum(increase(watcher_pipelinerun_signing_failures_total[30m])) or vector(0)) > 0',
      for: '1m',
      severity: 'warning',
      summary: 'Tekton Chains failed to sign run provenance.',
      description:
        "Chains could not sign or store the provenance of at least one TaskRun or PipelineRun in the last 30 minutes: those runs have no signed attestation. Usual causes: the signing key is missing from OpenBao (ExternalSecret signing-secrets not ready), or the OCI repository refuses the push. See the tekton-chains-controller log.",
      controls: ['sr-4', 'au-9'],
    },
  ];
}
