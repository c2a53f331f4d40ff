import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../credit/events/validate.js';
import { parseCsv } from '../../lib/csv.js';
import { isIriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { generateLendingWorld, type LendingWorldOptions } from './world.js';
import { CUSTOMER_COLUMNS, eventToJson, isoUtc, LOAN_COLUMNS, writeLendingWorld } from './write.js';

describe('writeLendingWorld', () => {
  it('streams the same sorted events as the in-memory world, with truth files and counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'irisk-synth-credit-'));
    try {
      const options: LendingWorldOptions = { customers: 120, months: 14, seed: 5, fraudRate: 0.05, shock: { at: Date.UTC(2023, 8, 1), severity: 0.5 } };
      const ticks: number[] = [];
      const res = await writeLendingWorld(dir, options, { start: (n) => ticks.push(-n), tick: () => ticks.push(1), stop: () => ticks.push(0) });
      expect(ticks[0]).toBe(-(120 + 14));
      expect(ticks.filter((t) => t === 1)).toHaveLength(120 + 14);
      expect(ticks.at(-1)).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['customers.csv', 'events.ndjson', 'loans.csv', 'world.json']);

      const mem = generateLendingWorld(options);
      const lines = (await readFile(res.eventsPath, 'utf8')).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toEqual(mem.events.map(eventToJson));

      // Lines parse back to the schema: camelCase keys, ISO times, every record valid.
      const first = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(Object.keys(first).slice(0, 5)).toEqual(['eventId', 'customerId', 'type', 'eventTime', 'ingestedAt']);
      expect(first.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      for (const [i, line] of lines.entries()) {
        const e = validateEvent(JSON.parse(line) as Record<string, unknown>, { now: mem.options.end + 30 * 86_400_000 });
        expect(e.eventTime).toBe(mem.events[i]!.eventTime);
        expect(e.ingestedAt).toBe(mem.events[i]!.ingestedAt);
      }

      const customers = parseCsv(await readFile(res.customersPath, 'utf8'));
      expect(customers.header).toEqual([...CUSTOMER_COLUMNS]);
      expect(customers.records.map((r) => r.customer_id)).toEqual(mem.customers.map((c) => c.customerId));
      expect(customers.records.filter((r) => r.fraud === '1')).toHaveLength(mem.customers.filter((c) => c.fraud).length);
      const loans = parseCsv(await readFile(res.loansPath, 'utf8'));
      expect(loans.header).toEqual([...LOAN_COLUMNS]);
      expect(loans.records.map((r) => r.loan_id)).toEqual(mem.loans.map((l) => l.loanId));
      expect(loans.records.map((r) => r.defaulted60 === '1')).toEqual(mem.loans.map((l) => l.defaulted60));
      expect(loans.records.map((r) => (r.default_time ? Date.parse(r.default_time) : null))).toEqual(mem.loans.map((l) => l.defaultTime));

      const meta = JSON.parse(await readFile(res.worldPath, 'utf8')) as { options: Record<string, unknown>; counts: typeof res.counts };
      expect(meta.counts).toEqual(res.counts);
      expect(meta.options).toMatchObject({ customers: 120, months: 14, seed: 5, fraudRate: 0.05, start: '2023-01-01T00:00:00.000Z', shock: { at: '2023-09-01T00:00:00.000Z', severity: 0.5 } });
      expect(res.counts.events).toBe(lines.length);
      expect(res.counts.loans).toBe(mem.loans.length);
      expect(Object.values(res.counts.eventsByType).reduce((a, b) => a + b, 0)).toBe(lines.length);
      expect(res.counts.fraudsters).toBe(mem.customers.filter((c) => c.fraud).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options before writing anything', async () => {
    await expect(writeLendingWorld('/nonexistent/irisk-credit', { customers: 0, months: 24, seed: 1 })).rejects.toSatisfy((e) => isIriskError(e, 'USAGE'));
  });
});

describe('isoUtc', () => {
  it('equals Date.toISOString', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng.uniform(0, Date.UTC(2200, 0, 1)));
      expect(isoUtc(t)).toBe(new Date(t).toISOString());
    }
    expect(isoUtc(1.5)).toBe(new Date(1.5).toISOString());
  });
});
