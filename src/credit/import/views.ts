/**
 * Feature views for imported datasets. `GMSC_VIEW` reads back the snapshot attributes of a bureau
 * report and an application (the latest of each); `PANEL_VIEW` summarises a monthly repayment
 * history (late repayments in 30/90/365-day windows, lateness, streak, bills and payments) and the
 * credit limit. Descriptions are customer-facing statements used in decline reasons.
 */
import { validateFeatureView, type FeatureDefinition, type FeatureView } from '../features/definitions.js';

const latest = (name: string, eventType: 'bureau' | 'application' | 'loan', field: string, description: string, adverseReason: string): FeatureDefinition => ({
  name,
  eventType,
  window: null,
  aggregation: { op: 'last', field },
  description,
  adverseReason,
});

/** Snapshot attributes of a credit bureau report and an application ("Give Me Some Credit" layout). */
export const GMSC_VIEW: FeatureView = validateFeatureView({
  name: 'gmsc',
  version: 1,
  entity: 'customer',
  features: [
    latest('revolving_utilization', 'bureau', 'revolvingUtilization', 'balances on credit cards and personal lines of credit relative to their limits, reported by the credit bureau', 'High use of available revolving credit'),
    latest('debt_ratio', 'bureau', 'debtRatio', 'monthly debt payments and living costs relative to monthly income', 'Debt payments too high relative to income'),
    latest('past_due_30_59', 'bureau', 'pastDue30to59', 'times 30 to 59 days past due in the last two years reported by the credit bureau', 'Payments 30 to 59 days late on credit bureau record'),
    latest('past_due_60_89', 'bureau', 'pastDue60to89', 'times 60 to 89 days past due in the last two years reported by the credit bureau', 'Payments 60 to 89 days late on credit bureau record'),
    latest('past_due_90_plus', 'bureau', 'pastDue90Plus', 'times 90 or more days past due reported by the credit bureau', 'Payments 90 or more days late on credit bureau record'),
    latest('delinquencies', 'bureau', 'delinquencies', 'late payments of 30 days or more, all severities, reported by the credit bureau', 'Delinquent past or present credit obligations'),
    latest('open_credit_lines', 'bureau', 'openAccounts', 'open loans and lines of credit', 'Number of open credit accounts'),
    latest('real_estate_loans', 'bureau', 'realEstateLoans', 'mortgages and real estate loans or lines of credit', 'Number of real estate loans or lines of credit'),
    latest('age', 'application', 'age', 'age of the applicant in years', 'Length of credit history and age of the applicant'),
    latest('monthly_income', 'application', 'income', 'declared monthly income (lower is worse)', 'Income insufficient for the amount of credit requested'),
    latest('dependents', 'application', 'dependents', 'number of dependants declared', 'Number of dependants relative to income'),
  ],
});

const late = [{ field: 'daysLate', op: '>=' as const, value: 1 }];
const late60 = [{ field: 'daysLate', op: '>=' as const, value: 60 }];

