/**
 * The loan outcome rule, computed from events alone so that the generator's truth and the credit
 * labels agree by construction: a loan defaults when some installment is repaid `dpd` or more days
 * late, or is still unpaid `dpd` days after it fell due, and that moment (due + dpd days) falls
 * within `horizonMonths` calendar months of origination and no later than `asOf`.
 */
import type { CreditEvent } from '../../credit/events/schema.js';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/**
 * Adds calendar months to an epoch-ms time in UTC, clamping the day to the target month's length
 * (Jan 31 + 1 month = Feb 28/29), keeping the time of day.
 */
export function addMonthsUtc(t: number, months: number): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Parameters of the outcome rule. */
export interface LoanOutcomeRule {
  /** Days past due that count as default (60). */
  dpd: number;
  /** Months after origination within which the default must happen (12). */
  horizonMonths: number;
  /** Observation cut-off (epoch ms): unpaid installments count only once due + dpd <= asOf. Default: the latest event time. */
  asOf?: number;
}

/** The outcome of one loan under the rule. */
export interface LoanOutcome {
  loanId: string;
  customerId: string;
  originatedAt: number;
  defaulted: boolean;
  /** When the loan reached `dpd` days past due (epoch ms), or null. */
  defaultTime: number | null;
  /** True when the whole horizon lies before `asOf`, so a non-default is final. */
  matured: boolean;
}

/**
 * Applies the outcome rule to a set of events (any order): one outcome per `loan` event, keyed by
 * loanId, in order of origination.
 */
export function loanOutcomes(events: Iterable<CreditEvent>, rule: LoanOutcomeRule): Map<string, LoanOutcome> {
  const { dpd, horizonMonths } = rule;
  const loans: { loanId: string; customerId: string; t: number }[] = [];
  const dues = new Map<string, Map<number, number>>();
  const paid = new Map<string, Map<number, number>>();
  let latest = -Infinity;
  for (const e of events) {
    if (e.eventTime > latest) latest = e.eventTime;
    if (e.type === 'loan') loans.push({ loanId: e.loanId, customerId: e.customerId, t: e.eventTime });
    else if (e.type === 'installment_due') {
      let m = dues.get(e.loanId);
      if (!m) dues.set(e.loanId, (m = new Map()));
      m.set(e.installmentNo, e.eventTime);
    } else if (e.type === 'repayment') {
      let m = paid.get(e.loanId);
      if (!m) paid.set(e.loanId, (m = new Map()));
      const prev = m.get(e.installmentNo);
      // Several part-payments: the installment counts as repaid at its latest one.
      m.set(e.installmentNo, prev === undefined ? e.daysLate : Math.max(prev, e.daysLate));
    }
  }
  const asOf = rule.asOf ?? latest;
  loans.sort((a, b) => a.t - b.t || (a.loanId < b.loanId ? -1 : a.loanId > b.loanId ? 1 : 0));
  const out = new Map<string, LoanOutcome>();
  for (const loan of loans) {
    const horizonEnd = addMonthsUtc(loan.t, horizonMonths);
    let defaultTime: number | null = null;
    const d = dues.get(loan.loanId);
    const p = paid.get(loan.loanId);
    if (d) {
      for (const [no, due] of d) {
        const at = due + dpd * DAY_MS;
        if (at > horizonEnd) continue;
        const late = p?.get(no);
        const hit = late === undefined ? at <= asOf : late >= dpd;
        if (hit && (defaultTime === null || at < defaultTime)) defaultTime = at;
      }
    }
    out.set(loan.loanId, {
      loanId: loan.loanId,
      customerId: loan.customerId,
      originatedAt: loan.t,
      defaulted: defaultTime !== null,
      defaultTime,
      matured: horizonEnd <= asOf,
    });
  }
  return out;
}
