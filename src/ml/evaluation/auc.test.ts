import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { isIriskError } from '../../lib/errors.js';
import { delongAuc, delongVarianceOf, groupBinaryScores, normalCdf, normalQuantile, pairedDelong, rocAuc, twoSidedZ } from './auc.js';
import { expectErrorCode } from '../../../test/support.js';

/** Labels and integer-valued scores (many ties); positives shifted up by `shift`. */
function tiedData(seed: number, n: number, shift = 1.5): { y: number[]; s: number[] } {
  const rng = new Rng(seed);
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.chance(0.35) ? 1 : 0;
    y.push(label);
    s.push(Math.round(rng.normal(label * shift, 2)) - 3); // negative margins too
  }
  return { y, s };
}

/** Mann-Whitney kernel: 1 if the positive scores higher, 1/2 on a tie. */
const psi = (x: number, z: number): number => (x > z ? 1 : x === z ? 0.5 : 0);

function split(y: readonly number[], s: readonly number[]): { xs: number[]; zs: number[] } {
  return { xs: s.filter((_, i) => y[i] === 1), zs: s.filter((_, i) => y[i] === 0) };
}

function bruteAuc(y: readonly number[], s: readonly number[]): number {
  const { xs, zs } = split(y, s);
  let u = 0;
  for (const x of xs) for (const z of zs) u += psi(x, z);
  return u / (xs.length * zs.length);
}

/** Structural components V10 (per positive) and V01 (per negative) by direct definition. */
function bruteComponents(y: readonly number[], s: readonly number[]): { v10: number[]; v01: number[] } {
  const { xs, zs } = split(y, s);
  return {
    v10: xs.map((x) => zs.reduce((a, z) => a + psi(x, z), 0) / zs.length),
    v01: zs.map((z) => xs.reduce((a, x) => a + psi(x, z), 0) / xs.length),
  };
}

function sampleCov(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((p, v) => p + v, 0) / a.length;
  const mb = b.reduce((p, v) => p + v, 0) / b.length;
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma) * (b[i]! - mb);
  return c / (a.length - 1);
}

function binormal(rng: Rng, n1: number, n0: number, d: number): { y: number[]; s: number[] } {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < n1; i++) {
    y.push(1);
    s.push(rng.normal(d, 1));
  }
  for (let i = 0; i < n0; i++) {
    y.push(0);
    s.push(rng.normal(0, 1));
  }
  return { y, s };
}

const expectInvalid = (f: () => unknown, pattern?: RegExp): void => expectErrorCode(f, 'DATASET_INVALID', pattern);

describe('normal distribution helpers', () => {
  it('match reference values of Phi and its inverse', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 13);
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 13);
    expect(normalCdf(-20) / 2.7536241186062337e-89).toBeCloseTo(1, 12);
    expect(normalCdf(8)).toBe(1 - normalCdf(-8));
    expect(normalCdf(-40)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(twoSidedZ(0.95)).toBeCloseTo(1.959963984540054, 12);
    expect(twoSidedZ(0.99)).toBeCloseTo(2.5758293035489, 10);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const p of [1e-100, 1e-12, 0.001, 0.02, 0.3, 0.7, 0.9, 0.98, 0.999999]) {
      const x = normalQuantile(p);
      if (p >= 1e-3) expect(normalQuantile(1 - p)).toBeCloseTo(-x, 10); // below, 1 - p itself is too coarse
      const back = p > 0.5 ? 1 - normalCdf(-x) : normalCdf(x);
      expect(Math.abs(back - p) / Math.min(p, 1 - p)).toBeLessThan(1e-12);
    }
  });
});

describe('AUC', () => {
  it('equals the brute-force Mann-Whitney count on data with many ties', () => {
    for (const [seed, n] of [
      [1, 40],
      [2, 200],
      [3, 1000],
      [4, 7],
    ] as const) {
      const { y, s } = tiedData(seed, n);
      if (!y.includes(0) || !y.includes(1)) continue;
      expect(rocAuc(y, s)).toBeCloseTo(bruteAuc(y, s), 12);
      expect(groupBinaryScores(y, s).values.length).toBeLessThan(n); // ties really happen
    }
  });

  it('treats all-tied scores as chance and a perfect ranking as 1', () => {
    expect(rocAuc([0, 1, 0, 1], [3, 3, 3, 3])).toBe(0.5);
    const perfect = delongAuc([0, 0, 1, 1], [-2, -1, 5, 6]);
    expect(perfect).toEqual({ auc: 1, variance: 0, ci: [1, 1] });
    expect(rocAuc([0, 0, 1, 1], [5, 6, -2, -1])).toBe(0);
  });

  it('DeLong variance equals the structural-components formula', () => {
    for (const seed of [11, 12, 13]) {
      const { y, s } = tiedData(seed, 60, 1);
      const { v10, v01 } = bruteComponents(y, s);
      const expected = sampleCov(v10, v10) / v10.length + sampleCov(v01, v01) / v01.length;
      expect(delongVarianceOf(groupBinaryScores(y, s))).toBeCloseTo(expected, 14);
      expect(delongAuc(y, s).variance).toBeCloseTo(expected, 14);
    }
  });

  it('gives a CI that covers the true binormal AUC about 95% of the time', () => {
    const d = 1;
    const trueAuc = normalCdf(d / Math.SQRT2);
    const rng = new Rng('delong-coverage');
    let covered = 0;
    const sims = 300;
    for (let k = 0; k < sims; k++) {
      const { y, s } = binormal(rng, 80, 120, d);
      const { auc, ci } = delongAuc(y, s);
      expect(ci[0]).toBeLessThanOrEqual(auc);
      expect(ci[1]).toBeGreaterThanOrEqual(auc);
      if (ci[0] <= trueAuc && trueAuc <= ci[1]) covered++;
    }
    const coverage = covered / sims;
    expect(coverage).toBeGreaterThanOrEqual(0.9);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });

  it('keeps the logit CI inside (0, 1) near a perfect AUC', () => {
    const { y, s } = binormal(new Rng(5), 40, 40, 3.5);
    const { auc, ci } = delongAuc(y, s);
    expect(auc).toBeGreaterThan(0.97);
    expect(auc).toBeLessThan(1);
    expect(ci[0]).toBeGreaterThan(0.85);
    expect(ci[1]).toBeLessThan(1);
    expect(ci[1] - auc).toBeLessThan(auc - ci[0]); // skewed towards the boundary's far side
  });

  it('reports an inestimable variance with a single positive instead of a false certainty', () => {
    const r = delongAuc([1, 0, 0, 0], [0.9, 0.1, 0.5, 0.95]);
    expect(r.auc).toBeCloseTo(2 / 3, 12);
    expect(Number.isNaN(r.variance)).toBe(true);
    expect(r.ci).toEqual([0, 1]);
  });

  it('rejects bad input with DATASET_INVALID and a bad confidence with CONFIG_INVALID', () => {
    expectInvalid(() => rocAuc([0, 1], [0.5]));
    expectInvalid(() => rocAuc([0, 2], [0.1, 0.2]));
    expectInvalid(() => rocAuc([0, NaN], [0.1, 0.2]));
    expectInvalid(() => rocAuc([0, 1], [0.1, NaN]));
    expectInvalid(() => rocAuc([0, 1], [0.1, Infinity]));
    expectInvalid(() => rocAuc([1, 1], [0.1, 0.2]));
    expectInvalid(() => rocAuc([], []));
    expectInvalid(() => pairedDelong([0, 1, 0], [1, 2, 3], [1, 2]));
    expect(() => delongAuc([0, 1, 0, 1], [1, 2, 3, 4], 1)).toThrow(/Confidence/);
  });
});

