import { describe, it, expect } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { PairScoresBuilder } from './pairs.js';
import { sortScores } from './sorted-scores.js';
import { eerOf, fillSubjectWeights, fnmrAtFmrOf, unitWeights } from './operating-points.js';
import { percentileInterval, subjectBootstrap } from './bootstrap.js';
import { evaluateVerification } from './biometric.js';
import { syntheticScores } from './synthetic-scores.js';

interface Capture {
  subject: number;
  eye: number;
}

/** All-vs-all pairs over `captures`, distances looked up in a capture x capture matrix. */
function allVsAll(captures: readonly Capture[], dist: (i: number, j: number) => number, ids: readonly number[]): ReturnType<PairScoresBuilder['build']> {
  const b = new PairScoresBuilder();
  for (let x = 0; x < ids.length; x++) {
    for (let y = x + 1; y < ids.length; y++) {
      const i = ids[x]!;
      const j = ids[y]!;
      b.add(dist(i, j), captures[i]!.subject, captures[j]!.subject, captures[i]!.eye === captures[j]!.eye);
    }
  }
  return b.build();
}

describe('subjects bootstrap weighting', () => {
  it('equals rebuilding the dataset from the resampled subjects', () => {
    const rng = new Rng(11);
    const captures: Capture[] = [];
    for (let s = 0; s < 7; s++) for (let e = 0; e < 2; e++) for (let c = 0; c < 3; c++) captures.push({ subject: s, eye: s * 2 + e });
    const n = captures.length;
    const D = Array.from({ length: n }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const same = captures[i]!.eye === captures[j]!.eye;
        // Round to 1/200 so that ties occur, as with real Hamming distances.
        D[i]![j] = D[j]![i] = Math.round((same ? rng.normal(0.3, 0.07) : rng.normal(0.42, 0.04)) * 200) / 200;
      }
    }
    const s = sortScores(allVsAll(captures, (i, j) => D[i]![j]!, captures.map((_, k) => k)));
    const w = unitWeights(s);

    for (let trial = 0; trial < 20; trial++) {
      const mult = new Float64Array(8);
      for (let j = 0; j < 7; j++) mult[rng.int(0, 6)]!++;
      mult[7] = 1;
      // Materialise: every drawn copy of a subject brings its captures; copies of one subject are
      // never compared with each other (they would be the same captures).
      const copies: Capture[] = [];
      const source: number[] = [];
      let copyId = 0;
      for (let sub = 0; sub < 7; sub++) {
        for (let c = 0; c < mult[sub]!; c++, copyId++) {
          captures.forEach((cap, k) => {
            if (cap.subject !== sub) return;
            copies.push({ subject: 1000 + copyId, eye: 1000 * copyId + cap.eye });
            source.push(k);
          });
        }
      }
      const rebuilt = allVsAll(copies, (x, y) => D[source[x]!]![source[y]!]!, copies.map((_, k) => k));
      // Copies of one subject compare as different subjects above; drop those pairs.
      const keep: number[] = [];
      const subjectOfCopy = (x: number): number => captures[source[x]!]!.subject;
      let p = 0;
      for (let x = 0; x < copies.length; x++) {
        for (let y = x + 1; y < copies.length; y++, p++) {
          const sameSubject = subjectOfCopy(x) === subjectOfCopy(y);
          const sameCopy = copies[x]!.subject === copies[y]!.subject;
          if (!sameSubject || sameCopy) keep.push(p);
        }
      }
      const filtered = {
        distance: Float64Array.from(keep, (k) => rebuilt.distance[k]!),
        subjectA: Int32Array.from(keep, (k) => rebuilt.subjectA[k]!),
        subjectB: Int32Array.from(keep, (k) => rebuilt.subjectB[k]!),
        genuine: Uint8Array.from(keep, (k) => rebuilt.genuine[k]!),
      };
      fillSubjectWeights(s, mult, w);
      if (w.genuine[s.genuine.length] === 0) continue;
      const m = sortScores(filtered);
      const mw = unitWeights(m);
      expect(w.genuine[s.genuine.length]).toBe(m.genuine.length);
      expect(w.impostor[s.impostor.length]).toBe(m.impostor.length);
      expect(eerOf(s, w).eer).toBeCloseTo(eerOf(m, mw).eer, 12);
      for (const target of [0.01, 0.05]) expect(fnmrAtFmrOf(s, w, target).fnmr).toBeCloseTo(fnmrAtFmrOf(m, mw, target).fnmr, 12);
    }
  });
});

