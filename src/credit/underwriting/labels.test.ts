import { describe, expect, it } from 'vitest';
import type { CreditEvent } from '../events/schema.js';
import { addMonthsUtc } from '../../lib/time.js';
import { generateLendingWorld } from '../../synth/credit/index.js';
import { loanOutcomes } from './labels.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 31);
let n = 0;
const base = (day: number) => ({ eventId: `e${n++}`, customerId: 'c', eventTime: T0 + day * DAY, ingestedAt: T0 + day * DAY });
const loan = (id: string, day = 0): CreditEvent => ({ ...base(day), type: 'loan', loanId: id, amount: 300, termMonths: 3, installments: 3, merchantCategory: 'x' });
const due = (id: string, k: number, day: number): CreditEvent => ({ ...base(day), type: 'installment_due', loanId: id, installmentNo: k, amount: 100 });
const repay = (id: string, k: number, day: number, daysLate: number): CreditEvent => ({ ...base(day), type: 'repayment', loanId: id, installmentNo: k, amount: 100, daysLate });

describe('loan outcomes (60+ days past due within 12 months)', () => {
  const end = T0 + 800 * DAY;
  it('on time, late but under 60, 60+ late, never paid, and outside the horizon', () => {
    const events: CreditEvent[] = [
      loan('ok'), due('ok', 1, 30), repay('ok', 1, 30, 0),
      loan('late59'), due('late59', 1, 30), repay('late59', 1, 89, 59),
      loan('late60'), due('late60', 1, 30), repay('late60', 1, 90, 60),
      loan('unpaid'), due('unpaid', 1, 30),
      loan('afterHorizon'), due('afterHorizon', 1, 340), // delinquent at day 400, after the 12 months
    ];
    const byId = Object.fromEntries(loanOutcomes(events, end).map((o) => [o.loanId, o]));
    expect(byId.ok!.defaulted).toBe(false);
    expect(byId.late59!.defaulted).toBe(false);
    expect(byId.late60!.defaulted).toBe(true);
    expect(byId.late60!.defaultAt).toBe(T0 + 90 * DAY);
    expect(byId.unpaid!.defaulted).toBe(true);
    expect(byId.afterHorizon!.defaulted).toBe(false);
  });
  it('is unknown until observable, and ignores events after the observation time', () => {
    const events: CreditEvent[] = [loan('a'), due('a', 1, 30), repay('a', 1, 30, 0), loan('b'), due('b', 1, 30)];
    const early = Object.fromEntries(loanOutcomes(events, T0 + 60 * DAY).map((o) => [o.loanId, o.defaulted]));
    expect(early).toEqual({ a: null, b: null }); // b is only 30 days past due at day 60
    const later = Object.fromEntries(loanOutcomes(events, T0 + 100 * DAY).map((o) => [o.loanId, o.defaulted]));
    expect(later).toEqual({ a: null, b: true });
  });
  it('adds calendar months with the day clamped', () => {
    expect(new Date(addMonthsUtc(Date.UTC(2024, 0, 31), 1)).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(new Date(addMonthsUtc(Date.UTC(2024, 0, 31), 12)).toISOString()).toBe('2025-01-31T00:00:00.000Z');
  });
});

describe('labels from events agree with the synthetic world\'s truth', () => {
  it('on every loan of a seeded world, with and without a macro shock', () => {
    for (const shock of [undefined, { at: Date.UTC(2023, 6, 1), severity: 1 }]) {
      const world = generateLendingWorld({ customers: 800, months: 24, seed: 5, shock });
      const outcomes = new Map(loanOutcomes(world.events, world.options.end).map((o) => [o.loanId, o]));
      expect(outcomes.size).toBe(world.loans.length);
      let defaults = 0;
      for (const truth of world.loans) {
        const o = outcomes.get(truth.loanId)!;
        // Known outcome: a default observed, or a matured horizon without one.
        const expected = truth.defaulted60 ? true : truth.matured ? false : null;
        expect({ id: truth.loanId, defaulted: o.defaulted, at: o.defaultAt, matured: o.matured }).toEqual({ id: truth.loanId, defaulted: expected, at: truth.defaultTime, matured: truth.matured });
        if (truth.defaulted60) defaults++;
      }
      expect(defaults).toBeGreaterThan(20);
    }
  });
});
