import { describe, expect, it } from 'vitest';
import { backtest, type BacktestLoan } from './backtest.js';
import { DEFAULT_POLICY } from './policy.js';

const jan = Date.UTC(2024, 0, 10);
const feb = Date.UTC(2024, 1, 10);
const loan = (at: number, probability: number, defaulted: boolean, amount = 400): BacktestLoan => ({ at, amount, probability, defaulted });

describe('backtest', () => {
  it('counts approvals, reductions, declines and bad rates per month and in total', () => {
    // Default policy: approve below 0.08, decline from 0.25, reduce in between.
    const loans = [loan(jan, 0.02, false), loan(jan, 0.05, true), loan(jan, 0.1, false), loan(jan, 0.3, true), loan(feb, 0.01, false), loan(feb, 0.5, false)];
    const r = backtest(loans, DEFAULT_POLICY);
    expect(r.rows.map((x) => x.period)).toEqual(['2024-01', '2024-02']);
    expect(r.rows[0]).toMatchObject({ loans: 4, approved: 2, reduced: 1, declined: 1, approvalRate: 0.75, badRate: 0.5, approvedBadRate: 1 / 3, declinedBadRate: 1 });
    expect(r.rows[1]).toMatchObject({ loans: 2, approved: 1, reduced: 0, declined: 1, approvedBadRate: 0, declinedBadRate: 0 });
    expect(r.total).toMatchObject({ loans: 6, approved: 3, reduced: 1, declined: 2, badRate: 2 / 6 });
    expect(r.total.meanProbability).toBeCloseTo((0.02 + 0.05 + 0.1 + 0.3 + 0.01 + 0.5) / 6, 12);
  });

  it('traces the trade-off from the lowest predicted risks up to approving everyone', () => {
    const loans = Array.from({ length: 200 }, (_, i) => loan(jan, i / 200, i >= 150));
    const { tradeoff } = backtest(loans, DEFAULT_POLICY);
    expect(tradeoff).toHaveLength(100);
    expect(tradeoff[74]).toEqual([0.75, 0]); // the 150 lowest risks are all good
    expect(tradeoff[99]).toEqual([1, 0.25]);
    for (let i = 1; i < tradeoff.length; i++) expect(tradeoff[i]![0]).toBeGreaterThan(tradeoff[i - 1]![0]);
  });
});
