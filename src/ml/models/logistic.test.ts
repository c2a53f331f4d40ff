import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import type { FeatureMatrix, LabelledData } from '../data/dataset.js';
import {
  fitLogistic,
  logisticMargin,
  logisticRawCoefficients,
  logisticTermNames,
  parseLogistic,
  predictLogistic,
  predictLogisticMargins,
  serializeLogistic,
  type LogisticModel,
} from './logistic.js';
import { errorCodeOf } from '../../../test/support.js';

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

const codeOf = errorCodeOf;

/**
 * A seeded world with a known linear logit over raw features: intercept + sum w_j x_j (+ extra(x, i)).
 * `draw` makes one row of features; `hide` may blank values (NaN) after the label is drawn.
 */
function world(opts: {
  n: number;
  seed: number;
  intercept: number;
  weights: number[];
  draw: (rng: Rng) => number[];
  hide?: (rng: Rng, row: number[]) => boolean[];
  extra?: (hidden: boolean[]) => number;
}): LabelledData & { trueLogit: Float64Array; latent: Float64Array } {
  const rng = new Rng(opts.seed);
  const d = opts.weights.length;
  const values = new Float32Array(opts.n * d);
  const latent = new Float64Array(opts.n * d);
  const labels = new Uint8Array(opts.n);
  const trueLogit = new Float64Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    const x = opts.draw(rng).map((v) => Math.fround(v));
    const hidden = opts.hide ? opts.hide(rng, x) : x.map(() => false);
    let m = opts.intercept;
    for (let j = 0; j < d; j++) m += opts.weights[j]! * x[j]!;
    m += opts.extra ? opts.extra(hidden) : 0;
    trueLogit[i] = m;
    labels[i] = rng.chance(sigmoid(m)) ? 1 : 0;
    for (let j = 0; j < d; j++) {
      latent[i * d + j] = x[j]!;
      values[i * d + j] = hidden[j] ? NaN : x[j]!;
    }
  }
  const featureNames = Array.from({ length: d }, (_, j) => `x${j}`);
  return { rows: opts.n, cols: d, values, labels, featureNames, trueLogit, latent };
}

/** Inverse of a small symmetric positive-definite matrix (Gauss-Jordan), for standard errors. */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let k = 0; k < 2 * n; k++) m[c]![k]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let k = 0; k < 2 * n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** Asymptotic standard errors of (intercept, w...) at the true parameters: sqrt(diag(Fisher^-1)). */
function standardErrors(data: LabelledData & { trueLogit: Float64Array }): number[] {
  const D = data.cols + 1;
  const fisher = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  for (let i = 0; i < data.rows; i++) {
    const p = sigmoid(data.trueLogit[i]!);
    const w = p * (1 - p);
    const z = [1, ...Array.from(data.values.subarray(i * data.cols, (i + 1) * data.cols))];
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) fisher[a]![b]! += w * z[a]! * z[b]!;
  }
  const inv = invert(fisher);
  return inv.map((row, a) => Math.sqrt(row[a]!));
}

