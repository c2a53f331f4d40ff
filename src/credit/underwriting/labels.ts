/**
 * The underwriting label: did a loan reach `dpd` days past due within `horizonMonths` of
 * origination? An installment due inside the horizon is delinquent at due + dpd days if its
 * repayment came at least dpd days late, or had not come by then. The loan defaulted when that
 * moment falls inside the horizon. A loan whose horizon has not ended by `observedUntil` has no
 * label yet (null) unless it has already defaulted.
 */
import { addMonthsUtc, DAY_MS } from '../../lib/time.js';
import type { CreditEvent, LoanEvent } from '../events/schema.js';


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
  /** True when the whole horizon lies before the observation time: either outcome could have been seen. */
  matured: boolean;
}

/**
 * Outcomes of every loan in `events` (any customers, any order), as known at `observedUntil`
 * (only events with event time <= observedUntil are used).
 */
export function loanOutcomes(events: Iterable<CreditEvent>, observedUntil: number, rule: LabelRule = DEFAULT_LABEL_RULE): LoanOutcome[] {
  const loans = new Map<string, LoanEvent>();
  const dues = new Map<string, { installmentNo: number; at: number }[]>();
  const lateness = new Map<string, number>(); // `${loanId}#${installmentNo}` -> days late of its repayment
  for (const e of events) {
    if (e.eventTime > observedUntil) continue;
    if (e.type === 'loan') loans.set(e.loanId, e);
    else if (e.type === 'installment_due') (dues.get(e.loanId) ?? dues.set(e.loanId, []).get(e.loanId)!).push({ installmentNo: e.installmentNo, at: e.eventTime });
    else if (e.type === 'repayment') {
      // Paid in parts: the installment is repaid with its latest part.
      const key = `${e.loanId}#${e.installmentNo}`;
      lateness.set(key, Math.max(lateness.get(key) ?? 0, e.daysLate));
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
      const daysLate = lateness.get(key);
      const late = daysLate === undefined ? delinquentAt <= observedUntil : daysLate >= rule.dpd;
      if (late && delinquentAt <= end && (defaultAt === null || delinquentAt < defaultAt)) defaultAt = delinquentAt;
    }
    const defaulted = defaultAt !== null ? true : end <= observedUntil ? false : null;
    out.push({ loanId: loan.loanId, customerId: loan.customerId, originatedAt: loan.eventTime, amount: loan.amount, defaulted, defaultAt, matured: end <= observedUntil });
  }
  return out.sort((a, b) => a.originatedAt - b.originatedAt || (a.loanId < b.loanId ? -1 : 1));
}
