/**
 * The underwriting path end to end on a seeded synthetic lending world: events in the store ->
 * labels of matured loans -> point-in-time features -> XGBoost, calibrated, tested out of time ->
 * registered -> decisions from the online store, recorded and replayed exactly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLendingWorld, type LendingWorld } from '../../synth/credit/index.js';
import { openRegistry } from '../../ml/registry/index.js';
import type { CreditEvent } from '../events/schema.js';
import { insertEvents, openEventStore } from '../events/store.js';
import { OnlineFeatureStore } from '../features/online.js';
import { UNDERWRITING_VIEW } from '../features/views.js';
import type { Database } from '../../lib/duckdb.js';
import { CreditDecider } from './decider.js';
import { replayDecision, replayFeatures } from './decide.js';
import { readDecisions } from './decision-log.js';
import { registerUnderwriting, storedLoanPoints, trainOnStore, type TrainedUnderwriting } from './pipeline.js';

let dir: string;
let db: Database;
let world: LendingWorld;
let trained: TrainedUnderwriting;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-underwriting-'));
  world = generateLendingWorld({ customers: 4000, months: 24, seed: 21 });
  db = await openEventStore(dir);
  await insertEvents(db, world.events);
  trained = await trainOnStore(db, UNDERWRITING_VIEW, await storedLoanPoints(db), { seed: 1 });
}, 120_000);

afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('underwriting on a seeded lending world', () => {
  it('labels exactly the matured loans, with the generator\'s outcomes', () => {
    const matured = world.loans.filter((l) => l.matured);
    expect(trained.set.rows).toBe(matured.length);
    const truth = new Map(matured.map((l) => [l.loanId, l.defaulted60 ? 1 : 0]));
    for (const p of trained.set.points) expect(p.label).toBe(truth.get(p.id));
  });

  it('ranks and calibrates out of time', () => {
    const r = trained.result;
    expect(r.split.kind).toBe('out-of-time');
    // Every test loan originated at or after the cutoff, every training loan before it.
    const times = trained.set.points.map((p) => p.at);
    expect(Math.min(...r.testRows.map((i) => times[i]!))).toBeGreaterThanOrEqual(r.split.cutoff!);
    expect(r.counts.train + r.counts.holdout + r.counts.test).toBe(trained.set.rows);
    expect(r.test.auc).toBeGreaterThan(0.72);
    expect(r.test.aucCi[0]).toBeLessThan(r.test.auc);
    expect(r.test.calibration.ece).toBeLessThan(0.035);
  });

  it('serves the features it was trained on: online values at origination equal the training rows', () => {
    const store = new OnlineFeatureStore(UNDERWRITING_VIEW);
    for (const e of world.events) store.ingest(e);
    const { set } = trained;
    for (let r = 0; r < set.rows; r += 7) {
      const online = store.features(set.points[r]!.customerId, set.points[r]!.at);
      online.forEach((v, j) => {
        const offline = set.values[r * set.cols + j]!;
        // Training rows are float32 (NaN = missing), as the model sees them online too.
        expect(Number.isNaN(offline) ? null : offline).toBe(v === null ? null : Math.fround(v));
      });
    }
  });

  it('decides from the registered model, records every decision and replays it exactly', async () => {
    const registry = await openRegistry(dir);
    const version = await registerUnderwriting(registry, trained);
    await registry.promote(version, 'champion', { reason: 'test' });
    registry.close();
    const customers = world.customers.slice(0, 300).map((c) => c.customerId);
    const policy = { version: 'test-policy', approveBelow: 0.05, declineAtOrAbove: 0.15, reduceFrom: 0.8, reduceTo: 0.3, maxAmount: 5000 };
    const decider = await CreditDecider.open(dir, { policy, customers });
    const asOf = world.options.end - 86_400_000;
    const records = customers.map((customerId) => decider.decide({ customerId, amount: 800, asOf }));
    decider.close();
    const kinds = new Set(records.map((r) => r.decision));
    expect(kinds).toEqual(new Set(['approve', 'reduce', 'decline']));
    for (const r of records) {
      expect(r.modelVersion).toBe(version);
      expect(r.modelAlias).toBe('credit-default@champion');
      if (r.decision === 'approve') expect(r.reasons).toEqual([]);
      else {
        expect(r.reasons.length).toBeGreaterThan(0);
        expect(r.reasons.length).toBeLessThanOrEqual(4);
        expect(r.reasons.every((x) => x.contribution > 0)).toBe(true);
      }
    }
    const logged = await readDecisions(dir);
    expect(logged.skipped).toEqual([]);
    expect(logged.records.map((r) => r.decisionId)).toEqual(records.map((r) => r.decisionId));
    const scorer = decider.context.scorer;
    const byCustomer = new Map<string, CreditEvent[]>();
    for (const e of world.events) (byCustomer.get(e.customerId) ?? byCustomer.set(e.customerId, []).get(e.customerId)!).push(e);
    for (const r of logged.records) {
      expect(replayDecision(r, UNDERWRITING_VIEW, scorer)).toEqual([]);
      expect(replayFeatures(r, UNDERWRITING_VIEW, byCustomer.get(r.customerId) ?? [])).toEqual([]);
    }
    // Replay notices a changed input.
    const tampered = { ...logged.records[0]!, features: logged.records[0]!.features.map((f, j) => (j === 0 ? { ...f, value: (f.value ?? 0) + 5 } : f)) };
    expect(replayFeatures(tampered, UNDERWRITING_VIEW, byCustomer.get(tampered.customerId) ?? [])).toHaveLength(1);
  });
});