/** A monthly repayment history: installments (bills), repayments (payments, lateness) and the credit limit. */
export const PANEL_VIEW: FeatureView = validateFeatureView({
  name: 'panel',
  version: 1,
  entity: 'customer',
  features: [
    // Lateness
    { name: 'late_repayments_30d', eventType: 'repayment', window: 30, filter: late, aggregation: { op: 'count' }, description: 'late payments in the last month' , adverseReason: 'Late payment in the last month' },
    { name: 'late_repayments_90d', eventType: 'repayment', window: 90, filter: late, aggregation: { op: 'count' }, description: 'late payments in the last 3 months' , adverseReason: 'Late payments in the last 3 months' },
    { name: 'late_repayments_365d', eventType: 'repayment', window: 365, filter: late, aggregation: { op: 'count' }, description: 'late payments in the last year' , adverseReason: 'Late payments in the last year' },
    { name: 'serious_late_repayments_365d', eventType: 'repayment', window: 365, filter: late60, aggregation: { op: 'count' }, description: 'payments 60 or more days late in the last year' , adverseReason: 'Serious delinquency (60 or more days late) in the last year' },
    { name: 'days_late_last', eventType: 'repayment', window: 90, aggregation: { op: 'last', field: 'daysLate' }, description: 'days the most recent payment was late' , adverseReason: 'Most recent payment was late' },
    { name: 'max_days_late_90d', eventType: 'repayment', window: 90, aggregation: { op: 'max', field: 'daysLate' }, description: 'the most days a payment was late in the last 3 months' , adverseReason: 'Seriously late payment in the last 3 months' },
    { name: 'max_days_late_365d', eventType: 'repayment', window: 365, aggregation: { op: 'max', field: 'daysLate' }, description: 'the most days a payment was late in the last year' , adverseReason: 'Seriously late payment in the last year' },
    { name: 'mean_days_late_365d', eventType: 'repayment', window: 365, aggregation: { op: 'mean', field: 'daysLate' }, description: 'average lateness of payments in the last year' , adverseReason: 'Payments late on average over the last year' },
    { name: 'late_streak', eventType: 'repayment', window: 365, aggregation: { op: 'streak', streakWhen: { field: 'daysLate', op: '>', value: 0 } }, description: 'consecutive late payments up to now' , adverseReason: 'Consecutive late payments up to now' },
    { name: 'days_late_trend_365d', eventType: 'repayment', window: 365, aggregation: { op: 'slope', field: 'daysLate' }, description: 'growth of payment lateness over the last year, per day' , adverseReason: 'Payments becoming later over the last year' },
    // Bills
    { name: 'bill_last', eventType: 'installment_due', window: 90, aggregation: { op: 'last', field: 'amount' }, description: 'amount of the latest statement' , adverseReason: 'Balance owed on the latest statement' },
    { name: 'bill_sum_90d', eventType: 'installment_due', window: 90, aggregation: { op: 'sum', field: 'amount' }, description: 'amount billed in the last 3 months' , adverseReason: 'Amount billed in the last 3 months' },
    { name: 'bill_sum_365d', eventType: 'installment_due', window: 365, aggregation: { op: 'sum', field: 'amount' }, description: 'amount billed in the last year' , adverseReason: 'Amount billed in the last year' },
    { name: 'bill_max_365d', eventType: 'installment_due', window: 365, aggregation: { op: 'max', field: 'amount' }, description: 'the largest statement in the last year' , adverseReason: 'Large statement balance in the last year' },
    { name: 'zero_bills_365d', eventType: 'installment_due', window: 365, filter: [{ field: 'amount', op: '<=', value: 0 }], aggregation: { op: 'count' }, description: 'months without a balance to pay in the last year' , adverseReason: 'Pattern of account use' },
    { name: 'bill_trend_365d', eventType: 'installment_due', window: 365, aggregation: { op: 'slope', field: 'amount' }, description: 'growth of the statement amount over the last year, per day' , adverseReason: 'Balances growing over the last year' },
    // Payments
    { name: 'paid_last', eventType: 'repayment', window: 90, aggregation: { op: 'last', field: 'amount' }, description: 'amount of the latest payment (lower is worse)' , adverseReason: 'Latest payment too small' },
    { name: 'paid_sum_90d', eventType: 'repayment', window: 90, aggregation: { op: 'sum', field: 'amount' }, description: 'amount paid in the last 3 months (lower is worse)' , adverseReason: 'Too little paid in the last 3 months' },
    { name: 'paid_sum_365d', eventType: 'repayment', window: 365, aggregation: { op: 'sum', field: 'amount' }, description: 'amount paid in the last year (lower is worse)' , adverseReason: 'Too little paid in the last year' },
    { name: 'paid_min_365d', eventType: 'repayment', window: 365, aggregation: { op: 'min', field: 'amount' }, description: 'the smallest payment in the last year (lower is worse)' , adverseReason: 'A very small payment in the last year' },
    { name: 'paid_std_365d', eventType: 'repayment', window: 365, aggregation: { op: 'std', field: 'amount' }, description: 'how much payment amounts vary' , adverseReason: 'Irregular payment amounts' },
    { name: 'zero_payments_365d', eventType: 'repayment', window: 365, filter: [{ field: 'amount', op: '<=', value: 0 }], aggregation: { op: 'count' }, description: 'months without any payment in the last year' , adverseReason: 'Months without a payment in the last year' },
    // Limit and applicant
    { name: 'credit_limit', eventType: 'loan', window: null, aggregation: { op: 'last', field: 'amount' }, description: 'credit limit granted (lower is worse)' , adverseReason: 'Credit limit granted' },
    { name: 'age', eventType: 'application', window: null, aggregation: { op: 'last', field: 'age' }, description: 'age of the applicant in years' , adverseReason: 'Length of credit history and age of the applicant' },
  ],
});
