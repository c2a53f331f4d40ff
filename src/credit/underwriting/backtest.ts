/**
 * Backtest of a model and a policy on loans whose outcome is known: what the policy would have
 * decided at each loan's origination (features as of then) and how those loans turned out.
 * Approval rate against bad rate, per month and overall, plus the trade-off curve: approving the
 * lowest predicted risks first, the bad rate among approved loans at every approval rate.
 */
import { lineChartSvg, PALETTE } from '../../ml/evaluation/plots.js';
import { applyPolicy, type CreditPolicy, type DecisionKind } from './policy.js';

/** One historical loan, scored. */
export interface BacktestLoan {
  at: number;
  amount: number;
  probability: number;
  defaulted: boolean;
}

/** Counts of one group of loans. */
export interface BacktestRow {
  /** `YYYY-MM` or `total`. */
  period: string;
  loans: number;
  approved: number;
  reduced: number;
  declined: number;
  /** (approved + reduced) / loans. */
  approvalRate: number;
  /** Defaults among all loans. */
  badRate: number;
  /** Defaults among approved and reduced loans (null when none). */
  approvedBadRate: number | null;
  /** Defaults among declined loans (null when none). */
  declinedBadRate: number | null;
  /** Mean predicted probability of default against the observed rate. */
  meanProbability: number;
}

export interface BacktestResult {
  policy: CreditPolicy;
  rows: BacktestRow[];
  total: BacktestRow;
  /** [approval rate, bad rate among approved] approving the lowest probabilities first. */
  tradeoff: [number, number][];
}

function summarise(period: string, loans: readonly BacktestLoan[], decisions: readonly DecisionKind[]): BacktestRow {
  let approved = 0, reduced = 0, declined = 0, bad = 0, badOk = 0, badDeclined = 0, p = 0;
  loans.forEach((l, i) => {
    const d = decisions[i]!;
    if (d === 'approve') approved++;
    else if (d === 'reduce') reduced++;
    else declined++;
    p += l.probability;
    if (!l.defaulted) return;
    bad++;
    if (d === 'decline') badDeclined++;
    else badOk++;
  });
  const n = loans.length;
  return {
    period,
    loans: n,
    approved,
    reduced,
    declined,
    approvalRate: n ? (approved + reduced) / n : 0,
    badRate: n ? bad / n : 0,
    approvedBadRate: approved + reduced ? badOk / (approved + reduced) : null,
    declinedBadRate: declined ? badDeclined / declined : null,
    meanProbability: n ? p / n : 0,
  };
}

/** The trade-off curve at approval rates 1%, 2%, ..., 100%. */
function tradeoff(loans: readonly BacktestLoan[]): [number, number][] {
  const sorted = [...loans].sort((a, b) => a.probability - b.probability);
  const out: [number, number][] = [];
  let bad = 0;
  let next = 1;
  sorted.forEach((l, i) => {
    if (l.defaulted) bad++;
    while (next <= 100 && i + 1 >= Math.ceil((next / 100) * sorted.length)) {
      out.push([(i + 1) / sorted.length, bad / (i + 1)]);
      next++;
    }
  });
  return out;
}

/** Applies `policy` to every loan and summarises by calendar month (UTC) of origination and in total. */
export function backtest(loans: readonly BacktestLoan[], policy: CreditPolicy): BacktestResult {
  const decisions = loans.map((l) => applyPolicy(policy, l.probability, l.amount).decision);
  const months = new Map<string, number[]>();
  loans.forEach((l, i) => {
    const m = new Date(l.at).toISOString().slice(0, 7);
    (months.get(m) ?? months.set(m, []).get(m)!).push(i);
  });
  const rows = [...months.keys()].sort().map((m) => {
    const idx = months.get(m)!;
    return summarise(m, idx.map((i) => loans[i]!), idx.map((i) => decisions[i]!));
  });
  return { policy, rows, total: summarise('total', loans, decisions), tradeoff: tradeoff(loans) };
}

/** The trade-off curve with the policy's operating point and the bad rate of approving everyone. */
export function backtestPlotSvg(result: BacktestResult, subtitle: string): string {
  const t = result.total;
  const markers = t.approvedBadRate === null ? [] : [{ x: t.approvalRate, y: t.approvedBadRate, label: `policy ${result.policy.version}`, color: PALETTE[1]!, labelPosition: t.approvalRate > 0.6 ? ('left' as const) : ('right' as const) }];
  return lineChartSvg({
    title: 'Approval rate against bad rate',
    subtitle,
    x: { label: 'Approval rate (lowest predicted risk first)', min: 0, max: 1, format: 'percent' },
    y: { label: 'Bad rate among approved loans', min: 0, format: 'percent' },
    series: [
      { name: 'model: approve the lowest risks first', points: result.tradeoff, color: PALETTE[0]! },
      { name: 'approve everyone', points: [[0, t.badRate], [1, t.badRate]], color: '#9ca3af', dashed: true, lineWidth: 1 },
    ],
    markers,
    legendPosition: 'top-left',
  });
}
