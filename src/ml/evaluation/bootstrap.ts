/**
 * Subjects bootstrap for verification metrics. Comparisons are not independent: every pair touching
 * one person shares that person's iris texture, capture habits and failure modes, so resampling pairs
 * gives intervals that are far too narrow. Instead we resample *subjects* with replacement and rebuild
 * the comparison set from them (Bolle, Ratha & Pankanti's "subsets bootstrap"; see also Schuckers,
 * "Computational Methods in Biometric Authentication", 2010).
 *
 * Rebuilding, with mult(s) the number of times subject s was drawn:
 * - a genuine pair of subject s is counted mult(s) times (each copy of the subject brings its own
 *   within-subject comparisons; comparisons *between* two copies of one subject would compare
 *   captures with themselves, which no evaluation contains, so they are not added: not mult(s)^2);
 * - an impostor pair of subjects a != b is counted mult(a) * mult(b) times (every copy of a meets
 *   every copy of b);
 * - an impostor pair between the two eyes of one subject is counted mult(s) times (as genuine).
 *
 * Counting is done with weights over scores sorted once, never by materialising duplicated arrays,
 * so a replicate costs one pass over the pairs plus a few binary searches.
 */
import { Rng } from '../../lib/rng.js';
import { IriskError } from '../../lib/errors.js';
import { countAtOrBelow, type SortedScores } from './sorted-scores.js';
import { eerOf, fillSubjectWeights, fnmrAtFmrOf, ratesAt, type CumulativeWeights } from './operating-points.js';

/** How to run the bootstrap. */
export interface BootstrapOptions {
  /** Number of replicates (default 1000). */
  replicates?: number;
  /** Seed for the subject draws (default 1). Same seed, same intervals. */
  seed?: number | string;
  /** Two-sided coverage of the percentile intervals (default 0.95). */
  confidence?: number;
}

/** Which statistics each replicate recomputes. */
export interface BootstrapPlan {
  /** FMR ceilings for FNMR@FMR. */
  fmrTargets: readonly number[];
  /** Fixed thresholds for FMR and FNMR. */
  thresholds: readonly number[];
}

/**
 * Replicate values, one entry per replicate. A replicate whose resample holds no genuine or no
 * impostor pair cannot define the rates; its entries are NaN and it is not counted in `valid`.
 */
export interface BootstrapReplicates {
  replicates: number;
  valid: number;
  seed: number | string;
  eer: Float64Array;
  /** Indexed like `plan.fmrTargets`. */
  fnmrAtFmr: Float64Array[];
  /** Indexed like `plan.thresholds`. */
  fmrAtThreshold: Float64Array[];
  fnmrAtThreshold: Float64Array[];
}

/** 1000 replicates, seed 1, 95% intervals. */
export const DEFAULT_BOOTSTRAP: Required<BootstrapOptions> = { replicates: 1000, seed: 1, confidence: 0.95 };

/** Checks bootstrap options, throwing CONFIG_INVALID on nonsense. */
export function resolveBootstrapOptions(options: BootstrapOptions = {}): Required<BootstrapOptions> {
  const o = { ...DEFAULT_BOOTSTRAP, ...options };
  if (!Number.isInteger(o.replicates) || o.replicates < 1) {
    throw new IriskError('CONFIG_INVALID', `Bootstrap replicates must be a positive integer, got ${o.replicates}`, { replicates: o.replicates });
  }
  if (!(o.confidence > 0 && o.confidence < 1)) {
    throw new IriskError('CONFIG_INVALID', `Bootstrap confidence must lie strictly between 0 and 1, got ${o.confidence}`, { confidence: o.confidence });
  }
  return o;
}

/**
 * Runs the subjects bootstrap: per replicate, draws subjectCount subjects with replacement (seeded),
 * weights every pair by the rule in this module's header and recomputes EER, FNMR at each FMR target
 * and FMR/FNMR at each fixed threshold.
 */
export function subjectBootstrap(s: SortedScores, plan: BootstrapPlan, options: BootstrapOptions = {}): BootstrapReplicates {
  const { replicates, seed } = resolveBootstrapOptions(options);
  const rng = new Rng(seed);
  const S = s.subjectCount;
  const mult = new Float64Array(S + 1);
  const w: CumulativeWeights = { genuine: new Float64Array(s.genuine.length + 1), impostor: new Float64Array(s.impostor.length + 1) };
  const thresholdCounts = plan.thresholds.map((t) => [countAtOrBelow(s.genuine, t), countAtOrBelow(s.impostor, t)] as const);

  const eer = new Float64Array(replicates);
  const fnmrAtFmr = plan.fmrTargets.map(() => new Float64Array(replicates));
  const fmrAtThreshold = plan.thresholds.map(() => new Float64Array(replicates));
  const fnmrAtThreshold = plan.thresholds.map(() => new Float64Array(replicates));
  let valid = 0;
  for (let r = 0; r < replicates; r++) {
    mult.fill(0);
    for (let j = 0; j < S; j++) mult[rng.int(0, S - 1)]!++;
    mult[S] = 1;
    fillSubjectWeights(s, mult, w);
    if (w.genuine[s.genuine.length]! === 0 || w.impostor[s.impostor.length]! === 0) {
      eer[r] = NaN;
      for (const a of fnmrAtFmr) a[r] = NaN;
      for (const a of fmrAtThreshold) a[r] = NaN;
      for (const a of fnmrAtThreshold) a[r] = NaN;
      continue;
    }
    valid++;
    eer[r] = eerOf(s, w).eer;
    for (let k = 0; k < plan.fmrTargets.length; k++) fnmrAtFmr[k]![r] = fnmrAtFmrOf(s, w, plan.fmrTargets[k]!).fnmr;
    for (let k = 0; k < thresholdCounts.length; k++) {
      const [g, i] = thresholdCounts[k]!;
      const rates = ratesAt(w, g, i);
      fmrAtThreshold[k]![r] = rates.fmr;
      fnmrAtThreshold[k]![r] = rates.fnmr;
    }
  }
  return { replicates, valid, seed, eer, fnmrAtFmr, fmrAtThreshold, fnmrAtThreshold };
}

/**
 * Two-sided percentile interval of the finite values (linear interpolation between order statistics,
 * "type 7"). Null when there are no finite values.
 */
export function percentileInterval(values: ArrayLike<number>, confidence = 0.95): [number, number] | null {
  const v: number[] = [];
  for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k]!)) v.push(values[k]!);
  if (v.length === 0) return null;
  v.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return [quantileSorted(v, tail), quantileSorted(v, 1 - tail)];
}

function quantileSorted(v: readonly number[], p: number): number {
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
}
