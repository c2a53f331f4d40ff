import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { IriskError } from '../../lib/errors.js';
import type { PairScores } from './pairs.js';
import { pairScoresFromPairs } from './pairs.js';
import { sortScores } from './sorted-scores.js';
import { decidability, equalErrorRate, evaluateVerification, fmrFnmrAt, fnmrAtFmr, scoreSummary } from './biometric.js';

/** Pair scores from explicit genuine and impostor distances; subjects cycle so every set is valid. */
function fromLists(genuine: readonly number[], impostor: readonly number[], subjects = 4): PairScores {
  const n = genuine.length + impostor.length;
  const distance = new Float64Array(n);
  const subjectA = new Int32Array(n);
  const subjectB = new Int32Array(n);
  const flag = new Uint8Array(n);
  genuine.forEach((d, k) => {
    distance[k] = d;
    subjectA[k] = subjectB[k] = k % subjects;
    flag[k] = 1;
  });
  impostor.forEach((d, k) => {
    const p = genuine.length + k;
    distance[p] = d;
    subjectA[p] = k % subjects;
    subjectB[p] = (k + 1) % subjects;
  });
  return { distance, subjectA, subjectB, genuine: flag };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function gaussianScores(ng: number, ni: number, mg: number, sg: number, mi: number, si: number, seed: number): PairScores {
  const rng = new Rng(seed);
  return fromLists(
    Array.from({ length: ng }, () => rng.normal(mg, sg)),
    Array.from({ length: ni }, () => rng.normal(mi, si)),
    500,
  );
}

describe('verification metrics on Gaussian scores', () => {
  // Genuine N(0.28, 0.06), impostor N(0.46, 0.03). The curves cross where
  // (t - mi) / si = (mg - t) / sg: t = (mi sg + mg si) / (sg + si) = 0.40 and EER = phi(-(mi - mg) / (sg + si)) = phi(-2).
  const s = sortScores(gaussianScores(40_000, 200_000, 0.28, 0.06, 0.46, 0.03, 7));

  it('matches the analytic EER and its threshold', () => {
    const e = equalErrorRate(s);
    expect(e.eer).toBeCloseTo(phi(-2), 2);
    expect(Math.abs(e.eer - phi(-2))).toBeLessThan(0.003);
    expect(Math.abs(e.threshold - 0.4)).toBeLessThan(0.003);
  });

  it('matches the analytic FNMR at FMR 1%', () => {
    // FMR = 1% at t = mi + si * z_0.01; FNMR = 1 - phi((t - mg) / sg).
    const t = 0.46 + 0.03 * -2.3263478740408408;
    const p = fnmrAtFmr(s, 0.01);
    expect(p.resolvable).toBe(true);
    expect(Math.abs(p.fnmr! - (1 - phi((t - 0.28) / 0.06)))).toBeLessThan(0.004);
    expect(Math.abs(p.threshold! - t)).toBeLessThan(0.002);
    expect(p.fmr!).toBeLessThanOrEqual(0.01);
  });

  it('computes decidability from the sample moments', () => {
    const d = decidability(scoreSummary(s.genuine), scoreSummary(s.impostor))!;
    expect(Math.abs(d - 0.18 / Math.sqrt((0.06 ** 2 + 0.03 ** 2) / 2))).toBeLessThan(0.05);
  });
});

describe('exact small cases', () => {
  // Distinct thresholds and (FMR, FNMR) at each:
  // 0.10 (0, 0.8)  0.20 (0, 0.6)  0.30 (0.2, 0.4)  0.35 (0.2, 0.2)  0.40 (0.3, 0.2) ...
  const genuine = [0.1, 0.2, 0.3, 0.35, 0.5];
  const impostor = [0.3, 0.3, 0.4, 0.45, 0.5, 0.5, 0.55, 0.6, 0.65, 0.7];
  const s = sortScores(fromLists(genuine, impostor));

  it('applies "match if distance <= threshold"', () => {
    expect(fmrFnmrAt(s, 0.3)).toEqual({ fmr: 0.2, fnmr: 0.4 });
    expect(fmrFnmrAt(s, 0.5)).toEqual({ fmr: 0.6, fnmr: 0 });
    expect(fmrFnmrAt(s, 0.05)).toEqual({ fmr: 0, fnmr: 1 });
    expect(fmrFnmrAt(s, 0.29999)).toEqual({ fmr: 0, fnmr: 0.6 });
  });

  it('never splits a tied group of impostors to meet an FMR target', () => {
    // Accepting 0.30 would accept two impostors (FMR 0.2 > 0.1), so the threshold drops to 0.20 and
    // the genuine pair tied at 0.30 is rejected as well.
    expect(fnmrAtFmr(s, 0.1)).toEqual({ target: 0.1, resolvable: true, fnmr: 0.6, fmr: 0, threshold: 0.2 });
    expect(fnmrAtFmr(s, 0.15)).toEqual({ target: 0.15, resolvable: true, fnmr: 0.6, fmr: 0, threshold: 0.2 });
    // At 0.2 the ceiling admits the tied group, and the largest admissible threshold is 0.35.
    expect(fnmrAtFmr(s, 0.2)).toEqual({ target: 0.2, resolvable: true, fnmr: 0.2, fmr: 0.2, threshold: 0.35 });
  });

  it('flags targets below 1 / impostorPairs as not resolvable', () => {
    expect(fnmrAtFmr(s, 0.05)).toEqual({ target: 0.05, resolvable: false, fnmr: null, fmr: null, threshold: null });
  });

  it('reports the EER where the curves meet exactly', () => {
    expect(equalErrorRate(s)).toEqual({ eer: 0.2, threshold: 0.35 });
  });

  it('interpolates the EER between thresholds', () => {
    // 0.20 (0, 1/3)  0.30 (1/4, 1/3)  0.35 (1/4, 0): crossing a quarter of the way from 0.30 to 0.35.
    const e = equalErrorRate(fromLists([0.1, 0.2, 0.35], [0.3, 0.4, 0.5, 0.6]));
    expect(e.eer).toBeCloseTo(0.25, 12);
    expect(e.threshold).toBeCloseTo(0.3125, 12);
  });

  it('gives EER 0.5 when every score is tied', () => {
    expect(equalErrorRate(fromLists([0.4, 0.4], [0.4, 0.4, 0.4])).eer).toBeCloseTo(0.5, 12);
  });

  it('gives EER 0 and FNMR 0 for perfectly separated scores', () => {
    const sep = sortScores(fromLists([0.1, 0.15, 0.2, 0.22], Array.from({ length: 2000 }, (_, k) => 0.4 + (k % 100) / 1000)));
    const r = evaluateVerification(sep, { bootstrap: { replicates: 50 } });
    expect(r.eer).toBe(0);
    expect(r.eerThreshold).toBe(0.22);
    expect(r.eerCi).toEqual([0, 0]);
    expect(r.fnmrAtFmr['0.01']!.fnmr).toBe(0);
    expect(r.fnmrAtFmr['0.001']!.fnmr).toBe(0);
    expect(r.fnmrAtFmr['0.0001']!.resolvable).toBe(false);
    expect(r.fmrAtThreshold['0.32']).toMatchObject({ fmr: 0, fnmr: 0 });
  });
});

describe('report', () => {
  const s = sortScores(gaussianScores(2_000, 5_000, 0.28, 0.06, 0.46, 0.03, 3));
  const r = evaluateVerification(s, { bootstrap: { replicates: 100 }, enrolment: { attempted: 200, failed: 3 } });

  it('has the stable keys and survives a JSON round trip unchanged', () => {
    expect(Object.keys(r.fnmrAtFmr)).toEqual(['0.01', '0.001', '0.0001']);
    expect(Object.keys(r.fmrAtThreshold)).toEqual(['0.32', '0.345']);
    expect(r.genuinePairs).toBe(2_000);
    expect(r.impostorPairs).toBe(5_000);
    expect(r.decisionRule).toBe('match if distance <= threshold');
    expect(r.fte).toEqual({ rate: 0.015, failed: 3, attempted: 200 });
    expect(r.fnmrAtFmr['0.0001']).toMatchObject({ resolvable: false, fnmr: null, ci: null });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('agrees with the standalone functions', () => {
    expect(r.eer).toBe(equalErrorRate(s).eer);
    expect(r.fnmrAtFmr['0.01']!.fnmr).toBe(fnmrAtFmr(s, 0.01).fnmr);
    expect(r.fmrAtThreshold['0.345']!.fmr).toBe(fmrFnmrAt(s, 0.345).fmr);
  });

  it('omits intervals when the bootstrap is off', () => {
    const plain = evaluateVerification(s, { bootstrap: false });
    expect(plain.eerCi).toBeNull();
    expect(plain.bootstrap).toBeNull();
    expect(plain.eer).toBe(r.eer);
  });
});

describe('input validation', () => {
  const expectDatasetInvalid = (f: () => unknown, message: RegExp): void => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(IriskError);
      expect((e as IriskError).code).toBe('DATASET_INVALID');
      expect((e as IriskError).message).toMatch(message);
      return;
    }
    throw new Error('expected DATASET_INVALID');
  };

  it('rejects an empty genuine set', () => {
    expectDatasetInvalid(() => evaluateVerification(fromLists([], [0.4, 0.5])), /No genuine comparisons/);
  });

  it('rejects an empty impostor set', () => {
    expectDatasetInvalid(() => evaluateVerification(fromLists([0.2], [])), /No impostor comparisons/);
  });

  it('rejects a NaN distance, naming the pair', () => {
    expectDatasetInvalid(() => evaluateVerification(fromLists([0.2, 0.25], [0.4, NaN])), /pair #3 is NaN/);
  });

  it('rejects a genuine pair across subjects and mismatched columns', () => {
    const bad = fromLists([0.2], [0.4]);
    bad.subjectB[0] = 3;
    expectDatasetInvalid(() => sortScores(bad), /marked genuine but compares subjects/);
    expectDatasetInvalid(() => sortScores({ ...fromLists([0.2], [0.4]), genuine: new Uint8Array(1) }), /differ in length/);
    expectDatasetInvalid(
      () => pairScoresFromPairs([{ a: 0, b: 1, classA: 'x-L', classB: 'x-L', subjectA: 'x', subjectB: 'y', distance: 0.1 }]),
      /one subject/,
    );
  });

  it('rejects nonsense options with CONFIG_INVALID', () => {
    const ok = fromLists([0.2], [0.4]);
    expect(() => evaluateVerification(ok, { fmrTargets: [0] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => evaluateVerification(ok, { bootstrap: { replicates: 0 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('row-form input', () => {
  it('treats same eye class as genuine and different classes (even of one subject) as impostor', () => {
    const scores = pairScoresFromPairs([
      { a: 0, b: 1, classA: 's1-L', classB: 's1-L', subjectA: 's1', subjectB: 's1', distance: 0.2 },
      { a: 0, b: 2, classA: 's1-L', classB: 's1-R', subjectA: 's1', subjectB: 's1', distance: 0.45 },
      { a: 0, b: 3, classA: 's1-L', classB: 's2-L', subjectA: 's1', subjectB: 's2', distance: 0.47 },
    ]);
    expect(Array.from(scores.genuine)).toEqual([1, 0, 0]);
    const s = sortScores(scores);
    expect(s.subjectCount).toBe(2);
    expect(s.subjectNames).toEqual(['s1', 's2']);
    // The same-subject impostor pair is weighed through the fixed slot (index subjectCount).
    expect(Array.from(s.impostorPartner)).toEqual([2, 1]);
  });
});
