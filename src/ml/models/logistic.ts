/**
 * L2-regularised logistic regression: the transparent baseline every other model family is measured
 * against, and a scorer whose every coefficient can be read as a reason.
 *
 * The design matrix the model actually fits, built from a `LabelledData`:
 * - every original column, with a missing value (NaN) replaced by that column's training mean (the
 *   mean of its observed values; 0 when a column has no observed value at all);
 * - then, for every column that had at least one missing value *in training*, a 0/1 missing-indicator
 *   term (1 = the value was missing), in column order. Missingness is often informative in credit data
 *   (no bureau file, no income declared), and the indicator lets the model price it instead of
 *   pretending the row sits at the mean. A column that was never missing in training gets no
 *   indicator: a NaN there at prediction time is imputed with the mean and nothing else;
 * - every term (indicators included) is standardised with its training mean and population standard
 *   deviation; a constant term gets scale 1 (it is then 0 on every training row and keeps a
 *   coefficient of 0).
 *
 * The objective, as in scikit-learn with C = 1 / l2: sum of log losses + (l2 / 2) * ||beta||^2, where
 * beta are the coefficients of the standardised terms and the intercept is not penalised. It is
 * minimised by Newton's method (IRLS): the (d+1)x(d+1) Hessian is factorised by Cholesky, with
 * Levenberg damping added when it is singular or ill-conditioned (constant terms, l2 = 0, collinear
 * columns) and a backtracking line search so that separable data cannot make a step overshoot.
 * Iteration stops when the Euclidean norm of the gradient divided by the row count is below `tol`.
 */
import { sigmoid, softplus } from './logit.js';
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { checkMatrix, type FeatureMatrix, type LabelledData } from '../data/dataset.js';

/** Fitting parameters; every field is optional. */
export interface LogisticParams {
  /** L2 penalty on the standardised coefficients (not the intercept); default 1.0, >= 0. */
  l2?: number;
  /** Newton iterations at most; default 100. */
  maxIter?: number;
  /** Stop when ||gradient|| / rows < tol; default 1e-8. */
  tol?: number;
}

/**
 * A fitted model, plain JSON. Terms are the original columns followed by one missing indicator per
 * entry of `missingIndicators`; `means`, `scales` and `coefficients` have one entry per term.
 * margin = intercept + sum_j coefficients[j] * (term_j - means[j]) / scales[j].
 */
export interface LogisticModel {
  readonly kind: 'logistic';
  /** The original columns, in order; a matrix to score must carry exactly these names. */
  readonly featureNames: readonly string[];
  /** Per term: training mean (for an original column this is also its imputation value). */
  readonly means: readonly number[];
  /** Per term: training standard deviation, 1 for a constant term. */
  readonly scales: readonly number[];
  /** Original column indices (strictly increasing) that carry a missing indicator. */
  readonly missingIndicators: readonly number[];
  /** Per term: coefficient on the standardised scale. */
  readonly coefficients: readonly number[];
  readonly intercept: number;
  /** Newton iterations run. */
  readonly iterations: number;
  /** Whether the gradient tolerance was reached (false: maxIter hit, typically separable data with l2 = 0). */
  readonly converged: boolean;
}

const DEFAULTS = { l2: 1.0, maxIter: 100, tol: 1e-8 } as const;

