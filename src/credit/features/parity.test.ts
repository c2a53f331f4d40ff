/**
 * Offline (DuckDB SQL) and online (TypeScript) feature values must be equal, not close, at random
 * (customer, time) points over random event histories, for every aggregation of the view.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../lib/duckdb.js';
import { Rng } from '../../lib/rng.js';
import type { CreditEvent } from '../events/schema.js';
import { ensureEventStore, insertEvents } from '../events/store.js';
import { computeFeatures } from './compute.js';
import { computeOfflineFeatures, type FeaturePoint } from './offline.js';
import { OnlineFeatureStore } from './online.js';
import { UNDERWRITING_VIEW } from './views.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);

/** Random histories with every event type, ties in time, negative amounts and awkward decimals. */
function randomEvents(customers: number, seed: number): CreditEvent[] {
  const rng = new Rng(seed);
  const out: CreditEvent[] = [];
  let id = 0;
  const cats = ['grocery', 'fashion', 'electronics', 'travel'];
  const money = () => Math.round(rng.uniform(0, 500) * 1000) / 1000; // three decimals: rounding to cents matters
  for (let c = 0; c < customers; c++) {
    const customerId = `c${c}`;
    const n = rng.int(0, 60);
    let t = T0 + rng.int(0, 200) * DAY;
    for (let k = 0; k < n; k++) {
      t += rng.chance(0.1) ? 0 : rng.int(0, 20 * DAY); // some events share a timestamp
      const base = { eventId: `e${String(id++).padStart(7, '0')}`, customerId, eventTime: t, ingestedAt: t };
      const type = rng.pick(['application', 'loan', 'repayment', 'purchase', 'bank_txn', 'bank_txn', 'bureau', 'installment_due'] as const);
      switch (type) {
        case 'application': out.push({ ...base, type, amount: money(), channel: rng.pick(['online', 'app'] as const), merchantCategory: rng.pick(cats) }); break;
        case 'loan': out.push({ ...base, type, loanId: `l${id}`, amount: money(), termMonths: 3, installments: 3, merchantCategory: rng.pick(cats) }); break;
        case 'installment_due': out.push({ ...base, type, loanId: `l${id}`, installmentNo: 1, amount: money() }); break;
        case 'repayment': out.push({ ...base, type, loanId: `l${id}`, installmentNo: 1, amount: money(), daysLate: rng.chance(0.6) ? 0 : rng.int(1, 90) }); break;
        case 'purchase': out.push({ ...base, type, amount: money(), merchantCategory: rng.pick(cats), channel: rng.pick(['online', 'in_store'] as const) }); break;
        case 'bank_txn': {
          // A few customers hold fortunes: their sums leave the float64-exact range (the BigInt path).
          const scale = c % 50 === 0 ? 1e9 : 1;
          out.push({ ...base, type, amount: money() - 250, balance: Math.round(rng.uniform(-2000, 8000) * scale * 1000) / 1000 });
          break;
        }
        case 'bureau': {
          // Bureaus differ: optional attributes are sometimes absent, and features must skip those events alike.
          const score = rng.chance(0.8) ? { bureauScore: rng.int(300, 850) + 0.5 * rng.int(0, 1) } : {};
          const debt = rng.chance(0.8) ? { totalDebt: money() * 40, inquiries6m: rng.int(0, 6) } : {};
          out.push({ ...base, type, ...score, ...debt, openAccounts: rng.int(0, 9), delinquencies: rng.int(0, 3) });
          break;
        }
      }
    }
  }
  return out.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
}

let dir: string;
let db: Database;
const events = randomEvents(400, 7);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-parity-'));
  db = await openDatabase(join(dir, 'irisk.duckdb'));
  await ensureEventStore(db);
  expect((await insertEvents(db, events)).inserted).toBe(events.length);
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('offline (DuckDB) and online (TypeScript) features agree exactly', () => {
  it('on 5,000 random points, including points on event timestamps and customers without events', async () => {
    const rng = new Rng(11);
    const byCustomer = new Map<string, CreditEvent[]>();
    for (const e of events) (byCustomer.get(e.customerId) ?? byCustomer.set(e.customerId, []).get(e.customerId)!).push(e);
    const points: FeaturePoint[] = Array.from({ length: 5000 }, () => {
      const customerId = `c${rng.int(0, 420)}`; // a few customers have no events at all
      const own = byCustomer.get(customerId) ?? [];
      const at = own.length > 0 && rng.chance(0.3) ? rng.pick(own).eventTime : T0 + rng.int(0, 900) * DAY + rng.int(0, DAY);
      return { customerId, at };
    });
    const offline = await computeOfflineFeatures(db, UNDERWRITING_VIEW, points);
    // The online store receives the events in a shuffled arrival order (late arrivals), some twice.
    const store = new OnlineFeatureStore(UNDERWRITING_VIEW);
    const arrival = [...events, ...events.slice(0, 300)];
    for (let i = arrival.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [arrival[i], arrival[j]] = [arrival[j]!, arrival[i]!];
    }
    for (const e of arrival) store.ingest(e);
    const used = new Set(UNDERWRITING_VIEW.features.map((f) => f.eventType));
    expect(store.size).toBe(events.filter((e) => used.has(e.type)).length); // duplicates and unread types dropped
    const mismatches: string[] = [];
    points.forEach((p, i) => {
      const online = store.features(p.customerId, p.at);
      const reference = computeFeatures(UNDERWRITING_VIEW.features, byCustomer.get(p.customerId) ?? [], p.at);
      expect(online).toEqual(reference);
      online.forEach((v, j) => {
        if (!Object.is(v, offline[i]![j]) && !(v === 0 && offline[i]![j] === 0)) {
          mismatches.push(`${UNDERWRITING_VIEW.features[j]!.name} at point ${i}: online ${v}, offline ${offline[i]![j]}`);
        }
      });
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The view is exercised: most features take non-missing, non-zero values somewhere.
    const informative = UNDERWRITING_VIEW.features.filter((_, j) => offline.some((r) => r[j] !== null && r[j] !== 0)).length;
    expect(informative).toBe(UNDERWRITING_VIEW.features.length);
  });
});
