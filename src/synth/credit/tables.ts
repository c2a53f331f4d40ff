/**
 * Seeded synthetic tables in the layouts of two public credit datasets, for tests of the import
 * mappings (never the real files): a "Give Me Some Credit"-like table (bureau attributes, income,
 * age; an unnamed row-id first column; NA cells; the 96/98 sentinels in the past-due counts) and a
 * "default of credit card clients"-like wide monthly panel (status, bill and payment per month,
 * most recent first; some negative bills). In both the label is drawn from a known probability
 * that rises with the history (past-due counts; recent and repeated late statuses), so a model
 * trained through the import must find that relation. Same seed, same table.
 */
import { csvField } from '../../lib/csv.js';
import { Rng } from '../../lib/rng.js';

/** A table as text cells, with the label's true probability per row. */
export interface SyntheticTable {
  readonly header: readonly string[];
  /** Cells as they would be written; missing cells are `NA` (GMSC) or never (panel). */
  readonly rows: readonly (readonly string[])[];
  readonly labels: Uint8Array;
  readonly probability: Float64Array;
}

/** Column names of the GMSC layout, in file order (the first is the unnamed row id). */
export const GMSC_COLUMNS = [
  '',
  'SeriousDlqin2yrs',
  'RevolvingUtilizationOfUnsecuredLines',
  'age',
  'NumberOfTime30-59DaysPastDueNotWorse',
  'DebtRatio',
  'MonthlyIncome',
  'NumberOfOpenCreditLinesAndLoans',
  'NumberOfTimes90DaysLate',
  'NumberRealEstateLoansOrLines',
  'NumberOfTime60-89DaysPastDueNotWorse',
  'NumberOfDependents',
] as const;

/** Options of `gmscLikeTable`. */
export interface GmscLikeOptions {
  rows: number;
  seed: number;
  /** Share of rows with MonthlyIncome NA (default 0.2; their DebtRatio is then a debt amount, as in the real data). */
  missingIncomeRate?: number;
  /** Share of rows with NumberOfDependents NA (default 0.03). */
  missingDependentsRate?: number;
  /** Share of rows whose three past-due counts are the sentinel 96 or 98 (default 0.003). */
  sentinelRate?: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > l && k < 50) {
    k++;
    p *= rng.next();
  }
  return k;
}

const round = (x: number, digits: number): string => String(Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * A GMSC-like table. The label's log-odds: -3.3 + 1.3 min(utilisation, 1.5) + 0.5 min(30-59, 6)
 * + 0.8 min(60-89, 6) + 1.1 min(90+, 6) - 0.02 (age - 50) - 0.15 log(income / 5000) (income known)
 * + 2 for a sentinel row.
 */
export function gmscLikeTable(options: GmscLikeOptions): SyntheticTable {
  const { rows, seed, missingIncomeRate = 0.2, missingDependentsRate = 0.03, sentinelRate = 0.003 } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError('rows must be a positive integer');
  const rng = new Rng(`gmsc-like:${seed}`);
  const out: string[][] = [];
  const labels = new Uint8Array(rows);
  const probability = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = rng.normal();
    const util = Math.min(Math.exp(rng.normal(-1.3 + 0.7 * z, 0.9)), rng.chance(0.002) ? 5000 : 3);
    const age = Math.max(21, Math.min(99, Math.round(rng.normal(52 - 4 * z, 14))));
    const sentinel = rng.chance(sentinelRate) ? rng.pick([96, 98]) : null;
    const pd30 = sentinel ?? poisson(rng, Math.exp(-1.8 + 0.8 * z));
    const pd60 = sentinel ?? poisson(rng, Math.exp(-3.2 + 0.9 * z));
    const pd90 = sentinel ?? poisson(rng, Math.exp(-3.0 + 1.0 * z));
    const incomeKnown = !rng.chance(missingIncomeRate);
    const income = Math.round(Math.exp(rng.normal(8.6 - 0.15 * z, 0.6)));
    const debtRatio = incomeKnown ? Math.exp(rng.normal(-1.2 + 0.2 * z, 0.7)) : Math.round(Math.exp(rng.normal(6.5, 1.5)));
    const open = poisson(rng, 8);
    const realEstate = poisson(rng, 1);
    const dependents = rng.chance(missingDependentsRate) ? null : poisson(rng, 0.8);
    const logit =
      -3.3 +
      1.3 * Math.min(util, 1.5) +
      0.5 * Math.min(pd30, 6) +
      0.8 * Math.min(pd60, 6) +
      1.1 * Math.min(pd90, 6) -
      0.02 * (age - 50) -
      (incomeKnown ? 0.15 * Math.log(Math.max(income, 1) / 5000) : 0) +
      (sentinel !== null ? 2 : 0);
    const p = sigmoid(logit);
    probability[r] = p;
    labels[r] = rng.chance(p) ? 1 : 0;
    out.push([
      String(r + 1),
      String(labels[r]),
      round(util, 9),
      String(age),
      String(pd30),
      round(debtRatio, 9),
      incomeKnown ? String(income) : 'NA',
      String(open),
      String(pd90),
      String(realEstate),
      String(pd60),
      dependents === null ? 'NA' : String(dependents),
    ]);
  }
  return { header: [...GMSC_COLUMNS], rows: out, labels, probability };
}