const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('fitLogistic: recovery of a known linear logit', () => {
  const intercept = -1.0;
  const weights = [0.8, -0.5, 1.2, 0.7];
  const data = world({
    n: 20_000,
    seed: 11,
    intercept,
    weights,
    draw: (r) => [r.normal(2, 1.5), r.uniform(-3, 3), r.normal(-1, 0.5), r.chance(0.3) ? 1 : 0],
  });
  const model = fitLogistic(data);

  it('converges in a few Newton steps', () => {
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeGreaterThan(1);
    expect(model.iterations).toBeLessThan(15);
    expect(model.missingIndicators).toEqual([]);
    expect(model.coefficients).toHaveLength(4);
  });

  it('recovers every raw coefficient within 4 asymptotic standard errors', () => {
    // SE ~ 1/sqrt(n * E[p(1-p) x^2]): with n = 20,000 they are a few hundredths, so the check has teeth.
    // The default l2 = 1 moves a standardised coefficient by about l2 * beta / (n * E[p(1-p)]) ~ 1e-4: negligible.
    const se = standardErrors(data);
    const raw = logisticRawCoefficients(model);
    const truth = [intercept, ...weights];
    const got = [raw.intercept, ...raw.coefficients];
    for (let a = 0; a < truth.length; a++) {
      expect(se[a]!).toBeLessThan(0.06);
      expect(Math.abs(got[a]! - truth[a]!)).toBeLessThan(4 * se[a]!);
    }
  });

  it('predicts probabilities close to the true ones, and margins consistent with the raw coefficients', () => {
    const p = predictLogistic(model, data);
    const margins = predictLogisticMargins(model, data);
    const raw = logisticRawCoefficients(model);
    let meanAbs = 0;
    let sameMargin = 0;
    for (let i = 0; i < data.rows; i++) {
      meanAbs += Math.abs(p[i]! - sigmoid(data.trueLogit[i]!));
      const row = data.values.subarray(i * 4, i * 4 + 4);
      if (logisticMargin(model, row) === margins[i]) sameMargin++;
      if (i < 50) {
        const m = raw.intercept + raw.coefficients.reduce((s, c, j) => s + c * row[j]!, 0);
        expect(margins[i]).toBeCloseTo(m, 9);
        expect(p[i]).toBeCloseTo(sigmoid(m), 12);
      }
    }
    expect(sameMargin).toBe(data.rows);
    expect(meanAbs / data.rows).toBeLessThan(0.01);
  });

  it('fits 150,000 x 10 rows in well under a few seconds', () => {
    const big = world({
      n: 150_000,
      seed: 5,
      intercept: -2,
      weights: [0.5, -0.3, 0.2, 0.1, 0, 0.4, -0.6, 0.05, 0.3, -0.2],
      draw: (r) => Array.from({ length: 10 }, () => r.normal(0, 1)),
      hide: (r) => Array.from({ length: 10 }, (_, j) => j < 3 && r.chance(0.1)),
    });
    const t0 = performance.now();
    const m = fitLogistic(big);
    const ms = performance.now() - t0;
    expect(m.converged).toBe(true);
    expect(m.missingIndicators).toEqual([0, 1, 2]);
    expect(ms).toBeLessThan(3000); // typically 0.3-0.8 s on a shared 2-core machine
  });
});

describe('fitLogistic: missing values', () => {
  // x1 is missing completely at random for 30% of rows; in the informative world, missingness also adds
  // +1.5 to the logit. Marginalising the unseen x1 (0.8 * N(0,1)) attenuates the missing group's logit by
  // about 1/sqrt(1 + pi * 0.64 / 8) = 0.89, so the indicator's raw coefficient should land near
  // 0.89 * (1.5 - 0.5) + 0.5 = 1.4 when informative and near 0.05 when not.
  const make = (informative: boolean, seed: number): ReturnType<typeof world> =>
    world({
      n: 20_000,
      seed,
      intercept: -0.5,
      weights: [1.0, 0.8],
      draw: (r) => [r.normal(0, 1), r.normal(0, 1)],
      hide: (r) => [false, r.chance(0.3)],
      extra: (hidden) => (informative && hidden[1] ? 1.5 : 0),
    });
  const informative = make(true, 21);
  const control = make(false, 22);
  const mInf = fitLogistic(informative);
  const mCtl = fitLogistic(control);

  it('adds one indicator per column that had missing values, named after it', () => {
    expect(mInf.missingIndicators).toEqual([1]);
    expect(mInf.coefficients).toHaveLength(3);
    expect(mInf.means).toHaveLength(3);
    expect(mInf.means[2]).toBeCloseTo(0.3, 1);
    expect(logisticTermNames(mInf)).toEqual(['x0', 'x1', 'x1 (missing)']);
  });

  it('learns the indicator when missingness is informative, and not otherwise', () => {
    const inf = logisticRawCoefficients(mInf).coefficients[2]!;
    const ctl = logisticRawCoefficients(mCtl).coefficients[2]!;
    expect(inf).toBeGreaterThan(1.1);
    expect(inf).toBeLessThan(1.7);
    expect(Math.abs(ctl)).toBeLessThan(0.2);
  });

  it('predicts rows with NaN: mean imputation plus the indicator, exactly', () => {
    const p = predictLogistic(mInf, informative);
    let inside = 0;
    for (let i = 0; i < informative.rows; i++) if (p[i]! > 0 && p[i]! < 1) inside++;
    expect(inside).toBe(informative.rows);
    const raw = logisticRawCoefficients(mInf);
    const withMean = logisticMargin(mInf, [0.7, mInf.means[1]!]);
    const missing = logisticMargin(mInf, [0.7, NaN]);
    expect(missing - withMean).toBeCloseTo(raw.coefficients[2]!, 10);
    // The model predicts much higher risk for missing x1, as the world does.
    expect(sigmoid(missing)).toBeGreaterThan(sigmoid(withMean) + 0.2);
  });

  it('imputes a column that was never missing in training with its mean, without an indicator', () => {
    expect(logisticMargin(mInf, [NaN, 0.25])).toBe(logisticMargin(mInf, [mInf.means[0]!, 0.25]));
  });

  it('survives a column that is entirely missing and a constant column, even without a penalty', () => {
    const base = make(false, 23);
    const n = base.rows;
    const values = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      values[i * 4] = base.values[i * 2]!;
      values[i * 4 + 1] = base.values[i * 2 + 1]!;
      values[i * 4 + 2] = NaN;
      values[i * 4 + 3] = 0.1;
    }
    const data: LabelledData = { rows: n, cols: 4, values, labels: base.labels, featureNames: ['a', 'b', 'gone', 'const'] };
    for (const l2 of [0, 1]) {
      const m = fitLogistic(data, { l2 });
      expect(m.converged).toBe(true);
      expect(m.missingIndicators).toEqual([1, 2]);
      expect(m.scales[2]).toBe(1);
      expect(m.scales[3]).toBe(1);
      expect(m.means[3]).toBe(Math.fround(0.1));
      expect(m.coefficients[2]).toBe(0);
      expect(m.coefficients[3]).toBe(0);
      expect(m.coefficients[5]).toBe(0); // indicator of "gone" is constant 1
      expect(Number.isFinite(logisticMargin(m, [0, 0, 5, 7]))).toBe(true);
    }
  });
});