describe('paired DeLong', () => {
  it('gives diff 0, se 0, CI [0, 0] and p = 1 for identical scores', () => {
    const { y, s } = tiedData(21, 300);
    const r = pairedDelong(y, s, s.slice());
    expect(r.diff).toBe(0);
    expect(r.se).toBe(0);
    expect(r.ci).toEqual([0, 0]);
    expect(r.pValue).toBe(1);
    expect(r.aucA).toBe(r.aucB);
  });

  it('handles a zero standard error with a non-zero difference without NaN', () => {
    const y = [0, 0, 1, 1];
    const r = pairedDelong(y, [1, 2, 3, 4], [7, 7, 7, 7]);
    expect(r).toEqual({ aucA: 1, aucB: 0.5, diff: 0.5, se: 0, ci: [0.5, 0.5], pValue: 0 });
  });

  it('matches the brute-force DeLong covariance of two correlated AUCs', () => {
    const rng = new Rng(31);
    const y: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 70; i++) {
      const label = rng.chance(0.4) ? 1 : 0;
      const shared = rng.normal();
      y.push(label);
      a.push(Math.round(label * 1.2 + shared + rng.normal(0, 0.5)));
      b.push(Math.round(2 * (label * 0.6 + shared + rng.normal(0, 1))) / 2);
    }
    const ca = bruteComponents(y, a);
    const cb = bruteComponents(y, b);
    const n1 = ca.v10.length;
    const n0 = ca.v01.length;
    const variance =
      (sampleCov(ca.v10, ca.v10) + sampleCov(cb.v10, cb.v10) - 2 * sampleCov(ca.v10, cb.v10)) / n1 +
      (sampleCov(ca.v01, ca.v01) + sampleCov(cb.v01, cb.v01) - 2 * sampleCov(ca.v01, cb.v01)) / n0;
    const r = pairedDelong(y, a, b);
    expect(r.aucA).toBeCloseTo(bruteAuc(y, a), 12);
    expect(r.aucB).toBeCloseTo(bruteAuc(y, b), 12);
    expect(r.se).toBeCloseTo(Math.sqrt(variance), 12);
    expect(r.pValue).toBeCloseTo(2 * normalCdf(-Math.abs(r.diff) / r.se), 12);
    // Swapping the models flips the sign and nothing else.
    const swapped = pairedDelong(y, b, a);
    expect(swapped.diff).toBeCloseTo(-r.diff, 14);
    expect(swapped.se).toBeCloseTo(r.se, 14);
    expect(swapped.pValue).toBeCloseTo(r.pValue, 14);
  });

  it('reduces to the single-model variance against a constant score', () => {
    const { y, s } = tiedData(41, 250);
    const r = pairedDelong(y, s, new Array<number>(s.length).fill(0));
    expect(r.aucB).toBe(0.5);
    expect(r.se * r.se).toBeCloseTo(delongAuc(y, s).variance, 14);
  });

  it('puts the CI for (good - bad) entirely above 0 when one model is clearly worse', () => {
    const rng = new Rng('paired-worse');
    const y: number[] = [];
    const good: number[] = [];
    const bad: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const label = rng.chance(0.2) ? 1 : 0;
      const shared = rng.normal();
      y.push(label);
      good.push(1.5 * label + shared + rng.normal(0, 0.5));
      bad.push(0.5 * label + shared + rng.normal(0, 0.5));
    }
    const r = pairedDelong(y, good, bad);
    expect(r.diff).toBeGreaterThan(0);
    expect(r.ci[0]).toBeGreaterThan(0);
    expect(r.ci[0]).toBeLessThan(r.diff);
    expect(r.ci[1]).toBeGreaterThan(r.diff);
    expect(r.pValue).toBeLessThan(1e-6);
  });
});
