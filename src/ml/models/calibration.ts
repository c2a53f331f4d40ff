/**
 * Probability calibration: a monotone map from a model's score to a probability that means what it
 * says (of the rows scored 0.2, about 20% have label 1). Fitted on held-out data, never on the rows
 * the model was trained on.
 *
 * - Platt scaling: p = 1 / (1 + exp(-(a * s + b))), fitted by Newton's method on the log loss against
 *   Platt's smoothed targets (N+ + 1) / (N+ + 2) for positives and 1 / (N- + 2) for negatives, which
 *   keeps a and b finite on separable data (Platt 1999; the Newton iteration with backtracking follows
 *   Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs for support vector machines").
 *   Two parameters: the right choice when the calibration set is small or the distortion is sigmoid.
 * - Isotonic regression: the non-decreasing step function of least squared error, by
 *   pool-adjacent-violators with tied scores pooled first (ties must map to one value). Each final
 *   block is stored as one breakpoint: x = the mean score of the block's rows ("block centre"),
 *   y = the block's positive rate. Prediction interpolates linearly between consecutive breakpoints
 *   and is clipped to the first / last y outside [x0, xLast]. Interpolating between centres (rather
 *   than returning the block's constant) keeps the map continuous and strictly increasing between
 *   breakpoints, so nearby scores do not jump at block edges and ranking is not coarsened more than
 *   needed; scikit-learn's IsotonicRegression also interpolates linearly, but between block *edges*.
 *   Needs more data than Platt, fits any monotone distortion. y may be exactly 0 or 1 at the ends.
 * - Identity: the scores already are probabilities (checked to lie in [0, 1]).
 */
import { sigmoid, softplus } from './logit.js';
import { IriskError } from '../../lib/errors.js';

/** Platt scaling: p = 1 / (1 + exp(-(a * score + b))). */
export interface PlattCalibrator {
  readonly kind: 'platt';
  readonly a: number;
  readonly b: number;
}

/** Isotonic calibration: breakpoints at block centres x (strictly increasing) with values y (non-decreasing, in [0, 1]). */
export interface IsotonicCalibrator {
  readonly kind: 'isotonic';
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Scores are already probabilities. */
export interface IdentityCalibrator {
  readonly kind: 'identity';
}

export type Calibrator = PlattCalibrator | IsotonicCalibrator | IdentityCalibrator;

export type CalibrationMethod = 'platt' | 'isotonic';

/** One block of a pool-adjacent-violators fit over inputs [start, end). */
export interface PavBlock {
  readonly start: number;
  readonly end: number;
  /** Total weight of the block. */
  readonly weight: number;
  /** Weighted mean of the block's values (the fitted value for all of it). */
  readonly value: number;
}

/** Fits a calibrator of the given method on held-out (score, label) pairs. */
export function fitCalibrator(method: CalibrationMethod, scores: ArrayLike<number>, labels: ArrayLike<number>): Calibrator {
  switch (method) {
    case 'platt':
      return fitPlatt(scores, labels);
    case 'isotonic':
      return fitIsotonic(scores, labels);
    default:
      throw new IriskError('CONFIG_INVALID', `unknown calibration method ${JSON.stringify(method)} (expected "platt" or "isotonic")`);
  }
}

/**
 * Platt scaling by Newton's method with backtracking on the log loss against smoothed targets.
 * Scores are standardised internally for conditioning; (a, b) are returned on the scale of `scores`.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattCalibrator {
  const { n, positives } = checkPairs(scores, labels);
  const negatives = n - positives;
  const hiTarget = (positives + 1) / (positives + 2);
  const loTarget = 1 / (negatives + 2);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += scores[i]!;
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (scores[i]! - mean) ** 2;
  const sd = Math.sqrt(sq / n) || 1;
  const s = new Float64Array(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = (scores[i]! - mean) / sd;
    t[i] = labels[i] === 1 ? hiTarget : loTarget;
  }

  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = a * s[i]! + b;
      f += softplus(z) - t[i]! * z;
    }
    return f;
  };
  let a = 0;
  let b = Math.log((positives + 1) / (negatives + 1));
  let f = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * s[i]! + b);
      const r = p - t[i]!;
      const w = p * (1 - p);
      ga += r * s[i]!;
      gb += r;
      haa += w * s[i]! * s[i]!;
      hab += w * s[i]!;
      hbb += w;
    }
    if (Math.max(Math.abs(ga), Math.abs(gb)) / n < 1e-12) break;
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    const slope = -(ga * da + gb * db);
    let step = 1;
    let moved = false;
    while (step > 1e-12) {
      const na = a - step * da;
      const nb = b - step * db;
      const nf = objective(na, nb);
      if (nf <= f + 1e-4 * step * slope + 1e-12 * Math.abs(f)) {
        a = na;
        b = nb;
        f = nf;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break; // no measurable decrease left: optimum to working precision
  }
  return { kind: 'platt', a: a / sd, b: b - (a * mean) / sd };
}

/** Isotonic calibration by pool-adjacent-violators over tie-pooled scores; breakpoints at block centres. */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): IsotonicCalibrator {
  const { n } = checkPairs(scores, labels);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((p, q) => scores[p]! - scores[q]!);
  // Pool ties: one group per distinct score, weight = count, value = positive rate.
  const groupScore: number[] = [];
  const groupWeight: number[] = [];
  const groupValue: number[] = [];
  for (let k = 0; k < n; ) {
    const sv = scores[order[k]!]!;
    let count = 0;
    let pos = 0;
    while (k < n && scores[order[k]!]! === sv) {
      pos += labels[order[k]!]!;
      count++;
      k++;
    }
    groupScore.push(sv);
    groupWeight.push(count);
    groupValue.push(pos / count);
  }
  const blocks = poolAdjacentViolators(groupValue, groupWeight);
  const x: number[] = [];
  const y: number[] = [];
  for (const blk of blocks) {
    let sx = 0;
    for (let g = blk.start; g < blk.end; g++) sx += groupScore[g]! * groupWeight[g]!;
    // Clamped into the block's score range so rounding can never break strict order between blocks.
    x.push(Math.min(Math.max(sx / blk.weight, groupScore[blk.start]!), groupScore[blk.end - 1]!));
    y.push(blk.value);
  }
  return { kind: 'isotonic', x, y };
}

