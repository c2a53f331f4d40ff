/**
 * The mappings irisk ships, by name, and `loadMapping` to get a validated mapping from a built-in
 * name or from a JSON file. `irisk credit mappings NAME` prints a built-in as JSON, the easiest
 * start for a mapping of one's own. See docs/credit-import.md.
 */
import { readFile } from 'node:fs/promises';
import { IriskError } from '../../lib/errors.js';
import { validateMapping, type ImportMapping } from './mapping.js';

/**
 * "Give Me Some Credit" (Kaggle, cs-training.csv): one row per borrower, an unnamed first column
 * (the row number, which is also the customer id here), the label SeriousDlqin2yrs (90 days past
 * due within two years). Each row becomes a bureau report a day before asOf and an application an
 * hour before. The past-due counts keep the file's sentinel values 96 and 98 (they mark unknown or
 * special cases in the source data; trees split them off on their own).
 */
export const GMSC_MAPPING = {
  kind: 'table',
  dataset: 'gmsc',
  description: 'Give Me Some Credit (Kaggle 2011): bureau attributes and an application per borrower; label SeriousDlqin2yrs',
  view: 'gmsc',
  asOf: '2011-01-01T00:00:00Z',
  format: { delimiter: ',' },
  id: 'row',
  label: { column: 'SeriousDlqin2yrs', positive: 1, negative: 0 },
  events: [
    {
      type: 'bureau',
      before: '1d',
      fields: {
        revolvingUtilization: 'RevolvingUtilizationOfUnsecuredLines',
        debtRatio: 'DebtRatio',
        pastDue30to59: 'NumberOfTime30-59DaysPastDueNotWorse',
        pastDue60to89: 'NumberOfTime60-89DaysPastDueNotWorse',
        pastDue90Plus: 'NumberOfTimes90DaysLate',
        openAccounts: 'NumberOfOpenCreditLinesAndLoans',
        realEstateLoans: 'NumberRealEstateLoansOrLines',
        delinquencies: { sum: ['NumberOfTime30-59DaysPastDueNotWorse', 'NumberOfTime60-89DaysPastDueNotWorse', 'NumberOfTimes90DaysLate'] },
      },
    },
    {
      type: 'application',
      before: '1h',
      fields: {
        age: 'age',
        income: 'MonthlyIncome',
        dependents: 'NumberOfDependents',
        amount: { const: 0 },
        channel: { const: 'online' },
        merchantCategory: { const: 'unknown' },
      },
    },
  ],
} as const;

const months = [1, 2, 3, 4, 5, 6];

/**
 * "Default of credit card clients" (UCI, Taiwan 2005): one row per card holder with the last six
 * months, most recent first (PAY_0 or PAY_1 = September 2005 ... PAY_6 = April 2005), and the label
 * `default payment next month` (October 2005). The credit limit becomes a loan, age an application,
 * each month an installment due (the bill) and a repayment (the amount paid, late by 30 days per
 * status step). SEX, EDUCATION and MARRIAGE are left out on purpose (protected or proxy attributes).
 */
export const MONTHLY_PANEL_MAPPING = {
  kind: 'panel',
  dataset: 'ccdefault',
  description: 'Default of credit card clients (UCI, Taiwan 2005): six months of status, bills and payments; label default payment next month',
  view: 'panel',
  asOf: '2005-10-01T00:00:00Z',
  format: { delimiter: 'auto' },
  id: { column: ['ID', 'CUST_ID', 'Unnamed: 0'], optional: true },
  label: {
    column: ['default payment next month', 'default_payment_next_month', 'default.payment.next.month', 'default', 'def_pay', 'DEFAULT_NEXT_MONTH', 'Y'],
    positive: [1, 'yes', 'true'],
    negative: [0, 'no', 'false'],
  },
  events: [
    {
      type: 'loan',
      before: '6mo',
      fields: {
        amount: ['LIMIT_BAL', 'LIMIT', 'CREDIT_LIMIT'],
        termMonths: { const: 6 },
        installments: { const: 6 },
        merchantCategory: { const: 'credit_card' },
      },
    },
    {
      type: 'application',
      before: '1h',
      fields: {
        age: { column: 'AGE', optional: true },
        amount: { const: 0 },
        channel: { const: 'online' },
        merchantCategory: { const: 'credit_card' },
      },
    },
  ],
  monthly: {
    status: months.map((k) => (k === 1 ? ['PAY_0', 'PAY_1', 'REPAY_STATUS_1'] : [`PAY_${k}`, `REPAY_STATUS_${k}`])),
    bill: months.map((k) => [`BILL_AMT${k}`, `BILL_AMT_${k}`]),
    paid: months.map((k) => [`PAY_AMT${k}`, `PAY_AMT_${k}`]),
    lateDaysPerStatus: 30,
    negativeBill: 'clamp',
    loan: 'loan',
    before: '1d',
  },
} as const;

/** Built-in mappings by the name `--mapping` accepts. */
export const BUILTIN_MAPPINGS: Readonly<Record<string, ImportMapping>> = Object.freeze({
  gmsc: validateMapping(GMSC_MAPPING, 'gmsc'),
  'monthly-panel': validateMapping(MONTHLY_PANEL_MAPPING, 'monthly-panel'),
});

/**
 * A validated mapping from a built-in name (`gmsc`, `monthly-panel`) or a path to a JSON file.
 * Throws CONFIG_INVALID for an unreadable file, malformed JSON or an invalid mapping.
 */
export async function loadMapping(nameOrPath: string): Promise<{ name: string; mapping: ImportMapping; builtin: boolean }> {
  if (Object.prototype.hasOwnProperty.call(BUILTIN_MAPPINGS, nameOrPath)) return { name: nameOrPath, mapping: BUILTIN_MAPPINGS[nameOrPath]!, builtin: true };
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new IriskError('CONFIG_INVALID', `mapping "${nameOrPath}" is neither a built-in mapping (${Object.keys(BUILTIN_MAPPINGS).join(', ')}) nor a readable JSON file: ${why}`, { mapping: nameOrPath });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IriskError('CONFIG_INVALID', `${nameOrPath}: not valid JSON: ${(e as Error).message}`, { mapping: nameOrPath });
  }
  return { name: nameOrPath, mapping: validateMapping(raw, nameOrPath), builtin: false };
}
