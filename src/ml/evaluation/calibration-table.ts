/**
 * Calibration of predicted probabilities: does "20% risk" mean that 20% of such rows turn out
 * positive? A binned reliability table with the expected and maximum calibration errors, and the
 * two proper scoring rules (Brier score, log loss). Like the curves, each function has a form over
 * grouped scores (`...Of`) and one over raw labels and probabilities.
 */
import { IriskError } from '../../lib/errors.js';
import { groupBinaryScores, type BinaryScores } from './auc.js';

/**
 * How predictions are binned. `uniform`: equal-width bins over [0, 1]. `quantile`: bins holding
 * about equally many rows (ties are never split, so a bin may hold more and fewer bins may result).
 */
export type CalibrationStrategy = 'uniform' | 'quantile';

/** Binning options: 10 bins by default; strategy defaults to `quantile` (see `calibrationTableOf`). */
export interface CalibrationOptions {
  bins?: number;
  strategy?: CalibrationStrategy;
}

/**
 * One non-empty bin: predictions in [lo, hi) (the last bin also includes hi), how many rows, their
 * mean predicted probability and the observed rate of positives.
 */
export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** A reliability table with its summary errors. */
export interface CalibrationTable {
  strategy: CalibrationStrategy;
  bins: CalibrationBin[];
  /** Expected calibration error: count-weighted mean of |observedRate - meanPredicted|. */
  ece: number;
  /** Maximum calibration error: the largest |observedRate - meanPredicted| over non-empty bins. */
  mce: number;
}

/** Smallest and largest probability used by `logLoss`, so a confident mistake costs about 34.5 nats, not Infinity. */
export const LOG_LOSS_EPS = 1e-15;

function invalid(message: string, details: Record<string, unknown> = {}): IriskError {
  return new IriskError('DATASET_INVALID', message, details);
}

/**
 * Throws DATASET_INVALID naming the first row whose probability is not a finite number in [0, 1].
 * Scores such as margins or log-odds must be turned into probabilities (calibrated) before their
 * calibration, Brier score or log loss mean anything.
 */
export function validateProbabilities(probs: ArrayLike<number>): void {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
      throw invalid(`The probability at row ${i} is ${String(p)}; probabilities must be finite numbers in [0, 1] (apply the model's calibration or sigmoid first)`, {
        row: i,
        value: p,
      });
    }
  }
}

/** Grouped scores must be probabilities: the largest <= 1 and the smallest >= 0. */
function requireProbabilityGroups(g: BinaryScores): void {
  const m = g.values.length;
  if (m > 0 && (g.values[0]! > 1 || g.values[m - 1]! < 0)) {
    const bad = g.values[0]! > 1 ? g.values[0]! : g.values[m - 1]!;
    throw invalid(`A probability is ${bad}; probabilities must be in [0, 1] (apply the model's calibration or sigmoid first)`, { value: bad });
  }
}

function resolveOptions(opts: CalibrationOptions): { bins: number; strategy: CalibrationStrategy } {
  const bins = opts.bins ?? 10;
  const strategy = opts.strategy ?? 'quantile';
  if (!Number.isInteger(bins) || bins < 1) {
    throw new IriskError('CONFIG_INVALID', `Calibration needs a positive whole number of bins, got ${bins}`, { bins });
  }
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    throw new IriskError('CONFIG_INVALID', `Calibration strategy must be 'uniform' or 'quantile', got ${String(strategy)}`, { strategy });
  }
  return { bins, strategy };
}

/**
 * ECE and MCE of reliability bins (ECE weights each bin by its count). Exposed so that plots and
 * reports built from stored bins quote the same numbers as the table.
 */
export function calibrationErrors(bins: readonly CalibrationBin[]): { ece: number; mce: number } {
  let total = 0;
  let weighted = 0;
  let mce = 0;
  for (const b of bins) {
    const gap = Math.abs(b.observedRate - b.meanPredicted);
    total += b.count;
    weighted += b.count * gap;
    mce = Math.max(mce, gap);
  }
  return { ece: total > 0 ? weighted / total : 0, mce };
}