/**
 * Pool-adjacent-violators: the non-decreasing sequence closest to `values` in weighted least squares,
 * as maximal blocks of equal fitted value. Adjacent blocks with equal means are merged too, so block
 * values are strictly increasing. Weights default to 1 and must be positive.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights?: ArrayLike<number>): PavBlock[] {
  const n = values.length;
  if (weights !== undefined && weights.length !== n) {
    throw new IriskError('DATASET_INVALID', `${weights.length} weights for ${n} values`);
  }
  const start: number[] = [];
  const end: number[] = [];
  const wsum: number[] = [];
  const vsum: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const w = weights === undefined ? 1 : weights[i]!;
    if (!Number.isFinite(v)) throw new IriskError('DATASET_INVALID', `value ${v} at ${i} is not finite`);
    if (!(w > 0) || !Number.isFinite(w)) throw new IriskError('DATASET_INVALID', `weight ${w} at ${i} is not a positive finite number`);
    start.push(i);
    end.push(i + 1);
    wsum.push(w);
    vsum.push(w * v);
    // Merge while the previous block's mean is >= the last one's (cross-multiplied: exact for counts).
    while (start.length > 1) {
      const top = start.length - 1;
      if (vsum[top - 1]! * wsum[top]! < vsum[top]! * wsum[top - 1]!) break;
      end[top - 1] = end[top]!;
      wsum[top - 1]! += wsum[top]!;
      vsum[top - 1]! += vsum[top]!;
      start.pop();
      end.pop();
      wsum.pop();
      vsum.pop();
    }
  }
  return start.map((s, k) => ({ start: s, end: end[k]!, weight: wsum[k]!, value: vsum[k]! / wsum[k]! }));
}

/** The calibrated probability for one score; throws DATASET_INVALID for a non-finite score (or, for identity, one outside [0, 1]). */
export function applyCalibrator(cal: Calibrator, score: number): number {
  if (!Number.isFinite(score)) throw new IriskError('DATASET_INVALID', `score ${score} is not finite`);
  switch (cal.kind) {
    case 'platt':
      return sigmoid(cal.a * score + cal.b);
    case 'isotonic':
      return interpolate(cal.x, cal.y, score);
    case 'identity':
      if (score < 0 || score > 1) throw new IriskError('DATASET_INVALID', `score ${score} is not a probability (identity calibrator)`);
      return score;
    default:
      return unknownKind(cal);
  }
}