describe('fitLogistic: L2 penalty', () => {
  const data = world({
    n: 400,
    seed: 31,
    intercept: 1.2,
    weights: [1.5, -1.0, 0.5],
    draw: (r) => [r.normal(0, 1), r.normal(3, 2), r.uniform(0, 10)],
  });

  it('shrinks the coefficient norm monotonically as l2 grows, but never the intercept toward 0', () => {
    const l2s = [0, 0.1, 1, 10, 100, 1000, 1e4, 1e6];
    const models = l2s.map((l2) => fitLogistic(data, { l2 }));
    const norms = models.map((m) => norm(m.coefficients));
    for (const m of models) expect(m.converged).toBe(true);
    for (let k = 1; k < norms.length; k++) expect(norms[k]).toBeLessThan(norms[k - 1]!);
    expect(norms[0]).toBeGreaterThan(1);
    expect(norms.at(-1)).toBeLessThan(1e-3);
    // With every coefficient shrunk to ~0, the unpenalised intercept is the log-odds of the base rate.
    let pos = 0;
    for (const y of data.labels) pos += y;
    const rate = pos / data.rows;
    expect(models.at(-1)!.intercept).toBeCloseTo(Math.log(rate / (1 - rate)), 2);
  });

  it('reports maxIter without convergence when the iteration budget runs out', () => {
    const m = fitLogistic(data, { maxIter: 1 });
    expect(m.iterations).toBe(1);
    expect(m.converged).toBe(false);
    const full = fitLogistic(data);
    expect(full.converged).toBe(true);
    expect(full.iterations).toBeGreaterThan(1);
  });

  it('keeps coefficients finite and moderate on separable data only with a penalty', () => {
    // Without a penalty the maximum-likelihood coefficient is infinite: Newton walks off until the
    // loss is flat to working precision (the gradient vanishes, so the stopping rule is met).
    const n = 200;
    const values = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = i - 99.5;
      labels[i] = i >= 100 ? 1 : 0;
    }
    const sep: LabelledData = { rows: n, cols: 1, values, labels, featureNames: ['x'] };
    const free = fitLogistic(sep, { l2: 0, maxIter: 50 });
    expect(Number.isFinite(free.coefficients[0])).toBe(true);
    expect(free.coefficients[0]).toBeGreaterThan(100);
    const ridge = fitLogistic(sep, { l2: 1 });
    expect(ridge.converged).toBe(true);
    expect(ridge.coefficients[0]).toBeLessThan(20);
    const p = predictLogistic(ridge, sep);
    expect(p[0]).toBeLessThan(0.01);
    expect(p[n - 1]).toBeGreaterThan(0.99);
    expect(p[99]).toBeLessThan(0.5);
    expect(p[100]).toBeGreaterThan(0.5);
  });
});