/**
 * Reliability table over grouped probabilities. Empty bins are left out (their rates are
 * undefined). `quantile` is the default because credit and attack probabilities crowd near 0: with
 * ten equal-width bins almost every row falls in the first, and the ECE says little about where the
 * model is wrong; equal-count bins give every bin the same weight of evidence. Uniform bins are
 * [k/bins, (k+1)/bins); quantile bins run from their smallest prediction to the next bin's smallest.
 */
export function calibrationTableOf(g: BinaryScores, opts: CalibrationOptions = {}): CalibrationTable {
  const { bins, strategy } = resolveOptions(opts);
  requireProbabilityGroups(g);
  if (g.n === 0) throw invalid('No rows to build a calibration table from');
  const count = new Float64Array(bins);
  const sumPred = new Float64Array(bins);
  const positives = new Float64Array(bins);
  const first = new Float64Array(bins).fill(NaN);
  const last = new Float64Array(bins).fill(NaN);
  let below = 0;
  // Ascending order: the table is grouped descending.
  for (let k = g.values.length - 1; k >= 0; k--) {
    const v = g.values[k]!;
    const c = g.pos[k]! + g.neg[k]!;
    const b = strategy === 'uniform' ? Math.min(bins - 1, Math.floor(v * bins)) : Math.min(bins - 1, Math.floor((below * bins) / g.n));
    if (count[b] === 0) first[b] = v;
    last[b] = v;
    count[b] += c;
    sumPred[b] += v * c;
    positives[b] += g.pos[k]!;
    below += c;
  }
  const out: CalibrationBin[] = [];
  const used: number[] = [];
  for (let b = 0; b < bins; b++) if (count[b]! > 0) used.push(b);
  used.forEach((b, idx) => {
    let lo: number;
    let hi: number;
    if (strategy === 'uniform') {
      lo = b / bins;
      hi = (b + 1) / bins;
    } else {
      lo = first[b]!;
      hi = idx + 1 < used.length ? first[used[idx + 1]!]! : last[b]!;
    }
    out.push({ lo, hi, count: count[b]!, meanPredicted: sumPred[b]! / count[b]!, observedRate: positives[b]! / count[b]! });
  });
  return { strategy, bins: out, ...calibrationErrors(out) };
}

/** Reliability table of labels (0/1) and probabilities in [0, 1]; see `calibrationTableOf`. */
export function calibrationTable(labels: ArrayLike<number>, probs: ArrayLike<number>, opts: CalibrationOptions = {}): CalibrationTable {
  resolveOptions(opts);
  const g = groupBinaryScores(labels, probs);
  validateProbabilities(probs);
  return calibrationTableOf(g, opts);
}

/** Brier score of grouped probabilities: mean squared difference between probability and label. */
export function brierScoreOf(g: BinaryScores): number {
  requireProbabilityGroups(g);
  if (g.n === 0) throw invalid('No rows to compute a Brier score from');
  let s = 0;
  for (let k = 0; k < g.values.length; k++) {
    const v = g.values[k]!;
    s += g.pos[k]! * (1 - v) * (1 - v) + g.neg[k]! * v * v;
  }
  return s / g.n;
}

/**
 * Brier score: mean (p - y)^2, 0 for a perfect forecaster, 0.25 for always saying 0.5. A proper
 * scoring rule that rewards calibration and sharpness together.
 */
export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const g = groupBinaryScores(labels, probs);
  validateProbabilities(probs);
  return brierScoreOf(g);
}

/** Log loss of grouped probabilities (natural log, probabilities clipped to [1e-15, 1 - 1e-15]). */
export function logLossOf(g: BinaryScores): number {
  requireProbabilityGroups(g);
  if (g.n === 0) throw invalid('No rows to compute a log loss from');
  let s = 0;
  for (let k = 0; k < g.values.length; k++) {
    const v = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, g.values[k]!));
    if (g.pos[k]! > 0) s -= g.pos[k]! * Math.log(v);
    if (g.neg[k]! > 0) s -= g.neg[k]! * Math.log(1 - v);
  }
  return s / g.n;
}

/**
 * Log loss (cross-entropy, nats per row): -mean(y log p + (1-y) log(1-p)), with p clipped to
 * [1e-15, 1 - 1e-15] so a single confident mistake is heavily penalised but finite.
 */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const g = groupBinaryScores(labels, probs);
  validateProbabilities(probs);
  return logLossOf(g);
}
