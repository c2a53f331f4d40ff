import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS, EVENT_TYPES, type CreditEvent, type FieldKind } from '../../credit/events/schema.js';
import { isIriskError } from '../../lib/errors.js';
import { rocAuc } from '../../ml/evaluation/auc.js';
import { addMonthsUtc, DAY_MS } from '../../lib/time.js';
import { generateLendingWorld, resolveLendingWorld, simulateCustomer, type LendingWorld, type LoanTruth } from './world.js';

const BASE = { customers: 1500, months: 24, seed: 11 };
const world = generateLendingWorld(BASE);
const SHOCK_AT = Date.UTC(2023, 6, 1);
const shocked = generateLendingWorld({ ...BASE, shock: { at: SHOCK_AT, severity: 1 } });

function hashEvents(events: readonly CreditEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) h.update(JSON.stringify(e) + '\n');
  return h.digest('hex');
}

const rate = (loans: readonly LoanTruth[]): number => loans.filter((l) => l.defaulted60).length / loans.length;

/** A tiny check of one event against the schema's field specs; returns the problems. */
function schemaProblems(e: CreditEvent): string[] {
  const problems: string[] = [];
  const rec = e as unknown as Record<string, unknown>;
  const checkKind = (name: string, v: unknown, k: FieldKind): void => {
    if (k.kind === 'id') {
      if (typeof v !== 'string' || v.length === 0 || v.length > 128) problems.push(`${name} not an id`);
    } else if (k.kind === 'string') {
      if (typeof v !== 'string' || v.length > k.maxLength) problems.push(`${name} not a string <= ${k.maxLength}`);
    } else if (k.kind === 'enum') {
      if (typeof v !== 'string' || !k.values.includes(v)) problems.push(`${name} not in enum`);
    } else if (typeof v !== 'number' || !Number.isFinite(v) || (k.min !== undefined && v < k.min) || (k.max !== undefined && v > k.max) || (k.integer && !Number.isInteger(v))) {
      problems.push(`${name}=${String(v)} out of spec`);
    }
  };
  checkKind('eventId', e.eventId, { kind: 'id' });
  checkKind('customerId', e.customerId, { kind: 'id' });
  if (!EVENT_TYPES.includes(e.type)) return [...problems, `type ${String(e.type)}`];
  for (const t of ['eventTime', 'ingestedAt'] as const) checkKind(t, e[t], { kind: 'number', min: 0, integer: true });
  if (e.ingestedAt < e.eventTime) problems.push('ingestedAt before eventTime');
  const fields = EVENT_FIELDS[e.type];
  const allowed = new Set(['eventId', 'customerId', 'type', 'eventTime', 'ingestedAt', ...fields.map((f) => f.name)]);
  for (const key of Object.keys(rec)) if (!allowed.has(key)) problems.push(`extra field ${key}`);
  for (const f of fields) {
    const v = rec[f.name];
    if (v === undefined) {
      if (f.required) problems.push(`missing ${f.name}`);
    } else checkKind(f.name, v, f.type);
  }
  return problems;
}

/** Pre-origination history of each matured loan: late repayments in the last 90 days, minimum balance, last bureau score. */
function historyScores(w: LendingWorld, loans: readonly LoanTruth[]): { labels: number[]; scores: number[] } {
  const byCustomer = new Map<string, CreditEvent[]>();
  for (const e of w.events) {
    let a = byCustomer.get(e.customerId);
    if (!a) byCustomer.set(e.customerId, (a = []));
    a.push(e);
  }
  const labels: number[] = [];
  const scores: number[] = [];
  for (const l of loans) {
    let late = 0;
    let minBalance = Infinity;
    let bureauScore = 650;
    for (const e of byCustomer.get(l.customerId)!) {
      if (e.eventTime >= l.originatedAt) break;
      const recent = e.eventTime >= l.originatedAt - 90 * DAY_MS;
      if (e.type === 'repayment' && recent && e.daysLate > 0) late++;
      else if (e.type === 'bank_txn' && recent) minBalance = Math.min(minBalance, e.balance);
      else if (e.type === 'bureau') bureauScore = e.bureauScore ?? bureauScore;
    }
    labels.push(l.defaulted60 ? 1 : 0);
    scores.push(late + (minBalance < 0 ? 1 : 0) + (650 - bureauScore) / 60);
  }
  return { labels, scores };
}

describe('generateLendingWorld determinism', () => {
  it('gives identical events for the same seed and different events for another seed', () => {
    const a = generateLendingWorld({ customers: 200, months: 24, seed: 3 });
    const b = generateLendingWorld({ customers: 200, months: 24, seed: 3 });
    const c = generateLendingWorld({ customers: 200, months: 24, seed: 4 });
    expect(hashEvents(b.events)).toBe(hashEvents(a.events));
    expect(b.loans).toEqual(a.loans);
    expect(b.customers).toEqual(a.customers);
    expect(hashEvents(c.events)).not.toBe(hashEvents(a.events));
  });

  it('regenerates any customer alone, whatever the world size', () => {
    const w = resolveLendingWorld({ customers: 5000, months: 24, seed: 11 });
    const alone = simulateCustomer(w, 17);
    expect(alone.events).toEqual(world.events.filter((e) => e.customerId === 'C0000017'));
    expect(alone.loans).toEqual(world.loans.filter((l) => l.customerId === 'C0000017'));
  });
});

