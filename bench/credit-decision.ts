/**
 * One in-process credit decision: online features of a customer, calibrated probability, TreeSHAP
 * reasons when adverse, and the record appended to the decision log. Budget: p99 <= 2 ms. The
 * baseline measured in the same run is scoring alone (one row through the compiled forest).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertEvents, openEventStore } from '../src/credit/events/store.js';
import { OnlineFeatureStore } from '../src/credit/features/online.js';
import { UNDERWRITING_VIEW } from '../src/credit/features/views.js';
import { decide, type DecisionContext } from '../src/credit/underwriting/decide.js';
import { openDecisionLog } from '../src/credit/underwriting/decision-log.js';
import { storedLoanPoints, trainOnStore } from '../src/credit/underwriting/pipeline.js';
import { Rng } from '../src/lib/rng.js';
import { xgboostScorer } from '../src/ml/models/scorer.js';
import { generateLendingWorld } from '../src/synth/credit/index.js';
import { percentile, report } from './report.js';

const CUSTOMERS = 6000;
const DECISIONS = 20_000;
const WARMUP = 2000;

/** Runs the decision benchmark and prints its JSON lines. */
export async function benchCreditDecision(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'irisk-bench-decision-'));
  try {
    process.stderr.write(`credit decision: world of ${CUSTOMERS} customers, training a model...\n`);
    const world = generateLendingWorld({ customers: CUSTOMERS, months: 24, seed: 5 });
    const db = await openEventStore(dir);
    await insertEvents(db, world.events);
    const trained = await trainOnStore(db, UNDERWRITING_VIEW, await storedLoanPoints(db), { seed: 1 });
    db.close();
    const store = new OnlineFeatureStore(UNDERWRITING_VIEW);
    for (const e of world.events) store.ingest(e);
    const scorer = xgboostScorer(trained.result.model, UNDERWRITING_VIEW.features.map((f) => f.name), trained.result.calibrator);
    // A policy strict enough that about half the decisions are adverse and need reasons.
    const policy = { version: 'bench', approveBelow: 0.03, declineAtOrAbove: 0.12, reduceFrom: 0.8, reduceTo: 0.3, maxAmount: 5000 };
    const ctx: DecisionContext = { store, scorer, policy, modelVersion: 'bench', modelAlias: null };
    const log = openDecisionLog(dir);
    const rng = new Rng(9);
    const customers = world.customers.map((c) => c.customerId);
    const asOf = world.options.end - 3_600_000;
    const decisionTimes: number[] = [];
    const scoreTimes: number[] = [];
    let adverse = 0;
    for (let i = 0; i < WARMUP + DECISIONS; i++) {
      const customerId = customers[rng.int(0, customers.length - 1)]!;
      // Alternate the two measurements so that machine noise hits both alike.
      const x = Float32Array.from(store.features(customerId, asOf), (v) => (v === null ? Number.NaN : v));
      const s0 = performance.now();
      scorer.predictRow(x);
      const s1 = performance.now();
      const record = decide(ctx, { customerId, amount: 600, asOf });
      log.append(record);
      const s2 = performance.now();
      if (i < WARMUP) continue;
      scoreTimes.push((s1 - s0) * 1000);
      decisionTimes.push((s2 - s1) * 1000);
      if (record.decision !== 'approve') adverse++;
    }
    log.close();
    const p99 = percentile(decisionTimes, 0.99);
    const scoreP99 = percentile(scoreTimes, 0.99);
    const events = store.size / store.customers;
    report({
      bench: 'credit',
      metric: 'decision_p99_us',
      value: p99,
      unit: 'us',
      baseline: 'scoring one row alone (p99)',
      baselineValue: scoreP99,
      ratio: p99 / scoreP99,
      budget: 2000,
      withinBudget: p99 <= 2000,
      note: `online features + calibrated probability + TreeSHAP reasons (${((100 * adverse) / DECISIONS).toFixed(0)}% adverse) + decision-log append; ${DECISIONS} decisions over ${customers.length} customers (${events.toFixed(0)} stored events each), p50 ${percentile(decisionTimes, 0.5).toFixed(0)} us`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