describe('logistic model JSON', () => {
  const data = world({
    n: 3000,
    seed: 41,
    intercept: 0.3,
    weights: [0.9, -0.4],
    draw: (r) => [r.normal(0, 1), r.normal(0, 1)],
    hide: (r) => [r.chance(0.2), false],
  });
  const model = fitLogistic(data);

  it('round-trips to identical predictions', () => {
    const text = serializeLogistic(model);
    const back = parseLogistic(text);
    expect(back).toEqual(model);
    expect(predictLogistic(back, data)).toEqual(predictLogistic(model, data));
    expect(serializeLogistic(back)).toBe(text);
  });

  const mutate = (f: (o: Record<string, unknown>) => void): string => {
    const o = JSON.parse(serializeLogistic(model)) as Record<string, unknown>;
    f(o);
    return JSON.stringify(o);
  };

  it.each<[string, string]>([
    ['not JSON', '{"kind": "logistic",'],
    ['a JSON array', '[1, 2]'],
    ['wrong kind', mutate((o) => (o.kind = 'xgboost'))],
    ['coefficients too short', mutate((o) => (o.coefficients as number[]).pop())],
    ['means too long', mutate((o) => (o.means as number[]).push(0))],
    ['indicator index out of range', mutate((o) => (o.missingIndicators = [2]))],
    ['indicators not increasing', mutate((o) => { o.missingIndicators = [0, 0]; (o.means as number[]).push(0); (o.scales as number[]).push(1); (o.coefficients as number[]).push(0); })],
    ['non-finite coefficient', serializeLogistic(model).replace(/"intercept":[^,]+/, '"intercept":1e400')],
    ['null in means', mutate((o) => ((o.means as unknown[])[0] = null))],
    ['string coefficient', mutate((o) => ((o.coefficients as unknown[])[1] = '0.5'))],
    ['zero scale', mutate((o) => ((o.scales as number[])[0] = 0))],
    ['feature names not strings', mutate((o) => (o.featureNames = [1, 2]))],
    ['missing field', mutate((o) => delete o.intercept)],
    ['unknown field', mutate((o) => (o.extra = 1))],
    ['fractional iterations', mutate((o) => (o.iterations = 2.5))],
  ])('rejects %s with MODEL_INVALID', (_, text) => {
    expect(codeOf(() => parseLogistic(text))).toBe('MODEL_INVALID');
  });
});

describe('fitLogistic / predict: invalid input', () => {
  const names = ['a', 'b'];
  const ok: LabelledData = { rows: 4, cols: 2, values: new Float32Array([0, 1, 1, 0, 2, 2, 3, 1]), labels: new Uint8Array([0, 1, 0, 1]), featureNames: names };

  it('rejects zero rows, a single class, non-0/1 labels and infinite values with DATASET_INVALID', () => {
    expect(codeOf(() => fitLogistic({ ...ok, rows: 0, values: new Float32Array(0), labels: new Uint8Array(0) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, labels: new Uint8Array([1, 1, 1, 1]) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, labels: new Uint8Array([0, 0, 0, 0]) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, labels: new Uint8Array([0, 2, 0, 1]) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, values: new Float32Array([0, 1, Infinity, 0, 2, 2, 3, 1]) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, labels: new Uint8Array([0, 1, 0]) }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic({ ...ok, featureNames: ['a', 'a'] }))).toBe('DATASET_INVALID');
    expect(codeOf(() => fitLogistic(ok))).toBe('none');
  });

  it('rejects bad parameters with CONFIG_INVALID', () => {
    expect(codeOf(() => fitLogistic(ok, { l2: -1 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitLogistic(ok, { l2: NaN }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitLogistic(ok, { maxIter: 0 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => fitLogistic(ok, { tol: 0 }))).toBe('CONFIG_INVALID');
  });

  it('refuses to score a matrix whose columns do not match the model', () => {
    const model: LogisticModel = fitLogistic(ok);
    const swapped: FeatureMatrix = { rows: 1, cols: 2, values: new Float32Array([1, 2]), featureNames: ['b', 'a'] };
    const narrow: FeatureMatrix = { rows: 1, cols: 1, values: new Float32Array([1]), featureNames: ['a'] };
    expect(codeOf(() => predictLogistic(model, swapped))).toBe('DATASET_INVALID');
    expect(codeOf(() => predictLogistic(model, narrow))).toBe('DATASET_INVALID');
    expect(codeOf(() => logisticMargin(model, [1]))).toBe('DATASET_INVALID');
    expect(codeOf(() => logisticMargin(model, [1, -Infinity]))).toBe('DATASET_INVALID');
    expect(codeOf(() => predictLogistic(model, ok, new Float64Array(3)))).toBe('CONFIG_INVALID');
    const out = new Float64Array(4);
    expect(predictLogistic(model, ok, out)).toBe(out);
  });
});
