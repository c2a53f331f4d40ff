import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { errorCodeOf } from '../../../test/support.js';
import {
  binOf,
  binProportions,
  categoricalDriftStats,
  chiSquaredHomogeneity,
  chiSquaredSurvival,
  detectDrift,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksTwoSample,
  numericDriftStats,
  psiBand,
  psiFromProportions,
  referenceBins,
  wasserstein1,
} from './drift.js';

const normals = (rng: Rng, n: number, mean = 0, sd = 1): number[] => Array.from({ length: n }, () => rng.normal(mean, sd));
const sorted = (x: number[]): Float64Array => Float64Array.from(x).sort();

describe('Kolmogorov-Smirnov', () => {
  it('matches hand-computed statistics on small samples, ties included', () => {
    expect(ksTwoSample([1, 2, 3], [2, 3, 4]).statistic).toBeCloseTo(1 / 3, 12);
    expect(ksTwoSample([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).statistic).toBe(1);
    expect(ksTwoSample([1, 1, 2, 2], [1, 1, 2, 2]).statistic).toBe(0);
    // F_a jumps to 3/4 at 0, F_b to 1/4: the gap is largest at 0.
    expect(ksTwoSample([0, 0, 0, 1], [0, 1, 1, 1]).statistic).toBeCloseTo(0.5, 12);
  });

  it('uses the Kolmogorov distribution: published critical values 1.224, 1.358, 1.628 at 10%, 5%, 1%', () => {
    expect(kolmogorovSurvival(1.2238)).toBeCloseTo(0.1, 3);
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 3);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 3);
    // The two series agree where they switch.
    expect(kolmogorovSurvival(1.18 - 1e-12)).toBeCloseTo(kolmogorovSurvival(1.18), 9);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.2)).toBeCloseTo(1, 9);
  });

  it('p-value is Q((sqrt(ne) + 0.12 + 0.11/sqrt(ne)) D)', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.map((x) => x + 15); // D = 15/50
    const r = ksTwoSample(a, b);
    expect(r.statistic).toBeCloseTo(0.3, 12);
    expect(r.pValue).toBeCloseTo(kolmogorovSurvival((5 + 0.12 + 0.022) * 0.3), 12);
    expect(r.pValue).toBeGreaterThan(0.01);
    expect(r.pValue).toBeLessThan(0.05);
  });
});