describe('events', () => {
  it('every event passes the schema field specs', () => {
    const bad: string[] = [];
    for (const e of world.events) {
      const p = schemaProblems(e);
      if (p.length) bad.push(`${e.eventId}: ${p.join('; ')}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('are sorted by event time then id, have unique ids and lie inside the world', () => {
    const ids = new Set<string>();
    let unsorted = 0;
    for (let i = 0; i < world.events.length; i++) {
      const e = world.events[i]!;
      ids.add(e.eventId);
      const p = world.events[i - 1];
      if (p && !(p.eventTime < e.eventTime || (p.eventTime === e.eventTime && p.eventId < e.eventId))) unsorted++;
    }
    expect(unsorted).toBe(0);
    expect(ids.size).toBe(world.events.length);
    expect(world.events[0]!.eventTime).toBeGreaterThanOrEqual(world.options.start);
    expect(world.events.at(-1)!.eventTime).toBeLessThan(world.options.end);
    expect(new Set(world.loans.map((l) => l.loanId)).size).toBe(world.loans.length);
  });

  it('has every type, a handful of bank transactions per customer-month, and some late arrivals', () => {
    const counts = new Map<string, number>();
    for (const e of world.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    for (const t of EVENT_TYPES) expect(counts.get(t) ?? 0).toBeGreaterThan(0);
    const customerMonths = world.customers.reduce((s, c) => s + (BASE.months - c.tenureStartMonth), 0);
    expect(counts.get('bank_txn')! / customerMonths).toBeGreaterThan(2);
    expect(counts.get('bank_txn')! / customerMonths).toBeLessThan(6);
    const late = world.events.filter((e) => e.ingestedAt - e.eventTime > 3 * DAY_MS).length;
    expect(late).toBeGreaterThan(0);
    expect(late / world.events.length).toBeLessThan(0.05);
  });
});


describe('what the world encodes', () => {
  const matured = world.loans.filter((l) => l.matured);
  const byCustomer = new Map(world.customers.map((c) => [c.customerId, c]));

  it('has a plausible default rate, higher for high latent risk', () => {
    expect(matured.length).toBeGreaterThan(500);
    expect(rate(matured)).toBeGreaterThan(0.03);
    expect(rate(matured)).toBeLessThan(0.15);
    const high = matured.filter((l) => byCustomer.get(l.customerId)!.latentRisk > 1 && !l.bustOut);
    const low = matured.filter((l) => byCustomer.get(l.customerId)!.latentRisk < 0 && !l.bustOut);
    expect(rate(high)).toBeGreaterThan(3 * rate(low));
  });

  it('defaults more on loans originated after a macro shock', () => {
    const until = addMonthsUtc(SHOCK_AT, 6);
    const window = (w: LendingWorld): LoanTruth[] => w.loans.filter((l) => l.originatedAt >= SHOCK_AT && l.originatedAt < until && !l.bustOut);
    expect(rate(window(shocked))).toBeGreaterThan(1.5 * rate(window(world)));
    // Before the shock the two worlds are the same.
    const before = (w: LendingWorld): CreditEvent[] => w.events.filter((e) => e.eventTime < SHOCK_AT - 31 * DAY_MS);
    expect(hashEvents(before(shocked).filter((e) => e.type === 'purchase'))).toBe(hashEvents(before(world).filter((e) => e.type === 'purchase')));
  });

  it('lets pre-origination history predict default', () => {
    const all = historyScores(world, matured);
    const auc = rocAuc(all.labels, all.scores);
    expect(auc).toBeGreaterThan(0.62);
    // Bust-out fraudsters look good on purpose; without them history predicts much better.
    const honest = historyScores(world, matured.filter((l) => !l.bustOut));
    expect(rocAuc(honest.labels, honest.scores)).toBeGreaterThan(0.72);
  });

  it('makes bust-out fraudsters default far more often than others', () => {
    const fraudsters = world.customers.filter((c) => c.fraud);
    expect(fraudsters.length).toBeGreaterThan(5);
    const fraudLoans = world.loans.filter((l) => byCustomer.get(l.customerId)!.fraud);
    const otherLoans = matured.filter((l) => !byCustomer.get(l.customerId)!.fraud);
    expect(fraudLoans.filter((l) => l.bustOut).length).toBeGreaterThanOrEqual(3 * fraudsters.length * 0.8);
    expect(rate(fraudLoans)).toBeGreaterThan(0.6);
    expect(rate(fraudLoans)).toBeGreaterThan(5 * rate(otherLoans));
    // The bust-out is several loans within days, after a quiet build-up.
    const f = fraudsters[0]!;
    const bust = world.loans.filter((l) => l.customerId === f.customerId && l.bustOut).map((l) => l.originatedAt);
    expect(bust.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...bust) - Math.min(...bust)).toBeLessThan(11 * DAY_MS);
  });
});

describe('option validation', () => {
  const bad: [string, object][] = [
    ['no customers', { customers: 0 }],
    ['fractional months', { months: 2.5 }],
    ['negative seed', { seed: -1 }],
    ['fraud rate above 0.5', { fraudRate: 0.7 }],
    ['negative severity', { shock: { at: SHOCK_AT, severity: -1 } }],
    ['bad start', { start: Number.NaN }],
  ];
  it.each(bad)('rejects %s with USAGE', (_, patch) => {
    let error: unknown;
    try {
      resolveLendingWorld({ ...BASE, ...patch });
    } catch (e) {
      error = e;
    }
    expect(isIriskError(error, 'USAGE')).toBe(true);
  });
});