/** Fits L2-regularised logistic regression by Newton's method; throws DATASET_INVALID / CONFIG_INVALID. */
export function fitLogistic(data: LabelledData, params: LogisticParams = {}, progress: Progress = silentProgress): LogisticModel {
  const { l2, maxIter, tol } = resolveParams(params);
  checkMatrix(data);
  if (!(data.labels instanceof Uint8Array)) throw new IriskError('DATASET_INVALID', 'labelled data has no labels');
  const n = data.rows;
  const cols = data.cols;
  if (n === 0) throw new IriskError('DATASET_INVALID', 'cannot fit a logistic model on zero rows');
  if (new Set(data.featureNames).size !== cols) throw new IriskError('DATASET_INVALID', 'feature names are not unique');
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const y = data.labels[i]!;
    if (y > 1) throw new IriskError('DATASET_INVALID', `label ${y} at row ${i} is not 0 or 1`, { row: i });
    positives += y;
  }
  if (positives === 0 || positives === n) {
    throw new IriskError('DATASET_INVALID', `labels are all ${positives === 0 ? 0 : 1}: logistic regression needs both classes`, { rows: n, positives });
  }

  // Column statistics over observed values.
  const x = data.values;
  const missing = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const lo = new Float64Array(cols).fill(Infinity);
  const hi = new Float64Array(cols).fill(-Infinity);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < cols; j++, k++) {
      const v = x[k]!;
      if (Number.isNaN(v)) {
        missing[j]!++;
      } else if (!Number.isFinite(v)) {
        throw new IriskError('DATASET_INVALID', `value ${v} at row ${i}, column "${data.featureNames[j]}" is not finite (use NaN for missing)`, { row: i, column: j });
      } else {
        sum[j]! += v;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
  }
  const indicators: number[] = [];
  for (let j = 0; j < cols; j++) if (missing[j]! > 0) indicators.push(j);
  const d = cols + indicators.length;
  const means = new Array<number>(d);
  const scales = new Array<number>(d);
  const ss = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const observed = n - missing[j]!;
    // A constant column takes its value exactly as mean, so its standardised term is exactly 0.
    means[j] = observed === 0 ? 0 : lo[j] === hi[j] ? lo[j]! : sum[j]! / observed;
  }
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < cols; j++, k++) {
      const v = x[k]!;
      if (!Number.isNaN(v)) ss[j]! += (v - means[j]!) ** 2;
    }
  }
  for (let j = 0; j < cols; j++) {
    const constant = n - missing[j]! === 0 || lo[j] === hi[j];
    scales[j] = constant ? 1 : Math.sqrt(ss[j]! / n);
  }
  for (let k = 0; k < indicators.length; k++) {
    const q = missing[indicators[k]!]! / n;
    means[cols + k] = q;
    scales[cols + k] = q === 1 ? 1 : Math.sqrt(q * (1 - q));
  }

  // Standardised design, column-major (term a of row i at z[a * n + i]), with a trailing column of
  // ones for the intercept. Column-major keeps the Newton passes to tight loops over contiguous memory.
  const D = d + 1;
  const z = new Float64Array(n * D);
  for (let j = 0; j < cols; j++) {
    const col = z.subarray(j * n, (j + 1) * n);
    const mu = means[j]!;
    const sc = scales[j]!;
    for (let i = 0; i < n; i++) {
      const v = x[i * cols + j]!;
      col[i] = Number.isNaN(v) ? 0 : (v - mu) / sc;
    }
  }
  for (let k = 0; k < indicators.length; k++) {
    const col = z.subarray((cols + k) * n, (cols + k + 1) * n);
    const j = indicators[k]!;
    const present = (0 - means[cols + k]!) / scales[cols + k]!;
    const absent = (1 - means[cols + k]!) / scales[cols + k]!;
    for (let i = 0; i < n; i++) col[i] = Number.isNaN(x[i * cols + j]!) ? absent : present;
  }
  z.fill(1, d * n);

  const y = data.labels;
  const beta = new Float64Array(D);
  const rate = positives / n;
  beta[d] = Math.log(rate / (1 - rate));
  const margins = new Float64Array(n);
  const trial = new Float64Array(D);
  const trialMargins = new Float64Array(n);
  const grad = new Float64Array(D);
  const hess = new Float64Array(D * D);
  const step = new Float64Array(D);

  let objective = evaluate(z, n, D, y, beta, l2, margins);
  let iterations = 0;
  let converged = false;
  progress.start(maxIter, 'logistic regression');
  try {
    for (;;) {
      gradientAndHessian(z, n, D, y, beta, l2, margins, grad, null);
      if (norm(grad) / n < tol) {
        converged = true;
        break;
      }
      if (iterations >= maxIter) break;
      gradientAndHessian(z, n, D, y, beta, l2, margins, grad, hess);
      solveDamped(hess, grad, D, step);
      // Backtracking (Armijo) along the Newton direction -step.
      let slope = 0;
      for (let a = 0; a < D; a++) slope -= grad[a]! * step[a]!;
      let t = 1;
      let accepted = false;
      while (t > 1e-12) {
        for (let a = 0; a < D; a++) trial[a] = beta[a]! - t * step[a]!;
        const next = evaluate(z, n, D, y, trial, l2, trialMargins);
        // The slack absorbs rounding in the sum over rows, so a Newton step whose true decrease is
        // below working precision (near the optimum, many rows) is still taken.
        if (next <= objective + 1e-4 * t * slope + 1e-12 * Math.abs(objective)) {
          beta.set(trial);
          margins.set(trialMargins);
          objective = next;
          accepted = true;
          break;
        }
        t /= 2;
      }
      iterations++;
      progress.tick();
      if (!accepted) {
        // No decrease is measurable along the Newton direction: we are at the optimum to working
        // precision even if the gradient is above tol (rounding in the sums).
        gradientAndHessian(z, n, D, y, beta, l2, margins, grad, null);
        converged = norm(grad) / n < tol;
        break;
      }
    }
  } finally {
    progress.stop();
  }

  return {
    kind: 'logistic',
    featureNames: [...data.featureNames],
    means,
    scales,
    missingIndicators: indicators,
    coefficients: Array.from(beta.subarray(0, d)),
    intercept: beta[d]!,
    iterations,
    converged,
  };
}