describe('PSI and Jensen-Shannon', () => {
  it('bins from reference deciles, ties merged, out-of-range bins on both sides', () => {
    const ref = sorted(Array.from({ length: 100 }, (_, i) => i + 1));
    const b = referenceBins(ref);
    expect(b.cuts).toHaveLength(9);
    expect(b.cuts[0]).toBeCloseTo(10.9, 9); // type-7 quantile of 1..100 at 0.1
    const p = binProportions(b, ref);
    expect(p[0]).toBe(0);
    expect(p[p.length - 1]).toBe(0);
    for (let i = 1; i < p.length - 1; i++) expect(p[i]).toBeCloseTo(0.1, 9);
    expect(binOf(b, 0)).toBe(0);
    expect(binOf(b, 101)).toBe(11);
    // 60% zeros: the tied deciles collapse to one cut, so no empty bins in the reference.
    const tied = sorted([...Array(60).fill(0), ...Array.from({ length: 40 }, (_, i) => i + 1)]);
    const bt = referenceBins(tied);
    expect(bt.cuts[0]).toBe(0);
    expect(binProportions(bt, tied)[1]).toBeCloseTo(0.6, 12);
  });

  it('PSI is 0 on identical samples and matches a hand computation', () => {
    const x = normals(new Rng(1), 500);
    expect(numericDriftStats(x, x).psi).toBe(0);
    // (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5) = 0.17329 + 0.10137
    expect(psiFromProportions([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.274653, 5);
    // An empty bin on one side uses epsilon = 1e-4: (0.1 - 1e-4) ln(0.1/1e-4) + (0.9 - 1) ln(0.9)
    expect(psiFromProportions([1, 0], [0.9, 0.1])).toBeCloseTo(0.0999 * Math.log(1000) + -0.1 * Math.log(0.9), 9);
    expect(psiBand(0.05)).toBe('stable');
    expect(psiBand(0.1)).toBe('moderate');
    expect(psiBand(0.25)).toBe('significant');
  });

  it('Jensen-Shannon distance: 0 identical, 1 disjoint, and a hand-computed value', () => {
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
    // JSD([1,0],[.5,.5]) = 0.5 log2(4/3) + 0.25 log2(2/3) + 0.25 log2(2) = 0.311278
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(Math.sqrt(0.311278), 5);
    const s = numericDriftStats([1, 2, 3, 4, 5], [10, 11, 12]);
    expect(s.jensenShannon).toBe(1);
    expect(s.psiBand).toBe('significant');
  });
});

describe('Wasserstein', () => {
  it('is the area between CDFs', () => {
    expect(wasserstein1([0], [1])).toBe(1);
    expect(wasserstein1([0, 1], [0, 2])).toBeCloseTo(0.5, 12);
    expect(wasserstein1([1, 2, 3], [1, 2, 3])).toBe(0);
  });

  it('a shift by d gives d / sd (population sd of the reference)', () => {
    const x = normals(new Rng(2), 1000);
    const d = 0.37;
    const s = numericDriftStats(x, x.map((v) => v + d));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(s.wassersteinNormed).toBeCloseTo(d / sd, 9);
  });
});

describe('chi-squared', () => {
  it('survival matches published critical values', () => {
    expect(chiSquaredSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(18.307038, 10)).toBeCloseTo(0.05, 6);
    expect(chiSquaredSurvival(6.634897, 1)).toBeCloseTo(0.01, 6);
    expect(chiSquaredSurvival(4, 2)).toBeCloseTo(Math.exp(-2), 12); // df 2: exp(-x/2)
    expect(chiSquaredSurvival(0.5, 3)).toBeCloseTo(0.918891, 5);
  });

  it('homogeneity on a 2 x 2 table equals the pooled two-proportion z test squared', () => {
    // ref 30/70, cur 50/50: z = -0.2 / sqrt(0.4 * 0.6 * 0.02) = -2.88675, z^2 = 8.3333
    const r = chiSquaredHomogeneity([30, 70], [50, 50]);
    expect(r.statistic).toBeCloseTo(25 / 3, 9);
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(0.003892, 5);
  });

  it('categorical stats: counts, JS and a category absent from the reference', () => {
    const s = categoricalDriftStats(['a', 'a', 'b', null], ['a', 'c', 'c', 'c']);
    expect(s.categories).toEqual([
      { value: 'a', reference: 2, current: 1 },
      { value: 'b', reference: 1, current: 0 },
      { value: 'c', reference: 0, current: 3 },
    ]);
    expect(s.missingShare).toEqual({ reference: 0.25, current: 0 });
    expect(s.chi2!.df).toBe(2);
    expect(categoricalDriftStats(['x', 'x'], ['y']).jensenShannon).toBe(1);
  });
});

describe('detectDrift', () => {
  it('false alarms near the nominal 5% over 200 seeded same-distribution pairs (KS and chi-squared)', () => {
    let ks = 0;
    let chi = 0;
    const cats = ['a', 'b', 'c', 'd'];
    const weights = [0.4, 0.3, 0.2, 0.1];
    const draw = (rng: Rng): string => {
      let u = rng.next();
      for (let k = 0; k < cats.length; k++) if ((u -= weights[k]!) < 0) return cats[k]!;
      return cats[cats.length - 1]!;
    };
    for (let seed = 0; seed < 200; seed++) {
      const rng = new Rng(`drift-null:${seed}`);
      const d = detectDrift(normals(rng, 500), normals(rng, 400));
      expect(d.method).toBe('ks');
      if (d.drifted) ks++;
      const c = detectDrift(Array.from({ length: 500 }, () => draw(rng)), Array.from({ length: 400 }, () => draw(rng)));
      expect(c.method).toBe('chi2');
      if (c.drifted) chi++;
    }
    // Nominal 5% = 10 of 200; allow up to 10% and require the test is not vacuous.
    expect(ks / 200).toBeLessThanOrEqual(0.1);
    expect(chi / 200).toBeLessThanOrEqual(0.1);
    expect(ks + chi).toBeGreaterThan(0);
  });

  it('large references switch to normalised Wasserstein and Jensen-Shannon, which stay quiet without drift', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Rng(`drift-large:${seed}`);
      const d = detectDrift(normals(rng, 2000, 10, 3), normals(rng, 2000, 10, 3));
      expect(d.method).toBe('wasserstein');
      expect(d.threshold).toBe(0.1);
      expect(d.drifted).toBe(false);
      expect(d.psiBand).toBe('stable');
      const c = detectDrift(Array.from({ length: 2000 }, () => String(rng.int(0, 9))), Array.from({ length: 2000 }, () => String(rng.int(0, 9))));
      expect(c.method).toBe('jensen_shannon');
      expect(c.drifted).toBe(false);
    }
  });

  it('detects a mean shift of 0.3 sd at n = 2000, in every seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Rng(`drift-shift:${seed}`);
      const d = detectDrift(normals(rng, 2000), normals(rng, 2000, 0.3));
      expect(d.method).toBe('wasserstein');
      expect(d.drifted).toBe(true);
      expect(d.value!).toBeGreaterThan(0.2);
      // At n <= 1000 the KS test sees it too.
      const k = detectDrift(normals(rng, 1000), normals(rng, 1000, 0.3));
      expect(k.method).toBe('ks');
      expect(k.drifted).toBe(true);
    }
  });

  it('treats a numeric feature with <= 5 distinct reference values as categorical', () => {
    const rng = new Rng(5);
    const d = detectDrift(Array.from({ length: 300 }, () => rng.int(0, 3)), Array.from({ length: 300 }, () => rng.int(0, 3)));
    expect(d.kind).toBe('categorical');
    expect(d.method).toBe('chi2');
    const off = detectDrift([0, 1, 1, 2], [0, 1, 2, 2], { maxCategoricalDistinct: 0 });
    expect(off.kind).toBe('numeric');
    expect(off.method).toBe('ks');
  });

  it('rejects empty samples and non-numbers in a numeric feature with DATASET_INVALID', () => {
    expect(errorCodeOf(() => detectDrift([], [1, 2]))).toBe('DATASET_INVALID');
    expect(errorCodeOf(() => detectDrift([1, 2], []))).toBe('DATASET_INVALID');
    expect(errorCodeOf(() => detectDrift([1, 2], ['x'], { kind: 'numeric' }))).toBe('DATASET_INVALID');
    expect(errorCodeOf(() => referenceBins([1, 2], 1))).toBe('USAGE');
  });

  it('constant features: no drift when unchanged, drift when the constant moves', () => {
    const same = detectDrift(Array(50).fill(5), Array(40).fill(5));
    expect(same.drifted).toBe(false);
    expect(same.psi).toBe(0);
    const numeric = detectDrift(Array(50).fill(5), Array(40).fill(5), { maxCategoricalDistinct: 0 });
    expect(numeric.method).toBe('ks');
    expect(numeric.value).toBe(1);
    expect((numeric.stats as { wassersteinNormed: number }).wassersteinNormed).toBe(0);
    const moved = detectDrift(Array(50).fill(5), Array(40).fill(6));
    expect(moved.drifted).toBe(true);
    expect(moved.psiBand).toBe('significant');
    // Large constant reference, numeric: W = 1 / 0.001 (the sd floor).
    const big = detectDrift(Array(2000).fill(5), Array(40).fill(6), { maxCategoricalDistinct: 0 });
    expect(big.method).toBe('wasserstein');
    expect(big.value).toBeCloseTo(1000, 6);
  });

  it('missing values are reported as a share and left out; all-missing is reported, not tested', () => {
    const rng = new Rng(9);
    const ref = normals(rng, 200);
    const cur = [...ref.slice(0, 150), ...Array(50).fill(NaN)];
    const d = detectDrift(ref, cur);
    expect(d.stats.missingShare).toEqual({ reference: 0, current: 0.25 });
    expect(d.stats.n.current).toBe(150);
    expect(d.drifted).toBe(false);
    const none = detectDrift(ref, [null, NaN, undefined]);
    expect(none.stats.missingShare.current).toBe(1);
    expect(none.method).toBeNull();
    expect(none.drifted).toBe(false);
    expect(none.psi).toBeNull();
    const noneCat = detectDrift([null, null], ['a'], { kind: 'categorical' });
    expect(noneCat.method).toBeNull();
  });
});