describe('subjects bootstrap intervals', () => {
  const world = (subjects: number, seed: number) =>
    sortScores(
      syntheticScores({ subjects, capturesPerEye: 3, genuineSd: 0.06, impostorMean: 0.42, impostorSd: 0.03, eyeEffectSd: 0.04, seed }),
    );
  const small = world(50, 5);
  const large = world(200, 5);
  const options = { fmrTargets: [0.01], bootstrap: { replicates: 300, seed: 9 } };
  const rs = evaluateVerification(small, options);
  const rl = evaluateVerification(large, options);

  it('contains the point estimate', () => {
    for (const r of [rs, rl]) {
      expect(r.eer).toBeGreaterThan(0);
      expect(r.eerCi![0]).toBeLessThanOrEqual(r.eer);
      expect(r.eerCi![1]).toBeGreaterThanOrEqual(r.eer);
      const f = r.fnmrAtFmr['0.01']!;
      expect(f.ci![0]).toBeLessThanOrEqual(f.fnmr!);
      expect(f.ci![1]).toBeGreaterThanOrEqual(f.fnmr!);
      expect(r.bootstrap).toMatchObject({ method: 'subjects', replicates: 300, validReplicates: 300 });
    }
  });

  it('narrows with more subjects', () => {
    const width = (ci: [number, number] | null): number => ci![1] - ci![0];
    expect(width(rl.eerCi)).toBeLessThan(0.75 * width(rs.eerCi));
    expect(width(rl.fnmrAtFmr['0.01']!.ci)).toBeLessThan(0.75 * width(rs.fnmrAtFmr['0.01']!.ci));
  });

  it('is reproducible from its seed', () => {
    const again = evaluateVerification(small, options);
    expect(again.eerCi).toEqual(rs.eerCi);
    expect(again.fnmrAtFmr).toEqual(rs.fnmrAtFmr);
    const other = evaluateVerification(small, { ...options, bootstrap: { replicates: 300, seed: 10 } });
    expect(other.eerCi).not.toEqual(rs.eerCi);
    expect(other.eer).toBe(rs.eer);
  });

  it('skips replicates that draw no genuine pair', () => {
    // Only subject 0 has a genuine pair; 1 - (1 - 1/3)^3 of replicates draw it.
    const b = new PairScoresBuilder();
    b.add(0.2, 0, 0, true);
    b.add(0.45, 0, 1, false);
    b.add(0.5, 1, 2, false);
    b.add(0.3, 0, 2, false);
    const reps = subjectBootstrap(sortScores(b.build()), { fmrTargets: [], thresholds: [0.32] }, { replicates: 400, seed: 3 });
    expect(reps.valid).toBeGreaterThan(200);
    expect(reps.valid).toBeLessThan(400);
    expect(Array.from(reps.eer).filter(Number.isNaN).length).toBe(400 - reps.valid);
  });
});

describe('percentileInterval', () => {
  it('interpolates order statistics and ignores non-finite values', () => {
    const v = Array.from({ length: 101 }, (_, k) => k);
    const [lo, hi] = percentileInterval(v, 0.95)!;
    expect(lo).toBeCloseTo(2.5, 10);
    expect(hi).toBeCloseTo(97.5, 10);
    expect(percentileInterval([NaN, 1, 3, NaN], 0.5)).toEqual([1.5, 2.5]);
    expect(percentileInterval([NaN])).toBeNull();
  });
});