/** The name of every term, in coefficient order: the columns, then "<column> (missing)" per indicator. */
export function logisticTermNames(model: LogisticModel): string[] {
  return [...model.featureNames, ...model.missingIndicators.map((j) => `${model.featureNames[j]} (missing)`)];
}

/**
 * The same model on the unstandardised scale: margin = intercept + sum_j coefficients[j] * term_j,
 * where term_j is the imputed column value or the 0/1 indicator. For reading effects in the units of
 * the data (and for checking a fit against a known generating model).
 */
export function logisticRawCoefficients(model: LogisticModel): { intercept: number; coefficients: number[] } {
  let intercept = model.intercept;
  const coefficients = model.coefficients.map((c, j) => {
    intercept -= (c * model.means[j]!) / model.scales[j]!;
    return c / model.scales[j]!;
  });
  return { intercept, coefficients };
}

/** The margin (log-odds) for one row of raw column values, NaN = missing. */
export function logisticMargin(model: LogisticModel, row: ArrayLike<number>): number {
  const cols = model.featureNames.length;
  if (row.length !== cols) {
    throw new IriskError('DATASET_INVALID', `row has ${row.length} values, the model expects ${cols}`);
  }
  return marginAt(model, row, 0, cols);
}

/** Probabilities of label 1 for every row of `m` (whose feature names must match the model's). */
export function predictLogistic(model: LogisticModel, m: FeatureMatrix, out?: Float64Array): Float64Array {
  const result = predictLogisticMargins(model, m, out);
  for (let i = 0; i < result.length; i++) result[i] = sigmoid(result[i]!);
  return result;
}

/** Margins (log-odds) for every row of `m` (whose feature names must match the model's). */
export function predictLogisticMargins(model: LogisticModel, m: FeatureMatrix, out?: Float64Array): Float64Array {
  checkMatrix(m);
  const cols = model.featureNames.length;
  if (m.cols !== cols) throw new IriskError('DATASET_INVALID', `matrix has ${m.cols} columns, the model expects ${cols}`);
  for (let j = 0; j < cols; j++) {
    if (m.featureNames[j] !== model.featureNames[j]) {
      throw new IriskError('DATASET_INVALID', `column ${j} is "${m.featureNames[j]}", the model expects "${model.featureNames[j]}"`, { column: j });
    }
  }
  if (out !== undefined && out.length !== m.rows) {
    throw new IriskError('CONFIG_INVALID', `output buffer has ${out.length} slots for ${m.rows} rows`);
  }
  const result = out ?? new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) result[i] = marginAt(model, m.values, i * cols, cols);
  return result;
}

/** The model as JSON text (numbers round-trip exactly, so predictions do too). */
export function serializeLogistic(model: LogisticModel): string {
  const { kind, featureNames, means, scales, missingIndicators, coefficients, intercept, iterations, converged } = model;
  return JSON.stringify({ kind, featureNames, means, scales, missingIndicators, coefficients, intercept, iterations, converged });
}

