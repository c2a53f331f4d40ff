import { describe, expect, it } from 'vitest';
import type { CreditEvent, RepaymentEvent, BankTxnEvent } from '../events/schema.js';
import { computeFeature, toHundredths } from './compute.js';
import { validateFeatureView, type FeatureDefinition } from './definitions.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
let seq = 0;
const repay = (day: number, daysLate: number, amount = 50): RepaymentEvent => ({
  eventId: `r${seq++}`, customerId: 'c1', type: 'repayment', eventTime: T0 + day * DAY, ingestedAt: T0 + day * DAY, loanId: 'l1', installmentNo: 1, amount, daysLate,
});
const bank = (day: number, balance: number): BankTxnEvent => ({
  eventId: `b${seq++}`, customerId: 'c1', type: 'bank_txn', eventTime: T0 + day * DAY, ingestedAt: T0 + day * DAY, amount: -10, balance,
});
const sorted = <T extends CreditEvent>(es: T[]): T[] => [...es].sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
const def = (over: Partial<FeatureDefinition> & Pick<FeatureDefinition, 'aggregation'>): FeatureDefinition => ({
  name: 'f', eventType: 'repayment', window: 30, description: 'test', ...over,
});

describe('feature computation at a point in time', () => {
  const events = sorted([repay(1, 0), repay(10, 5), repay(20, 40), repay(25, 61), repay(40, 0)]);

  it('counts only events strictly before the point and inside the window', () => {
    const count = def({ aggregation: { op: 'count' } });
    expect(computeFeature(count, events, T0 + 25 * DAY)).toBe(3); // day 25 itself is not before the point
    expect(computeFeature(count, events, T0 + 25 * DAY + 1)).toBe(4);
    expect(computeFeature(count, events, T0 + 31 * DAY)).toBe(4); // day 1 is exactly 30 days back: counted
    expect(computeFeature(count, events, T0 + 31 * DAY + 1)).toBe(3);
    expect(computeFeature({ ...count, window: null }, events, T0 + 100 * DAY)).toBe(5);
  });

  it('never sees a planted future event', () => {
    const late = def({ aggregation: { op: 'max', field: 'daysLate' }, window: null });
    const at = T0 + 30 * DAY;
    const before = computeFeature(late, events, at);
    const planted = sorted([...events, repay(30, 999), repay(35, 999)]);
    expect(computeFeature(late, planted, at)).toBe(before);
    expect(computeFeature(late, planted, at + 1)).toBe(999);
  });

  it('filters, streaks, recency, TTL and defaults', () => {
    const at = T0 + 41 * DAY;
    expect(computeFeature(def({ aggregation: { op: 'count' }, filter: [{ field: 'daysLate', op: '>=', value: 30 }] }), events, at)).toBe(2);
    expect(computeFeature(def({ aggregation: { op: 'streak', streakWhen: { field: 'daysLate', op: '>', value: 0 } }, window: null }), events, T0 + 26 * DAY)).toBe(3);
    expect(computeFeature(def({ aggregation: { op: 'streak', streakWhen: { field: 'daysLate', op: '>', value: 0 } }, window: null }), events, at)).toBe(0);
    expect(computeFeature(def({ aggregation: { op: 'daysSince' }, window: null }), events, at)).toBe(1);
    expect(computeFeature(def({ aggregation: { op: 'last', field: 'daysLate' }, window: null, ttlDays: 7 }), events, T0 + 50 * DAY)).toBeNull();
    expect(computeFeature(def({ aggregation: { op: 'mean', field: 'daysLate' } }), [], at)).toBeNull();
    expect(computeFeature(def({ aggregation: { op: 'count' } }), [], at)).toBe(0);
    expect(computeFeature(def({ aggregation: { op: 'mean', field: 'daysLate' }, defaultValue: -1 }), [], at)).toBe(-1);
  });

  it('sum, mean, std and slope agree with plain floating-point formulas', () => {
    const balances = sorted(Array.from({ length: 20 }, (_, i) => bank(i * 3, 1000 - 12.37 * i + (i % 3) * 0.01)));
    const at = T0 + 61 * DAY;
    const xs = balances.map((b) => (b.eventTime - at) / DAY);
    const ys = balances.map((b) => b.balance);
    const n = ys.length;
    const mean = ys.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - mean), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const f = (op: 'sum' | 'mean' | 'std' | 'slope') => computeFeature({ name: 'b', eventType: 'bank_txn', window: 90, description: 'd', aggregation: { op, field: 'balance' } }, balances, at)!;
    expect(f('sum')).toBeCloseTo(mean * n, 6);
    expect(f('mean')).toBeCloseTo(mean, 9);
    expect(f('std')).toBeCloseTo(std, 9);
    expect(f('slope')).toBeCloseTo(slope, 6);
    expect(slope).toBeLessThan(0);
  });

  it('rounds to hundredths half away from zero', () => {
    expect(toHundredths(1.005)).toBe(100n); // 1.005 * 100 is 100.49999999999999 in binary
    expect(toHundredths(-2.5)).toBe(-250n);
    expect(toHundredths(0.125)).toBe(13n);
    expect(toHundredths(-0.125)).toBe(-13n);
  });
});

describe('feature view validation', () => {
  const ok = { name: 'v', version: 1, entity: 'customer' as const, features: [def({ aggregation: { op: 'count' } })] };
  it('accepts a good view and refuses bad ones with CONFIG_INVALID', () => {
    expect(validateFeatureView(ok)).toBe(ok);
    const bad = [
      { ...ok, features: [def({ name: 'Bad Name', aggregation: { op: 'count' } })] },
      { ...ok, features: [def({ aggregation: { op: 'count' } }), def({ aggregation: { op: 'count' } })] },
      { ...ok, features: [def({ aggregation: { op: 'sum', field: 'nope' } })] },
      { ...ok, features: [def({ aggregation: { op: 'sum', field: 'loanId' } })] },
      { ...ok, features: [def({ aggregation: { op: 'count' }, window: 14 as never })] },
      { ...ok, features: [def({ aggregation: { op: 'count' }, filter: [{ field: 'daysLate', op: '>', value: 'x' }] })] },
    ];
    for (const v of bad) expect(() => validateFeatureView(v)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
