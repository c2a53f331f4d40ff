/**
 * Seeded synthetic comparison scores with a known structure, for tests, benchmarks and demos of the
 * evaluation module: all-vs-all comparisons over subjects x eyes x captures, Gaussian distances with
 * per-eye offsets (so pairs sharing a person are correlated, as in real data).
 */
import { Rng } from '../../lib/rng.js';
import { PairScoresBuilder, type PairScores } from './pairs.js';

/** Shape and score distributions of a synthetic dataset. */
export interface SyntheticScoresOptions {
  subjects: number;
  eyesPerSubject?: 1 | 2;
  capturesPerEye?: number;
  genuineMean?: number;
  genuineSd?: number;
  impostorMean?: number;
  impostorSd?: number;
  /** Sd of a per-eye offset added to every genuine distance of that eye (between-subject spread). */
  eyeEffectSd?: number;
  seed?: number | string;
}

/**
 * All-vs-all synthetic scores. Genuine distance ~ N(genuineMean + eyeOffset, genuineSd); impostor
 * distance ~ N(impostorMean, impostorSd); both clipped to [0, 1].
 */
export function syntheticScores(options: SyntheticScoresOptions): PairScores {
  const {
    subjects,
    eyesPerSubject = 1,
    capturesPerEye = 3,
    genuineMean = 0.25,
    genuineSd = 0.05,
    impostorMean = 0.46,
    impostorSd = 0.02,
    eyeEffectSd = 0.03,
    seed = 1,
  } = options;
  const rng = new Rng(seed);
  const subjectOf: number[] = [];
  const eyeOf: number[] = [];
  const offset: number[] = [];
  for (let s = 0; s < subjects; s++) {
    for (let e = 0; e < eyesPerSubject; e++) {
      const eye = s * eyesPerSubject + e;
      offset[eye] = rng.normal(0, eyeEffectSd);
      for (let c = 0; c < capturesPerEye; c++) {
        subjectOf.push(s);
        eyeOf.push(eye);
      }
    }
  }
  const clip = (d: number): number => Math.min(1, Math.max(0, d));
  const b = new PairScoresBuilder();
  const n = subjectOf.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const genuine = eyeOf[i] === eyeOf[j];
      const d = genuine ? rng.normal(genuineMean + offset[eyeOf[i]!]!, genuineSd) : rng.normal(impostorMean, impostorSd);
      b.add(clip(d), subjectOf[i]!, subjectOf[j]!, genuine);
    }
  }
  return b.build();
}
