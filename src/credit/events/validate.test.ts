import { describe, expect, it } from 'vitest';
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { EVENT_FIELDS, EVENT_TYPES } from './schema.js';
import { validateEvent } from './validate.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const opts = { now: NOW };

const base = { eventId: 'e1', customerId: 'c1', eventTime: '2024-03-01T12:00:00Z' };
const samples: Record<string, Record<string, unknown>> = {
  application: { ...base, type: 'application', amount: 250, channel: 'online', merchantCategory: 'electronics', income: 3000 },
  loan: { ...base, type: 'loan', loanId: 'l1', amount: 250, termMonths: 6, installments: 6, merchantCategory: 'electronics' },
  installment_due: { ...base, type: 'installment_due', loanId: 'l1', installmentNo: 1, amount: 41.67 },
  repayment: { ...base, type: 'repayment', loanId: 'l1', installmentNo: 1, amount: 41.67, daysLate: 0 },
  purchase: { ...base, type: 'purchase', amount: 12.5, merchantCategory: 'grocery', channel: 'in_store' },
  bank_txn: { ...base, type: 'bank_txn', amount: -42.1, balance: 1234.5 },
  bureau: { ...base, type: 'bureau', bureauScore: 640, openAccounts: 3, delinquencies: 0, inquiries6m: 1, totalDebt: 5000 },
};

function reason(raw: Record<string, unknown>, o: { now: number; maxFutureMs?: number } = opts): string {
  try {
    validateEvent(raw, o);
  } catch (e) {
    expect(e).toBeInstanceOf(IriskError);
    expect((e as IriskError).code).toBe('EVENT_SCHEMA');
    return (e as IriskError).message;
  }
  throw new Error('expected EVENT_SCHEMA');
}

