/**
 * `irisk serve`: opens what the routes need (the credit decider when a champion is registered, the
 * model registry, the audit log), builds the server, and closes everything on `close()`.
 */
import type { FastifyInstance } from 'fastify';
import { IriskError, isIriskError } from '../../lib/errors.js';
import { CreditDecider } from '../../credit/underwriting/decider.js';
import { openRegistry } from '../../ml/registry/registry.js';
import { buildServer } from './app.js';
import { AuditLog } from './audit.js';
import type { ServeConfig } from './config.js';
import { creditRoutes } from './routes/credit.js';
import { modelRoutes } from './routes/models.js';
import { identityRoutes } from './routes/identity.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { registerDashboard } from '../web/routes.js';
import { Gallery } from '../../identity/gallery/gallery.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../identity/iris/config.js';
import { DEFAULT_PAD_MODEL_REF, loadPadDetector, type PadDetector } from '../../identity/pad/detector.js';

/** A built service: its fastify app (inject or listen) and how to stop it. */
export interface Service {
  readonly app: FastifyInstance;
  /** What is not served and why (e.g. no champion credit model). */
  readonly unavailable: string[];
  close(): Promise<void>;
}

/** Builds the service over `config.dataDir` (does not listen). */
export async function createService(config: ServeConfig): Promise<Service> {
  const { app, route } = buildServer(config);
  const audit = new AuditLog(config.dataDir);
  const registry = await openRegistry(config.dataDir);
  const unavailable: string[] = [];
  let decider: CreditDecider | { missing: IriskError };
  try {
    decider = await CreditDecider.open(config.dataDir);
  } catch (e) {
    if (!isIriskError(e)) throw e;
    decider = { missing: e };
    unavailable.push(`credit decisions: ${e.message}`);
  }
  const gallery = await Gallery.open(config.dataDir);
  let pad: PadDetector | { missing: IriskError };
  try {
    pad = await loadPadDetector(registry, DEFAULT_PAD_MODEL_REF);
  } catch (e) {
    if (!isIriskError(e)) throw e;
    pad = { missing: e };
    unavailable.push(`enrolment from images (templates are accepted): ${e.message}`);
  }
  const identity = identityRoutes({ gallery, pipeline: DEFAULT_PIPELINE_CONFIG, pad }, audit);
  for (const r of [...creditRoutes(config.dataDir, decider, audit), ...identity, ...modelRoutes(registry), ...monitoringRoutes(config.dataDir)]) route(r);
  registerDashboard(app, { dataDir: config.dataDir, gallery, registry });
  await app.ready();
  return {
    app,
    unavailable,
    close: async () => {
      await app.close();
      if (!('missing' in decider)) decider.close();
      await gallery.close();
      registry.close();
      await audit.close();
    },
  };
}