/** Parses and validates a serialised model; anything wrong throws MODEL_INVALID. */
export function parseLogistic(text: string): LogisticModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IriskError('MODEL_INVALID', `logistic model is not valid JSON: ${(e as Error).message}`);
  }
  const bad = (why: string): never => {
    throw new IriskError('MODEL_INVALID', `not a valid logistic model: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  const known = ['kind', 'featureNames', 'means', 'scales', 'missingIndicators', 'coefficients', 'intercept', 'iterations', 'converged'];
  for (const key of Object.keys(o)) if (!known.includes(key)) bad(`unknown field "${key}"`);
  if (o.kind !== 'logistic') bad(`kind is ${JSON.stringify(o.kind)}, expected "logistic"`);
  if (!Array.isArray(o.featureNames) || !o.featureNames.every((s) => typeof s === 'string')) bad('featureNames is not an array of strings');
  const featureNames = o.featureNames as string[];
  if (new Set(featureNames).size !== featureNames.length) bad('featureNames has duplicates');
  const cols = featureNames.length;
  const missingIndicators = finiteArray(o.missingIndicators, 'missingIndicators', bad);
  missingIndicators.forEach((j, k) => {
    if (!Number.isInteger(j) || j < 0 || j >= cols) bad(`missingIndicators[${k}] = ${j} is not a column index`);
    if (k > 0 && j <= missingIndicators[k - 1]!) bad('missingIndicators is not strictly increasing');
  });
  const d = cols + missingIndicators.length;
  const means = finiteArray(o.means, 'means', bad);
  const scales = finiteArray(o.scales, 'scales', bad);
  const coefficients = finiteArray(o.coefficients, 'coefficients', bad);
  for (const [name, arr] of [['means', means], ['scales', scales], ['coefficients', coefficients]] as const) {
    if (arr.length !== d) bad(`${name} has ${arr.length} entries, expected ${d} (${cols} columns + ${missingIndicators.length} indicators)`);
  }
  scales.forEach((s, j) => {
    if (!(s > 0)) bad(`scales[${j}] = ${s} is not positive`);
  });
  if (typeof o.intercept !== 'number' || !Number.isFinite(o.intercept)) bad('intercept is not a finite number');
  if (typeof o.iterations !== 'number' || !Number.isInteger(o.iterations) || o.iterations < 0) bad('iterations is not a non-negative integer');
  if (typeof o.converged !== 'boolean') bad('converged is not a boolean');
  return {
    kind: 'logistic',
    featureNames,
    means,
    scales,
    missingIndicators,
    coefficients,
    intercept: o.intercept as number,
    iterations: o.iterations as number,
    converged: o.converged as boolean,
  };
}

// ---------------------------------------------------------------------------------------------

function resolveParams(params: LogisticParams): { l2: number; maxIter: number; tol: number } {
  const l2 = params.l2 ?? DEFAULTS.l2;
  const maxIter = params.maxIter ?? DEFAULTS.maxIter;
  const tol = params.tol ?? DEFAULTS.tol;
  if (typeof l2 !== 'number' || !Number.isFinite(l2) || l2 < 0) throw new IriskError('CONFIG_INVALID', `l2 must be a finite number >= 0, got ${l2}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new IriskError('CONFIG_INVALID', `maxIter must be a positive integer, got ${maxIter}`);
  if (typeof tol !== 'number' || !Number.isFinite(tol) || tol <= 0) throw new IriskError('CONFIG_INVALID', `tol must be a finite number > 0, got ${tol}`);
  return { l2, maxIter, tol };
}

function marginAt(model: LogisticModel, values: ArrayLike<number>, offset: number, cols: number): number {
  const { means, scales, coefficients, missingIndicators } = model;
  let margin = model.intercept;
  for (let j = 0; j < cols; j++) {
    const v = values[offset + j]!;
    if (Number.isNaN(v)) continue; // imputed with the mean: standardised term 0
    if (!Number.isFinite(v)) throw new IriskError('DATASET_INVALID', `value ${v} in column "${model.featureNames[j]}" is not finite (use NaN for missing)`, { column: j });
    margin += (coefficients[j]! * (v - means[j]!)) / scales[j]!;
  }
  for (let k = 0; k < missingIndicators.length; k++) {
    const t = cols + k;
    const m = Number.isNaN(values[offset + missingIndicators[k]!]!) ? 1 : 0;
    margin += (coefficients[t]! * (m - means[t]!)) / scales[t]!;
  }
  return margin;
}


/** Penalised objective at `beta`, filling `margins`. The last coefficient (intercept) is not penalised. */
function evaluate(z: Float64Array, n: number, D: number, y: Uint8Array, beta: Float64Array, l2: number, margins: Float64Array): number {
  let loss = 0;
  for (let c0 = 0; c0 < n; c0 += CHUNK) {
    const c1 = Math.min(n, c0 + CHUNK);
    margins.fill(0, c0, c1);
    for (let a = 0; a < D; a++) {
      const c = beta[a]!;
      if (c === 0) continue;
      const off = a * n;
      for (let i = c0; i < c1; i++) margins[i]! += c * z[off + i]!;
    }
    for (let i = c0; i < c1; i++) {
      const m = margins[i]!;
      loss += softplus(m) - (y[i] === 1 ? m : 0);
    }
  }
  let penalty = 0;
  for (let a = 0; a < D - 1; a++) penalty += beta[a]! * beta[a]!;
  return loss + 0.5 * l2 * penalty;
}

/** Rows per cache-sized chunk in the Newton passes. */
const CHUNK = 2048;

/**
 * Gradient of the penalised objective at the point whose margins are given and, when `hess` is
 * given, its Hessian. Rows are taken in chunks small enough to stay in cache; within a chunk each
 * entry is one dot product, unrolled over four accumulators (a single one is latency-bound).
 */
function gradientAndHessian(
  z: Float64Array, n: number, D: number, y: Uint8Array, beta: Float64Array, l2: number,
  margins: Float64Array, grad: Float64Array, hess: Float64Array | null,
): void {
  grad.fill(0);
  hess?.fill(0);
  const r = new Float64Array(CHUNK);
  const w = new Float64Array(CHUNK);
  const wz = new Float64Array(CHUNK);
  for (let c0 = 0; c0 < n; c0 += CHUNK) {
    const len = Math.min(CHUNK, n - c0);
    for (let i = 0; i < len; i++) {
      const p = sigmoid(margins[c0 + i]!);
      r[i] = p - y[c0 + i]!;
      w[i] = p * (1 - p);
    }
    for (let a = 0; a < D; a++) {
      const offA = a * n + c0;
      grad[a]! += dot(r, z, offA, len);
      if (hess === null) continue;
      for (let i = 0; i < len; i++) wz[i] = w[i]! * z[offA + i]!;
      for (let b = a; b < D; b++) hess[a * D + b]! += dot(wz, z, b * n + c0, len);
    }
  }
  for (let a = 0; a < D - 1; a++) grad[a]! += l2 * beta[a]!;
  if (hess === null) return;
  for (let a = 0; a < D - 1; a++) hess[a * D + a]! += l2;
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) hess[a * D + b] = hess[b * D + a]!;
}