describe('validateEvent', () => {
  it('accepts a valid event of every type and parses its times', () => {
    for (const t of EVENT_TYPES) {
      const e = validateEvent(samples[t]!, opts);
      expect(e.type).toBe(t);
      expect(e.eventTime).toBe(Date.parse('2024-03-01T12:00:00Z'));
      expect(e.ingestedAt).toBe(NOW); // defaults to the ingestion clock
    }
  });

  it('coerces CSV text strictly: decimals only, empty cells absent', () => {
    const csv = { eventId: 'e1', customerId: 'c1', type: 'application', eventTime: '1709294400000', ingestedAt: '2024-03-01T13:00:00+01:00', amount: '12.50', channel: 'app', merchantCategory: 'travel', income: '' };
    const e = validateEvent(csv, opts);
    expect(e).toEqual({ eventId: 'e1', customerId: 'c1', type: 'application', eventTime: 1709294400000, ingestedAt: 1709294400000, amount: 12.5, channel: 'app', merchantCategory: 'travel' });
    for (const bad of ['1e3', '0x10', ' 12', '12 ', 'abc', 'Infinity', 'NaN', '1,5', '--1']) {
      expect(reason({ ...csv, amount: bad })).toMatch(/^amount must be a decimal number/);
    }
  });

  it('names a missing required field and its type', () => {
    for (const t of EVENT_TYPES) {
      for (const f of EVENT_FIELDS[t].filter((x) => x.required)) {
        const raw = { ...samples[t]! };
        delete raw[f.name];
        expect(reason(raw)).toBe(`missing field ${f.name} for type ${t}`);
      }
    }
    const { eventId: _, ...noId } = samples.purchase!;
    expect(reason(noId)).toBe('missing field eventId for type purchase');
    expect(reason({ ...samples.purchase!, eventTime: null })).toBe('missing field eventTime for type purchase');
    expect(reason({ ...samples.purchase!, type: undefined })).toMatch(/^missing field type/);
  });

  it('rejects wrong types', () => {
    expect(reason({ ...samples.purchase!, amount: true })).toMatch(/^amount must be a decimal number \(got true\)/);
    expect(reason({ ...samples.purchase!, channel: 'fax' })).toBe('channel must be one of online, in_store, app (got "fax")');
    expect(reason({ ...samples.purchase!, merchantCategory: 7 })).toBe('merchantCategory must be a string (got 7)');
    expect(reason({ ...samples.purchase!, customerId: 12 })).toBe('customerId must be a string id (got 12)');
    expect(reason({ ...samples.loan!, termMonths: '6.5' })).toBe('termMonths must be a whole number (got 6.5)');
    expect(reason({ ...samples.purchase!, eventTime: {} })).toMatch(/^eventTime must be an ISO 8601 time/);
    expect(reason({ ...samples.purchase!, type: 3 })).toBe('type must be a string (got 3)');
  });

  it('rejects an unknown event type', () => {
    expect(reason({ ...samples.purchase!, type: 'refund' })).toMatch(/^unknown event type "refund" \(expected one of application, loan/);
  });

  it('rejects negative amounts where impossible but not for bank transactions', () => {
    expect(reason({ ...samples.purchase!, amount: -1 })).toBe('amount must not be negative for a purchase event (got -1)');
    expect(reason({ ...samples.loan!, amount: '-250' })).toBe('amount must not be negative for a loan event (got -250)');
    expect(validateEvent({ ...samples.bank_txn!, amount: '-5', balance: '-20.5' }, opts)).toMatchObject({ amount: -5, balance: -20.5 });
    expect(reason({ ...samples.bureau!, bureauScore: 1001 })).toBe('bureauScore must be at most 1000 (got 1001)');
    expect(reason({ ...samples.loan!, installments: 0 })).toBe('installments must be at least 1 (got 0)');
  });

  it('rejects times far in the future, before 1970, without a zone or impossible', () => {
    expect(reason({ ...samples.purchase!, eventTime: '2024-06-03T00:00:00Z' })).toMatch(/^eventTime 2024-06-03T00:00:00.000Z is too far in the future/);
    expect(validateEvent({ ...samples.purchase!, eventTime: '2024-06-01T23:00:00Z' }, opts).eventTime).toBe(Date.parse('2024-06-01T23:00:00Z'));
    expect(reason({ ...samples.purchase!, eventTime: NOW + 10 }, { now: NOW, maxFutureMs: 0 })).toMatch(/too far in the future/);
    expect(reason({ ...samples.purchase!, ingestedAt: '2030-01-01T00:00:00Z' })).toMatch(/^ingestedAt .* too far in the future/);
    expect(reason({ ...samples.purchase!, eventTime: '1969-12-31T23:59:59Z' })).toMatch(/before 1970/);
    expect(reason({ ...samples.purchase!, eventTime: -1 })).toMatch(/before 1970/);
    expect(reason({ ...samples.purchase!, eventTime: '2024-03-01T12:00:00' })).toMatch(/add a zone/);
    expect(reason({ ...samples.purchase!, eventTime: '2024-02-30T12:00:00Z' })).toMatch(/not a valid date and time/);
    expect(reason({ ...samples.purchase!, eventTime: 1.5 })).toMatch(/whole epoch milliseconds/);
    expect(validateEvent({ ...samples.purchase!, eventTime: '2024-03-01T14:00:00.250+02:00' }, opts).eventTime).toBe(Date.parse('2024-03-01T12:00:00.250Z'));
  });

  it('reads ISO times exactly as Date.UTC does, over every valid date', () => {
    const rng = new Rng(99);
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const year = i % 10 === 0 ? rng.pick([1970, 2000, 2024, 2100, 2400, 9999]) : rng.int(1970, 2100);
      const month = rng.int(1, 12);
      const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const [day, h, m, sec, ms] = [rng.int(1, dim), rng.int(0, 23), rng.int(0, 59), rng.int(0, 59), rng.int(0, 999)];
      const offset = rng.chance(0.5) ? 'Z' : `${rng.chance(0.5) ? '+' : '-'}${pad(rng.int(0, 14), 2)}:${pad(rng.pick([0, 30, 45]), 2)}`;
      const iso = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(ms, 3)}${offset}`;
      const expected = Date.parse(iso);
      if (expected < 0) continue;
      const got = validateEvent({ ...samples.purchase!, eventTime: iso }, { now: 4e14 }).eventTime;
      if (got !== expected) throw new Error(`${iso}: ${got} != ${expected}`);
    }
  });

  it('rejects unknown fields and fields of another type', () => {
    expect(reason({ ...samples.purchase!, colour: 'red' })).toBe('unknown field "colour"');
    expect(reason({ ...samples.purchase!, balance: 5 })).toMatch(/^field balance does not belong to a purchase event/);
    // absent (null / empty) columns of other types are fine: CSV and Parquet carry every column
    expect(validateEvent({ ...samples.purchase!, balance: null, loanId: '' }, opts).type).toBe('purchase');
  });

  it('rejects blank and over-long ids and strings', () => {
    expect(reason({ ...samples.purchase!, eventId: '   ' })).toBe('eventId must not be blank');
    expect(reason({ ...samples.purchase!, customerId: 'x'.repeat(129) })).toBe('customerId is 129 characters long (at most 128)');
    expect(reason({ ...samples.purchase!, merchantCategory: 'm'.repeat(65) })).toBe('merchantCategory is 65 characters long (at most 64)');
  });

  it('fuzz: random mutations give a typed error or a valid event, never a crash', () => {
    const rng = new Rng(20240601);
    const junk: unknown[] = [null, undefined, '', ' ', '-1', '1e9', '12.5', 0, -0, 1.5, -3, 1e308, Infinity, NaN, true, [], {}, 'x'.repeat(200), '2024-03-01T12:00:00Z', '9999-12-31T23:59:59Z', 'online', 'loan', 123456789012345678901234567890n];
    const fields = ['eventId', 'customerId', 'type', 'eventTime', 'ingestedAt', 'amount', 'channel', 'merchantCategory', 'income', 'loanId', 'termMonths', 'installments', 'installmentNo', 'daysLate', 'balance', 'bureauScore', 'openAccounts', 'delinquencies', 'inquiries6m', 'totalDebt', 'extra', '__proto__'];
    let valid = 0;
    let rejected = 0;
    for (let i = 0; i < 5000; i++) {
      const raw: Record<string, unknown> = { ...samples[EVENT_TYPES[rng.int(0, EVENT_TYPES.length - 1)]!]! };
      const n = rng.int(1, 3);
      for (let k = 0; k < n; k++) {
        const f = fields[rng.int(0, fields.length - 1)]!;
        if (rng.chance(0.2)) delete raw[f];
        else if (rng.chance(0.5)) raw[f] = junk[rng.int(0, junk.length - 1)];
        else raw[f] = typeof raw[f] === 'string' ? (raw[f] as string).slice(0, rng.int(0, 30)) + String.fromCharCode(rng.int(0, 0xffff)) : rng.uniform(-1e6, 1e6);
      }
      try {
        const e = validateEvent(raw, opts);
        valid++;
        expect(EVENT_TYPES).toContain(e.type);
        expect(Number.isSafeInteger(e.eventTime) && e.eventTime >= 0 && e.eventTime <= NOW + 86_400_000).toBe(true);
        for (const f of EVENT_FIELDS[e.type]) if (f.required) expect((e as unknown as Record<string, unknown>)[f.name]).toBeDefined();
      } catch (err) {
        if (!(err instanceof IriskError) || err.code !== 'EVENT_SCHEMA') throw err;
        expect(err.message.length).toBeGreaterThan(5);
        rejected++;
      }
    }
    expect(valid).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
