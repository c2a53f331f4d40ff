/**
 * Point-in-time correctness: an event at or after a point's time must not change any feature at
 * that point, offline (DuckDB) or online; the same event one millisecond earlier must.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../lib/duckdb.js';
import { DAY_MS } from '../../lib/time.js';
import { generateLendingWorld } from '../../synth/credit/index.js';
import type { CreditEvent } from '../events/schema.js';
import { ensureEventStore, insertEvents } from '../events/store.js';
import { computeOfflineFeatures, type FeaturePoint } from './offline.js';
import { OnlineFeatureStore } from './online.js';
import { UNDERWRITING_VIEW } from './views.js';

let dir: string;
let db: Database;
const world = generateLendingWorld({ customers: 60, months: 18, seed: 4 });
const customers = [...new Set(world.events.map((e) => e.customerId))].slice(0, 40);
const points: FeaturePoint[] = customers.map((customerId, i) => ({ customerId, at: world.options.start + (200 + 7 * i) * DAY_MS + 12_345 }));

/** Events with extreme values of every type a feature reads, for one customer at time `t`. */
function planted(customerId: string, t: number, tag: string): CreditEvent[] {
  const base = { customerId, eventTime: t, ingestedAt: t };
  return [
    { ...base, eventId: `plant-${tag}-r`, type: 'repayment', loanId: 'planted', installmentNo: 1, amount: 9999, daysLate: 900 },
    { ...base, eventId: `plant-${tag}-l`, type: 'loan', loanId: `planted-${tag}`, amount: 4999, termMonths: 3, installments: 3, merchantCategory: 'planted' },
    { ...base, eventId: `plant-${tag}-a`, type: 'application', amount: 4999, channel: 'app', merchantCategory: 'planted' },
    { ...base, eventId: `plant-${tag}-p`, type: 'purchase', amount: 8888, merchantCategory: 'planted', channel: 'online' },
    { ...base, eventId: `plant-${tag}-b`, type: 'bank_txn', amount: 77777, balance: -999_999 },
    { ...base, eventId: `plant-${tag}-u`, type: 'bureau', bureauScore: 1, openAccounts: 99, delinquencies: 99, inquiries6m: 99, totalDebt: 9_999_999 },
  ];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-leakage-'));
  db = await openDatabase(join(dir, 'irisk.duckdb'));
  await ensureEventStore(db);
  await insertEvents(db, world.events);
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('point-in-time correctness', () => {
  it('offline features do not see events at or after the point, and do see one just before', async () => {
    const before = await computeOfflineFeatures(db, UNDERWRITING_VIEW, points);
    const future = points.flatMap((p, i) => [...planted(p.customerId, p.at, `eq${i}`), ...planted(p.customerId, p.at + 1, `ms${i}`), ...planted(p.customerId, p.at + 30 * DAY_MS, `mo${i}`)]);
    await insertEvents(db, future);
    expect(await computeOfflineFeatures(db, UNDERWRITING_VIEW, points)).toEqual(before);
    // The control: the same events one millisecond before the point change the features of every point.
    await insertEvents(db, points.flatMap((p, i) => planted(p.customerId, p.at - 1, `past${i}`)));
    const after = await computeOfflineFeatures(db, UNDERWRITING_VIEW, points);
    after.forEach((row, i) => expect(row).not.toEqual(before[i]));
  });

  it('online features do not see events at or after the point either', () => {
    const store = new OnlineFeatureStore(UNDERWRITING_VIEW);
    for (const e of world.events) store.ingest(e);
    const before = points.map((p) => store.features(p.customerId, p.at));
    points.forEach((p, i) => [...planted(p.customerId, p.at, `eq${i}`), ...planted(p.customerId, p.at + 1, `ms${i}`)].forEach((e) => store.ingest(e)));
    expect(points.map((p) => store.features(p.customerId, p.at))).toEqual(before);
  });
});
