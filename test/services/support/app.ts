/** Starts the control plane app on 127.0.0.1 with real parts for tests. */
import type { AddressInfo } from 'node:net';
import { buildApp, type AppOptions, type SovraApp } from '../../../services/app.js';
import { openAuditTrail } from '../../../services/audit/index.js';
import type { AuditTrail } from '../../../services/audit/types.js';
import { openStorage } from '../../../services/storage/index.js';
import type { Storage } from '../../../services/storage/types.js';

/** A listening app and its parts. */
export interface TestApp {
  readonly app: SovraApp;
  readonly url: string;
  readonly storage: Storage;
  readonly audit: AuditTrail;
  /** The stored audit record with this id, parsed. */
  record(id: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

/** Opens in-memory PGlite storage and the real audit trail unless given, builds the app and listens. */
export async function startTestApp(options: Omit<AppOptions, 'audit'> & { audit?: AuditTrail; storage?: Storage }): Promise<TestApp> {
  const storage = options.storage ?? (await openStorage({}));
  const audit = options.audit ?? (await openAuditTrail(storage, {}));
  const app = await buildApp({ ...options, storage, audit });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    url,
    storage,
    audit,
    async record(id) {
      const r = await storage.query<{ body: string }>('SELECT body FROM audit_records WHERE id = $1', [id]);
      return r.rows[0] ? (JSON.parse(r.rows[0].body) as Record<string, unknown>) : undefined;
    },
    async close() {
      await app.close();
      if (!options.audit) await audit.close();
      if (!options.storage) await storage.close();
    },
  };
}