/** Calibrated probabilities for many scores, into `out` when given (same length). */
export function applyCalibratorBatch(cal: Calibrator, scores: ArrayLike<number>, out?: Float64Array): Float64Array {
  if (out !== undefined && out.length !== scores.length) {
    throw new IriskError('CONFIG_INVALID', `output buffer has ${out.length} slots for ${scores.length} scores`);
  }
  const result = out ?? new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) result[i] = applyCalibrator(cal, scores[i]!);
  return result;
}

/** The calibrator as JSON text (only its defining fields). */
export function serializeCalibrator(cal: Calibrator): string {
  switch (cal.kind) {
    case 'platt':
      return JSON.stringify({ kind: 'platt', a: cal.a, b: cal.b });
    case 'isotonic':
      return JSON.stringify({ kind: 'isotonic', x: cal.x, y: cal.y });
    case 'identity':
      return JSON.stringify({ kind: 'identity' });
    default:
      return unknownKind(cal);
  }
}

/** Parses and validates a serialised calibrator; anything wrong throws MODEL_INVALID. */
export function parseCalibrator(text: string): Calibrator {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IriskError('MODEL_INVALID', `calibrator is not valid JSON: ${(e as Error).message}`);
  }
  const bad = (why: string): never => {
    throw new IriskError('MODEL_INVALID', `not a valid calibrator: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  const onlyKeys = (keys: string[]): void => {
    for (const key of Object.keys(o)) if (!keys.includes(key)) bad(`unknown field "${key}" for kind "${String(o.kind)}"`);
  };
  const finite = (v: unknown, name: string): number =>
    typeof v === 'number' && Number.isFinite(v) ? v : bad(`${name} is not a finite number`);
  switch (o.kind) {
    case 'platt':
      onlyKeys(['kind', 'a', 'b']);
      return { kind: 'platt', a: finite(o.a, 'a'), b: finite(o.b, 'b') };
    case 'isotonic': {
      onlyKeys(['kind', 'x', 'y']);
      if (!Array.isArray(o.x) || !Array.isArray(o.y)) return bad('x and y must be arrays');
      const x = o.x.map((v, i) => finite(v, `x[${i}]`));
      const y = o.y.map((v, i) => finite(v, `y[${i}]`));
      if (x.length === 0) bad('no breakpoints');
      if (x.length !== y.length) bad(`x has ${x.length} entries, y has ${y.length}`);
      for (let i = 0; i < x.length; i++) {
        if (y[i]! < 0 || y[i]! > 1) bad(`y[${i}] = ${y[i]} is not in [0, 1]`);
        if (i > 0 && !(x[i]! > x[i - 1]!)) bad(`x is not strictly increasing at ${i}`);
        if (i > 0 && y[i]! < y[i - 1]!) bad(`y decreases at ${i}`);
      }
      return { kind: 'isotonic', x, y };
    }
    case 'identity':
      onlyKeys(['kind']);
      return { kind: 'identity' };
    default:
      return bad(`kind is ${JSON.stringify(o.kind)}, expected "platt", "isotonic" or "identity"`);
  }
}

// ---------------------------------------------------------------------------------------------

/** Validates held-out pairs: same length, at least one of each class, finite scores, 0/1 labels. */
function checkPairs(scores: ArrayLike<number>, labels: ArrayLike<number>): { n: number; positives: number } {
  const n = scores.length;
  if (labels.length !== n) throw new IriskError('DATASET_INVALID', `${scores.length} scores but ${labels.length} labels`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const y = labels[i]!;
    if (!Number.isFinite(s)) throw new IriskError('DATASET_INVALID', `score ${s} at ${i} is not finite`, { index: i });
    if (y !== 0 && y !== 1) throw new IriskError('DATASET_INVALID', `label ${y} at ${i} is not 0 or 1`, { index: i });
    positives += y;
  }
  if (positives === 0 || positives === n) {
    throw new IriskError('DATASET_INVALID', `calibration needs both classes; got ${positives} positives in ${n} rows`, { rows: n, positives });
  }
  return { n, positives };
}

function unknownKind(cal: never): never {
  throw new IriskError('MODEL_INVALID', `unknown calibrator kind ${JSON.stringify((cal as { kind?: unknown }).kind)}`);
}

/** Piecewise-linear through (x, y), constant outside [x0, xLast]. */
function interpolate(x: readonly number[], y: readonly number[], s: number): number {
  const last = x.length - 1;
  if (s <= x[0]!) return y[0]!;
  if (s >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= s) lo = mid;
    else hi = mid;
  }
  const f = (s - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + f * (y[hi]! - y[lo]!);
}

