/**
 * The underwriting feature view: what a buy-now-pay-later lender knows about a customer at the
 * moment of a decision. Every feature carries a sentence used in reason codes.
 */
import type { FeatureDefinition, FeatureView } from './definitions.js';
import { validateFeatureView } from './definitions.js';

const late = (days: number) => [{ field: 'daysLate', op: '>=' as const, value: days }];

const FEATURES: FeatureDefinition[] = [
  // Repayment behaviour
  { name: 'repayments_90d', eventType: 'repayment', window: 90, aggregation: { op: 'count' }, description: 'number of repayments in the last 90 days' , adverseReason: 'Few recent repayments on record' },
  { name: 'late_repayments_30d', eventType: 'repayment', window: 30, filter: late(1), aggregation: { op: 'count' }, description: 'late repayments in the last 30 days' , adverseReason: 'Late repayments in the last 30 days' },
  { name: 'late_repayments_365d', eventType: 'repayment', window: 365, filter: late(1), aggregation: { op: 'count' }, description: 'late repayments in the last year' , adverseReason: 'Late repayments in the last year' },
  { name: 'max_days_late_365d', eventType: 'repayment', window: 365, aggregation: { op: 'max', field: 'daysLate' }, description: 'the most days a repayment was late in the last year' , adverseReason: 'A repayment was seriously late in the last year' },
  { name: 'mean_days_late_90d', eventType: 'repayment', window: 90, aggregation: { op: 'mean', field: 'daysLate' }, description: 'average lateness of repayments in the last 90 days' , adverseReason: 'Recent repayments were late on average' },
  { name: 'late_streak', eventType: 'repayment', window: null, aggregation: { op: 'streak', streakWhen: { field: 'daysLate', op: '>', value: 0 } }, description: 'consecutive late repayments up to now' , adverseReason: 'Your most recent repayments were late' },
  { name: 'days_since_late_repayment', eventType: 'repayment', window: null, filter: late(1), aggregation: { op: 'daysSince' }, description: 'days since the last late repayment (fewer is worse)' , adverseReason: 'A late repayment happened recently' },
  // Borrowing
  { name: 'loans_30d', eventType: 'loan', window: 30, aggregation: { op: 'count' }, description: 'loans taken in the last 30 days' , adverseReason: 'Several loans taken in the last 30 days' },
  { name: 'loans_365d', eventType: 'loan', window: 365, aggregation: { op: 'count' }, description: 'loans taken in the last year' , adverseReason: 'Many loans taken in the last year' },
  { name: 'loan_amount_90d', eventType: 'loan', window: 90, aggregation: { op: 'sum', field: 'amount' }, description: 'amount borrowed in the last 90 days' , adverseReason: 'Large amount borrowed in the last 90 days' },
  { name: 'loans_lifetime', eventType: 'loan', window: null, aggregation: { op: 'count' }, description: 'loans taken since joining' , adverseReason: 'Number of loans taken with us' },
  { name: 'loan_gap_days', eventType: 'loan', window: null, aggregation: { op: 'meanGapDays' }, description: 'average days between loans (shorter is worse)' , adverseReason: 'Loans taken in quick succession' },
  { name: 'applications_7d', eventType: 'application', window: 7, aggregation: { op: 'count' }, description: 'credit applications in the last 7 days' , adverseReason: 'Several credit applications in the last 7 days' },
  // Spending
  { name: 'purchase_amount_30d', eventType: 'purchase', window: 30, aggregation: { op: 'sum', field: 'amount' }, description: 'spending in the last 30 days' , adverseReason: 'High spending in the last 30 days' },
  { name: 'purchase_categories_90d', eventType: 'purchase', window: 90, aggregation: { op: 'distinct', field: 'merchantCategory' }, description: 'distinct kinds of merchants in the last 90 days' , adverseReason: 'Spending pattern across merchants' },
  { name: 'purchase_amount_std_90d', eventType: 'purchase', window: 90, aggregation: { op: 'std', field: 'amount' }, description: 'how much purchase amounts vary' , adverseReason: 'Irregular purchase amounts' },
  // Bank account
  { name: 'balance_last', eventType: 'bank_txn', window: 90, aggregation: { op: 'last', field: 'balance' }, ttlDays: 45, description: 'current bank balance (lower is worse)' , adverseReason: 'Bank balance too low' },
  { name: 'balance_min_30d', eventType: 'bank_txn', window: 30, aggregation: { op: 'min', field: 'balance' }, description: 'lowest bank balance in the last 30 days (lower is worse)' , adverseReason: 'Bank balance fell low in the last 30 days' },
  { name: 'balance_trend_90d', eventType: 'bank_txn', window: 90, aggregation: { op: 'slope', field: 'balance' }, description: 'trend of the bank balance over 90 days, per day (falling is worse)' , adverseReason: 'Bank balance falling over the last 90 days' },
  { name: 'inflow_90d', eventType: 'bank_txn', window: 90, filter: [{ field: 'amount', op: '>', value: 0 }], aggregation: { op: 'sum', field: 'amount' }, description: 'money received in the last 90 days (less is worse)' , adverseReason: 'Insufficient income received in the last 90 days' },
  { name: 'bank_txn_gap_days', eventType: 'bank_txn', window: 90, aggregation: { op: 'meanGapDays' }, description: 'average days between bank transactions' , adverseReason: 'Irregular bank account activity' },
  // Bureau
  { name: 'bureau_score', eventType: 'bureau', window: null, aggregation: { op: 'last', field: 'bureauScore' }, ttlDays: 200, description: 'credit bureau score (lower is worse)' , adverseReason: 'Credit bureau score too low' },
  { name: 'bureau_delinquencies', eventType: 'bureau', window: null, aggregation: { op: 'last', field: 'delinquencies' }, ttlDays: 200, description: 'delinquencies reported by the credit bureau' , adverseReason: 'Delinquencies reported by the credit bureau' },
  { name: 'bureau_inquiries_6m', eventType: 'bureau', window: null, aggregation: { op: 'last', field: 'inquiries6m' }, ttlDays: 200, description: 'credit inquiries reported in the last 6 months' , adverseReason: 'Many recent credit inquiries reported by the credit bureau' },
  { name: 'bureau_total_debt', eventType: 'bureau', window: null, aggregation: { op: 'last', field: 'totalDebt' }, ttlDays: 200, description: 'total debt reported by the credit bureau' , adverseReason: 'High total debt reported by the credit bureau' },
  { name: 'days_since_bureau', eventType: 'bureau', window: null, aggregation: { op: 'daysSince' }, description: 'age of the latest bureau report' , adverseReason: 'Credit bureau information is out of date' },
];

/** The default underwriting view (version 1). */
export const UNDERWRITING_VIEW: FeatureView = validateFeatureView({ name: 'underwriting', version: 1, entity: 'customer', features: FEATURES });
