/**
 * The audit trail (AU-2, AU-3, AU-12): one hash-chained record per request,
 * durable before the response is sent, with signed checkpoints.
 */

/** What is known when a request enters the audited part of its lifecycle. */
export interface AuditBegin {
  /** Route, e.g. `POST /v1/chat/completions`. */
  readonly action: string;
  /** OIDC subject (`sub`), or `anonymous` for unauthenticated requests. */
  readonly subject: string;
  readonly tenant?: string;
  /** Remote address of the client. */
  readonly sourceIp: string;
  /** Request id assigned by the server. */
  readonly requestId: string;
  /** `sha256:<hex>` of the request body. */
  readonly requestDigest: string;
  /** Full prompt text, only when the operator configured prompt capture. */
  readonly requestText?: string;
}

/** What is known when the request is done. */
export interface AuditOutcome {
  /** `success`, `denied`, `error`. */
  readonly outcome: 'success' | 'denied' | 'error';
  readonly status: number;
  readonly model?: string;
  readonly modelDigest?: string;
  /** Inference tier used, e.g. `upstream-0` or `local`. */
  readonly tier?: string;
  /** `sha256:<hex>` of the response body (or of the streamed text). */
  readonly responseDigest?: string;
  /** Reason of a denial or error (rule id, error code). */
  readonly reason?: string;
}

/** An audit record being built for one request. */
export interface AuditHandle {
  /** Record id, returned to the client as `x-sovra-audit-id`. */
  readonly id: string;
  /** When the request was received (RFC 3339, UTC). */
  readonly startedAt: string;
}

/** The append-only, hash-chained audit log. */
export interface AuditTrail {
  /** Opens a record in memory and assigns its id; nothing is written yet. */
  begin(entry: AuditBegin): AuditHandle;
  /**
   * Appends the finished record to the chain and resolves once it is durable
   * (group commit: concurrent calls share one flush).
   */
  commit(handle: AuditHandle, outcome: AuditOutcome): Promise<void>;
  /** Records waiting for their flush; exported as the `audit lag` metric. */
  readonly pending: number;
  /** Records durable in the audit journal that the database does not hold yet (0 without a journal). */
  readonly unapplied: number;
  /** Flushes, writes a final checkpoint and closes. */
  close(): Promise<void>;
}