/** Options of `monthlyPanelTable`. */
export interface MonthlyPanelOptions {
  rows: number;
  seed: number;
  /** Months of history (default 6). */
  months?: number;
  /** Name of the most recent status column (default `PAY_0`, as in the UCI file; some copies say `PAY_1`). */
  firstStatus?: 'PAY_0' | 'PAY_1';
  /** Name of the label column (default `default payment next month`). */
  labelColumn?: string;
  /** Share of bills that are negative (a credit balance; default 0.02). */
  negativeBillRate?: number;
}

/**
 * A "default of credit card clients"-like panel: ID, LIMIT_BAL, SEX, EDUCATION, MARRIAGE, AGE,
 * statuses (most recent first), BILL_AMT1.., PAY_AMT1.., label. Statuses follow a chain from the
 * oldest month: a late customer falls further behind with a probability that rises with a latent
 * risk, or catches up. The label's log-odds: -2.4 + 0.9 min(latest status, 4) (when positive)
 * + 0.25 (late months) + 0.3 risk.
 */
export function monthlyPanelTable(options: MonthlyPanelOptions): SyntheticTable {
  const { rows, seed, months = 6, firstStatus = 'PAY_0', labelColumn = 'default payment next month', negativeBillRate = 0.02 } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError('rows must be a positive integer');
  if (!Number.isInteger(months) || months < 1 || months > 24) throw new RangeError('months must be an integer from 1 to 24');
  const statusCols = Array.from({ length: months }, (_, k) => (k === 0 ? firstStatus : `PAY_${k + 1}`));
  const header = [
    'ID',
    'LIMIT_BAL',
    'SEX',
    'EDUCATION',
    'MARRIAGE',
    'AGE',
    ...statusCols,
    ...Array.from({ length: months }, (_, k) => `BILL_AMT${k + 1}`),
    ...Array.from({ length: months }, (_, k) => `PAY_AMT${k + 1}`),
    labelColumn,
  ];
  const rng = new Rng(`monthly-panel:${seed}`);
  const out: string[][] = [];
  const labels = new Uint8Array(rows);
  const probability = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = rng.normal();
    const limit = Math.max(10_000, Math.round(Math.exp(rng.normal(11.8 - 0.3 * z, 0.7)) / 10_000) * 10_000);
    const age = Math.max(21, Math.min(79, Math.round(rng.normal(35 - 2 * z, 9))));
    // Oldest month first, then reversed to most recent first.
    const status: number[] = [];
    const bill: number[] = [];
    const paid: number[] = [];
    let s = rng.chance(sigmoid(-2 + z)) ? 1 : rng.pick([-2, -1, 0, 0]);
    let balance = limit * rng.uniform(0.05, 0.8);
    for (let k = 0; k < months; k++) {
      if (k > 0) {
        if (s > 0) s = rng.chance(sigmoid(-0.5 + 0.8 * z)) ? Math.min(s + 1, 8) : rng.chance(0.5) ? 0 : -1;
        else s = rng.chance(sigmoid(-2.6 + 0.9 * z)) ? 1 : rng.pick([-2, -1, 0, 0, 0]);
      }
      const b = s === -2 ? 0 : rng.chance(negativeBillRate) ? -Math.round(rng.uniform(1, 2000)) : Math.round(balance);
      const p = s === -1 ? Math.max(0, b) : s === 0 ? Math.round(Math.max(0, b) * rng.uniform(0.04, 0.2)) : s === -2 ? 0 : rng.chance(0.3) ? Math.round(Math.max(0, b) * 0.02) : 0;
      status.push(s);
      bill.push(b);
      paid.push(p);
      balance = Math.max(0, Math.min(limit * 1.1, balance * rng.uniform(0.9, 1.15) + (s > 0 ? 0.02 * limit : 0)));
    }
    status.reverse();
    bill.reverse();
    paid.reverse();
    const lateMonths = status.filter((x) => x > 0).length;
    const logit = -2.4 + 0.9 * Math.min(Math.max(status[0]!, 0), 4) + 0.25 * lateMonths + 0.3 * z;
    const p = sigmoid(logit);
    probability[r] = p;
    labels[r] = rng.chance(p) ? 1 : 0;
    out.push([
      String(r + 1),
      String(limit),
      String(rng.int(1, 2)),
      String(rng.int(1, 4)),
      String(rng.int(1, 3)),
      String(age),
      ...status.map(String),
      ...bill.map(String),
      ...paid.map(String),
      String(labels[r]),
    ]);
  }
  return { header, rows: out, labels, probability };
}

/** Options of `tableText`. */
export interface TableTextOptions {
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Quote every header name (default false: only when needed). */
  quoteHeader?: boolean;
  /** Line end (default `\n`). */
  eol?: string;
}

/** A table as delimited text with a header line. */
export function tableText(table: Pick<SyntheticTable, 'header' | 'rows'>, options: TableTextOptions = {}): string {
  const { delimiter = ',', quoteHeader = false, eol = '\n' } = options;
  const head = table.header.map((h) => (quoteHeader ? `"${h.replace(/"/g, '""')}"` : csvField(h))).join(delimiter);
  return [head, ...table.rows.map((r) => r.map(csvField).join(delimiter))].join(eol) + eol;
}