/** sum_i u[i] * v[off + i] for i < len. */
function dot(u: Float64Array, v: Float64Array, off: number, len: number): number {
  let h0 = 0, h1 = 0, h2 = 0, h3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    h0 += u[i]! * v[off + i]!;
    h1 += u[i + 1]! * v[off + i + 1]!;
    h2 += u[i + 2]! * v[off + i + 2]!;
    h3 += u[i + 3]! * v[off + i + 3]!;
  }
  for (; i < len; i++) h0 += u[i]! * v[off + i]!;
  return (h0 + h1) + (h2 + h3);
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let a = 0; a < v.length; a++) s += v[a]! * v[a]!;
  return Math.sqrt(s);
}

/**
 * Solves H x = g by Cholesky. When H is singular or too ill-conditioned for a stable factorisation,
 * retries with H + lambda I, lambda growing tenfold from 1e-10 * max diag (a Levenberg-damped step).
 */
function solveDamped(hess: Float64Array, g: Float64Array, D: number, x: Float64Array): void {
  let maxDiag = 0;
  for (let a = 0; a < D; a++) maxDiag = Math.max(maxDiag, Math.abs(hess[a * D + a]!));
  if (maxDiag === 0 || !Number.isFinite(maxDiag)) maxDiag = 1;
  const L = new Float64Array(D * D);
  for (let lambda = 0, attempt = 0; attempt < 40; attempt++, lambda = lambda === 0 ? 1e-10 * maxDiag : lambda * 10) {
    if (cholesky(hess, D, lambda, 1e-13 * maxDiag, L)) {
      // Forward then back substitution.
      for (let a = 0; a < D; a++) {
        let s = g[a]!;
        for (let b = 0; b < a; b++) s -= L[a * D + b]! * x[b]!;
        x[a] = s / L[a * D + a]!;
      }
      for (let a = D - 1; a >= 0; a--) {
        let s = x[a]!;
        for (let b = a + 1; b < D; b++) s -= L[b * D + a]! * x[b]!;
        x[a] = s / L[a * D + a]!;
      }
      return;
    }
  }
  throw new IriskError('INTERNAL', 'logistic regression: Hessian could not be factorised even with heavy damping');
}

/** Lower Cholesky factor of (H + lambda I) into L; false when a pivot is at or below `minPivot`. */
function cholesky(hess: Float64Array, D: number, lambda: number, minPivot: number, L: Float64Array): boolean {
  L.fill(0);
  for (let a = 0; a < D; a++) {
    for (let b = 0; b <= a; b++) {
      let s = hess[a * D + b]! + (a === b ? lambda : 0);
      for (let k = 0; k < b; k++) s -= L[a * D + k]! * L[b * D + k]!;
      if (a === b) {
        if (!(s > minPivot)) return false;
        L[a * D + a] = Math.sqrt(s);
      } else {
        L[a * D + b] = s / L[b * D + b]!;
      }
    }
  }
  return true;
}

/** Validated array of finite numbers, or `bad`. */
function finiteArray(v: unknown, name: string, bad: (why: string) => never): number[] {
  if (!Array.isArray(v)) return bad(`${name} is not an array`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) bad(`${name}[${i}] is not a finite number`);
  });
  return v as number[];
}
