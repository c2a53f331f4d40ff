import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import type { CreditEvent } from './schema.js';
import { allEvents, countEvents, EventBatch, insertEvents, openEventStore } from './store.js';

const T = Date.parse('2024-01-01T00:00:00Z');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Stores events and reads them back (sorted by id). */
async function roundTrip(events: CreditEvent[]): Promise<CreditEvent[]> {
  const db = await openEventStore(join(dir, 'data'));
  try {
    await insertEvents(db, events);
    return await allEvents(db);
  } finally {
    db.close();
  }
}

const byId = (a: CreditEvent, b: CreditEvent): number => (a.eventId < b.eventId ? -1 : 1);

describe('event store staging', () => {
  it('stores every double, integer and time exactly as given', async () => {
    const rng = new Rng(3);
    const awkward = [0, 0.1, 0.3, 1e-7, 5e-324, 123456.789, 1e21, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, 0.015, 99.995, -0.01, -1234.5, 4503599627370495.5];
    const events: CreditEvent[] = [];
    // (validated events never carry -0: validateEvent turns it into 0)
    awkward.forEach((v, i) => events.push({ eventId: `a${i}`, customerId: 'c', type: 'bank_txn', eventTime: T + i, ingestedAt: T + i, amount: v, balance: v === 0 ? 0 : -v }));
    for (let i = 0; i < 2000; i++) {
      const amount = rng.chance(0.5) ? Math.round(rng.uniform(-1e6, 1e6) * 100) / 100 : rng.uniform(-1e9, 1e9) * 10 ** rng.int(-12, 12);
      const eventTime = rng.int(0, 2 ** 31) * rng.int(1, 4_000_000) + rng.int(0, 999);
      events.push({ eventId: `r${i}`, customerId: 'c', type: 'bank_txn', eventTime, ingestedAt: eventTime + rng.int(0, 1e9), amount, balance: rng.uniform(-1, 1) });
    }
    events.push({ eventId: 'ints', customerId: 'c', type: 'repayment', eventTime: 0, ingestedAt: 9_999_999_999_999, loanId: 'l', installmentNo: 360, amount: 1, daysLate: 3650 });
    events.push({ eventId: 'zero-days', customerId: 'c', type: 'repayment', eventTime: 1, ingestedAt: 1, loanId: 'l', installmentNo: 1, amount: 0, daysLate: 0 });
    expect(await roundTrip(events)).toEqual([...events].sort(byId));
  });

  it('stores strings with quotes, commas, newlines and any character exactly', async () => {
    const texts = ['plain', 'a,b', 'say "hi"', '""', 'line\nbreak\r\n', 'café', '日本語', 'emoji 😀', ' lead', '\u0001ctl', 'x'.repeat(64)];
    const events: CreditEvent[] = texts.map((t, i) => ({
      eventId: `id ${t}`.slice(0, 128),
      customerId: `cust,${t}`,
      type: 'purchase',
      eventTime: T + i,
      ingestedAt: T + i,
      amount: i,
      merchantCategory: t,
      channel: 'online',
    }));
    expect(await roundTrip(events)).toEqual([...events].sort(byId));
  });

  it('keeps the first of repeated ids in a large batch, whatever their hashes', async () => {
    // Enough ids that 32-bit hashes collide (about n^2 / 2^33 pairs), each repeated later in the batch.
    const n = 300_000;
    const batch = new EventBatch();
    const event = (i: number, customerId: string): CreditEvent => ({ eventId: `E${i}`, customerId, type: 'application', eventTime: T, ingestedAt: T, amount: 1, channel: 'app', merchantCategory: 'm' });
    let added = 0;
    for (let i = 0; i < n; i++) if (batch.add(event(i, 'first'))) added++;
    let repeated = 0;
    for (let i = 0; i < n; i += 7) if (!batch.add(event(i, 'second'))) repeated++;
    expect([added, repeated]).toEqual([n, Math.ceil(n / 7)]);
    // Pairs of different ids with the same 32-bit FNV-1a hash: both are new, then both repeat.
    const colliding = ['id-29b4900f25e5', 'id-2b5e8f0aae68', 'id-d1a0eec77cb7', 'id-00278f7da1a6'];
    const add = (id: string): boolean => batch.add({ ...event(0, 'x'), eventId: id });
    expect(colliding.map(add)).toEqual([true, true, true, true]);
    expect(colliding.map(add)).toEqual([false, false, false, false]);
    expect(batch.size).toBe(n + 4);
  });

  it('two writers of one file in one process never store an event twice', async () => {
    const events: CreditEvent[] = Array.from({ length: 5000 }, (_, i) => ({ eventId: `e${i}`, customerId: `c${i % 50}`, type: 'bureau', eventTime: T + i, ingestedAt: T + i, openAccounts: 1, delinquencies: 0 }));
    const data = join(dir, 'data');
    const a = await openEventStore(data);
    const b = await openEventStore(data); // a second handle: its own connection to the same DuckDB instance
    try {
      const results = await Promise.all([insertEvents(a, events), insertEvents(b, events.slice(1000)), insertEvents(a, events.slice(2000, 3000))]);
      expect(results.reduce((s, r) => s + r.inserted, 0)).toBe(events.length);
      expect(await countEvents(a)).toBe(events.length);
    } finally {
      a.close();
      b.close();
    }
  });
});
