/**
 * The underwriting label: did a loan reach `dpd` days past due within `horizonMonths` of
 * origination? An installment due inside the horizon is delinquent at due + dpd days if its
 * repayment came at least dpd days late, or had not come by then. The loan defaulted when that
 * moment falls inside the horizon. A loan whose horizon has not ended by `observedUntil` has no
 * label yet (null) unless it has already defaulted.
 */
import type { CreditEvent, LoanEvent } from '../events/schema.js';

const DAY_MS = 86_400_000;

export interface LabelRule {
  /** Days past due that count as default (default 60). */
  dpd: number;
  /** Months after origination in which a default counts (default 12). */
  horizonMonths: number;
}

export const DEFAULT_LABEL_RULE: LabelRule = Object.freeze({ dpd: 60, horizonMonths: 12 });

/** One loan and its outcome. */
export interface LoanOutcome {
  loanId: string;
  customerId: string;
  originatedAt: number;
  amount: number;
  /** true / false once observable; null while the horizon is still open and no default has happened. */
  defaulted: boolean | null;
  /** When the loan first reached `dpd` days past due, if it did within the horizon. */
  defaultAt: number | null;
}

/** The same instant `months` calendar months later (UTC; day clamped to the month's length). */
export function addMonthsUtc(t: number, months: number): number {
  const d = new Date(t);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

/**
 * Outcomes of every loan in `events` (any customers, any order), as known at `observedUntil`
 * (only events with event time <= observedUntil are used).
 */
export function loanOutcomes(events: Iterable<CreditEvent>, observedUntil: number, rule: LabelRule = DEFAULT_LABEL_RULE): LoanOutcome[] {
  const loans = new Map<string, LoanEvent>();
  const dues = new Map<string, { installmentNo: number; at: number }[]>();
  const paid = new Map<string, number>(); // `${loanId}#${installmentNo}` -> earliest repayment time
  const lateness = new Map<string, number>(); // same key -> days late of that repayment
  for (const e of events) {
    if (e.eventTime > observedUntil) continue;
    if (e.type === 'loan') loans.set(e.loanId, e);
    else if (e.type === 'installment_due') (dues.get(e.loanId) ?? dues.set(e.loanId, []).get(e.loanId)!).push({ installmentNo: e.installmentNo, at: e.eventTime });
    else if (e.type === 'repayment') {
      const key = `${e.loanId}#${e.installmentNo}`;
      if (!paid.has(key) || e.eventTime < paid.get(key)!) {
        paid.set(key, e.eventTime);
        lateness.set(key, e.daysLate);
      }
    }
  }
  const out: LoanOutcome[] = [];
  for (const loan of loans.values()) {
    const end = addMonthsUtc(loan.eventTime, rule.horizonMonths);
    let defaultAt: number | null = null;
    for (const due of dues.get(loan.loanId) ?? []) {
      if (due.at < loan.eventTime || due.at > end) continue;
      const key = `${loan.loanId}#${due.installmentNo}`;
      const delinquentAt = due.at + rule.dpd * DAY_MS;
      const paidAt = paid.get(key);
      const late = paidAt === undefined ? delinquentAt <= observedUntil : lateness.get(key)! >= rule.dpd;
      if (late && delinquentAt <= end && (defaultAt === null || delinquentAt < defaultAt)) defaultAt = delinquentAt;
    }
    const defaulted = defaultAt !== null ? true : end <= observedUntil ? false : null;
    out.push({ loanId: loan.loanId, customerId: loan.customerId, originatedAt: loan.eventTime, amount: loan.amount, defaulted, defaultAt });
  }
  return out.sort((a, b) => a.originatedAt - b.originatedAt || (a.loanId < b.loanId ? -1 : 1));
}
