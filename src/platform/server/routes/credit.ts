/**
 * Credit over HTTP: `POST /v1/credit/decisions` (a customer and an amount: decision, probability,
 * limit, reasons; recorded in the decision log and audited) and `POST /v1/credit/events` (a batch
 * of events: validated one by one, stored idempotently by event id, and fed to the online store).
 */
import { z } from 'zod';
import { IriskError } from '../../../lib/errors.js';
import { validateEvent } from '../../../credit/events/validate.js';
import { insertEvents, openEventStore } from '../../../credit/events/store.js';
import type { CreditEvent } from '../../../credit/events/schema.js';
import { CreditDecider } from '../../../credit/underwriting/decider.js';
import type { RouteSpec } from '../app.js';
import type { AuditLog } from '../audit.js';

const decisionBody = z
  .object({
    customerId: z.string().min(1).max(128),
    amount: z.number().positive().max(1e9),
    /** The decision's point in time (ISO 8601); default now. */
    asOf: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const eventsBody = z.object({ events: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000) }).strict();

/** The credit routes; `decider` is null (with the reason) when no champion model is registered. */
export function creditRoutes(dataDir: string, decider: CreditDecider | { missing: IriskError }, audit: AuditLog): RouteSpec<z.ZodType>[] {
  const ready = (): CreditDecider => {
    if ('missing' in decider) throw new IriskError('STORE_UNAVAILABLE', `credit decisions are not served: ${decider.missing.message}`, { cause: decider.missing.code, locked: false });
    return decider;
  };
  return [
    {
      method: 'POST',
      url: '/v1/credit/decisions',
      summary: 'Decide a credit application: decision, probability, limit and reasons',
      roles: ['decide', 'admin'],
      body: decisionBody,
      handler: async ({ body, caller }) => {
        const b = body as z.infer<typeof decisionBody>;
        const record = ready().decide({ customerId: b.customerId, amount: b.amount, ...(b.asOf ? { asOf: Date.parse(b.asOf) } : {}) });
        audit.record({ action: 'credit.decide', caller: caller?.name ?? null, subject: b.customerId, outcome: record.decision, ref: record.decisionId });
        return {
          decisionId: record.decisionId,
          customerId: record.customerId,
          decision: record.decision,
          limit: record.limit,
          probability: record.probability,
          reasons: record.reasons,
          modelVersion: record.modelVersion,
          policyVersion: record.policy.version,
          asOf: new Date(record.asOf).toISOString(),
        };
      },
    },
    {
      method: 'POST',
      url: '/v1/credit/events',
      summary: 'Ingest a batch of credit events (idempotent by event id); rejected events are listed with their reasons',
      roles: ['decide', 'admin'],
      body: eventsBody,
      handler: async ({ body, reply }) => {
        const now = Date.now();
        const accepted: CreditEvent[] = [];
        const rejected: { index: number; reason: string }[] = [];
        (body as z.infer<typeof eventsBody>).events.forEach((raw, index) => {
          try {
            accepted.push(validateEvent(raw, { now }));
          } catch (e) {
            if (!(e instanceof IriskError)) throw e;
            rejected.push({ index, reason: e.message });
          }
        });
        const db = await openEventStore(dataDir);
        let stored;
        try {
          stored = accepted.length > 0 ? await insertEvents(db, accepted) : { inserted: 0, duplicates: 0 };
        } finally {
          db.close();
        }
        if (!('missing' in decider)) for (const e of accepted) decider.ingest(e);
        if (accepted.length === 0) void reply.status(422);
        return { ...stored, rejected };
      },
    },
  ];
}
