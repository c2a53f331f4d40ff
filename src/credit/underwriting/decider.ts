/**
 * A ready-to-decide credit engine for one data directory: a registered model (by reference,
 * default the champion of `credit-default`), the feature view it was trained on, an online feature
 * store filled from the event store (all customers, or the ones named), the policy, and the
 * decision log every decision is appended to before it is returned.
 */
import { sqlString } from '../../lib/duckdb.js';
import { viewOfModel } from '../catalog.js';
import { openEventStore, rowToEvent } from '../events/store.js';
import type { CreditEvent } from '../events/schema.js';
import { OnlineFeatureStore } from '../features/online.js';
import type { Scorer } from '../../ml/models/scorer.js';
import { openRegistry, type ModelVersion } from '../../ml/registry/index.js';
import type { FeatureView } from '../features/definitions.js';
import { loadScorer } from '../../ml/registry/load-scorer.js';
import { decide, type DecisionContext, type DecisionRecord } from './decide.js';
import { openDecisionLog, type DecisionLog } from './decision-log.js';
import { CREDIT_MODEL_LINE } from './pipeline.js';
import { DEFAULT_POLICY, type CreditPolicy } from './policy.js';

export interface DeciderOptions {
  /** Model reference: id, id prefix, LINE@ALIAS (default `credit-default@champion`). */
  model?: string;
  policy?: CreditPolicy;
  /** Load only these customers' events (default: every customer). */
  customers?: readonly string[];
  /** Append decisions to the data directory's log (default true). */
  record?: boolean;
  /** fsync the log after every decision (default false). */
  durable?: boolean;
}

/** A registered credit model ready to score: the reference used, the version, its scorer and its feature view. */
export interface CreditModel {
  ref: string;
  version: ModelVersion;
  scorer: Scorer;
  view: FeatureView;
}

/** Loads a credit model by reference (default `credit-default@champion`) with the view it was trained on. */
export async function loadCreditModel(dataDir: string, model?: string): Promise<CreditModel> {
  const ref = model ?? `${CREDIT_MODEL_LINE}@champion`;
  const registry = await openRegistry(dataDir);
  try {
    const { version, scorer } = await loadScorer(registry, ref);
    return { ref, version, scorer, view: viewOfModel(version.metadata.params) };
  } finally {
    registry.close();
  }
}

export class CreditDecider {
  private constructor(
    readonly context: DecisionContext,
    private readonly log: DecisionLog | null,
  ) {}

  /** Loads the model, the view and the events; see `DeciderOptions`. */
  static async open(dataDir: string, opts: DeciderOptions = {}): Promise<CreditDecider> {
    const { ref, version, scorer, view } = await loadCreditModel(dataDir, opts.model);
    const store = new OnlineFeatureStore(view);
    for (const e of await storedEvents(dataDir, [...new Set(view.features.map((f) => f.eventType))], opts.customers)) store.ingest(e);
    const context: DecisionContext = {
      store,
      scorer,
      policy: opts.policy ?? DEFAULT_POLICY,
      modelVersion: version.id,
      modelAlias: ref.includes('@') ? ref : null,
    };
    return new CreditDecider(context, opts.record === false ? null : openDecisionLog(dataDir, { durable: opts.durable }));
  }

  /** Adds an arriving event to the online store (false when already there or unused by the view). */
  ingest(event: CreditEvent): boolean {
    return this.context.store.ingest(event);
  }

  /** Decides, records and returns the decision. */
  decide(input: { customerId: string; amount: number; asOf?: number; now?: Date }): DecisionRecord {
    const record = decide(this.context, input);
    this.log?.append(record);
    return record;
  }

  /** Where decisions are recorded (null when not recording). */
  get logPath(): string | null {
    return this.log?.path ?? null;
  }

  close(): void {
    this.log?.close();
  }
}

/** Stored events of the given types (and customers), in event-time order. */
async function storedEvents(dataDir: string, types: readonly string[], customers?: readonly string[]): Promise<CreditEvent[]> {
  const db = await openEventStore(dataDir);
  try {
    const where = [`type IN (${types.map(sqlString).join(', ')})`];
    if (customers !== undefined) where.push(customers.length === 0 ? 'false' : `customer_id IN (${customers.map(sqlString).join(', ')})`);
    return (await db.all(`SELECT * FROM credit_events WHERE ${where.join(' AND ')} ORDER BY event_time, event_id`)).map(rowToEvent);
  } finally {
    db.close();
  }
}
