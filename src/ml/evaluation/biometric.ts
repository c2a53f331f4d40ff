/**
 * Biometric verification metrics in ISO/IEC 19795-1 vocabulary, at the comparison (algorithm) level:
 * FMR (false match rate: share of impostor comparisons declared a match), FNMR (false non-match
 * rate: share of genuine comparisons declared a non-match), EER (where they are equal), FTE (failure
 * to enrol, carried through from the caller's counts) and Daugman's decidability d'. Transaction-level
 * FAR/FRR, which fold in failures to acquire, are not computed here.
 *
 * Decision rule throughout: **match if distance <= threshold** (distances are dissimilarities, e.g.
 * fractional Hamming distance in [0, 1]).
 */
import { IriskError } from '../../lib/errors.js';
import type { PairScores } from './pairs.js';
import { countAtOrBelow, sortScores, type SortedScores } from './sorted-scores.js';
import { eerOf, fnmrAtFmrOf, ratesAt, unitWeights, type CumulativeWeights, type EerPoint, type Rates } from './operating-points.js';
import { percentileInterval, resolveBootstrapOptions, subjectBootstrap, type BootstrapOptions } from './bootstrap.js';

/** The decision rule every rate in this module uses, quoted in reports. */
export const DECISION_RULE = 'match if distance <= threshold';
/** FMR ceilings reported by default (1%, 0.1%, 0.01%). */
export const DEFAULT_FMR_TARGETS: readonly number[] = [0.01, 0.001, 0.0001];
/** Fixed thresholds at which FMR and FNMR are reported by default. */
export const DEFAULT_THRESHOLDS: readonly number[] = [0.32, 0.345];

/** Accepts raw pair scores or already-sorted ones (sorting is the only O(n log n) step; reuse it). */
export type ScoresInput = PairScores | SortedScores;

function sorted(input: ScoresInput): SortedScores {
  return 'thresholds' in input ? input : sortScores(input);
}

/** FMR and FNMR when matching at distance <= threshold. */
export function fmrFnmrAt(scores: ScoresInput, threshold: number): Rates {
  const s = sorted(scores);
  return {
    fmr: countAtOrBelow(s.impostor, threshold) / s.impostor.length,
    fnmr: (s.genuine.length - countAtOrBelow(s.genuine, threshold)) / s.genuine.length,
  };
}

/** EER, interpolated where the FMR and FNMR curves cross, with its (interpolated) threshold. */
export function equalErrorRate(scores: ScoresInput): EerPoint {
  const s = sorted(scores);
  return eerOf(s, unitWeights(s));
}

/** The best operating point under one FMR ceiling, and whether the data can resolve that ceiling. */
export interface FnmrAtFmrPoint {
  /** The FMR ceiling asked for. */
  target: number;
  /** False when target < 1 / impostorPairs: no observable FMR lies between 0 and the target, so the figure would only restate FMR = 0. */
  resolvable: boolean;
  /** Null when not resolvable. */
  fnmr: number | null;
  /** FMR achieved at the chosen threshold (<= target); null when not resolvable. */
  fmr: number | null;
  /** Null when not resolvable, or when no observed distance keeps FMR under the ceiling. */
  threshold: number | null;
}

/**
 * Smallest FNMR at any threshold whose FMR <= target. Ties are not split: every pair at a given
 * distance is accepted or rejected together, so a tied group of impostors that would break the
 * ceiling forces the threshold below that distance (rejecting genuine pairs tied with it).
 * Reported as not resolvable when target < 1 / impostorPairs.
 */
export function fnmrAtFmr(scores: ScoresInput, target: number): FnmrAtFmrPoint {
  const s = sorted(scores);
  return fnmrAtFmrPoint(s, unitWeights(s), target);
}

function fnmrAtFmrPoint(s: SortedScores, w: CumulativeWeights, target: number): FnmrAtFmrPoint {
  checkTarget(target);
  if (target < 1 / s.impostor.length) return { target, resolvable: false, fnmr: null, fmr: null, threshold: null };
  const p = fnmrAtFmrOf(s, w, target);
  return { target, resolvable: true, fnmr: p.fnmr, fmr: p.fmr, threshold: p.threshold };
}

/** Mean and standard deviation (population, divisor n) of a score set. */
export interface ScoreSummary {
  mean: number;
  sd: number;
}

/** Mean and population standard deviation. */
export function scoreSummary(values: ArrayLike<number>): ScoreSummary {
  const n = values.length;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += values[k]!;
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (values[k]! - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / n) };
}

/**
 * Daugman's decidability d' = |mu_g - mu_i| / sqrt((var_g + var_i) / 2), population variances.
 * Null when both sets have zero variance (d' would be infinite or undefined).
 */
export function decidability(genuine: ScoreSummary, impostor: ScoreSummary): number | null {
  const pooled = Math.sqrt((genuine.sd ** 2 + impostor.sd ** 2) / 2);
  if (pooled === 0) return null;
  return Math.abs(genuine.mean - impostor.mean) / pooled;
}

/** Options for a verification evaluation. */
export interface VerificationOptions {
  /** FMR ceilings for FNMR@FMR (default 0.01, 0.001, 0.0001). */
  fmrTargets?: readonly number[];
  /** Fixed thresholds at which to report FMR and FNMR (default 0.32, 0.345). */
  thresholds?: readonly number[];
  /** Subjects bootstrap settings, or false to skip intervals. */
  bootstrap?: BootstrapOptions | false;
  /** Enrolment attempts and failures, to report FTE beside the comparison metrics. */
  enrolment?: { attempted: number; failed: number };
}

/** FNMR@FMR with its interval. */
export interface FnmrAtFmrEntry extends FnmrAtFmrPoint {
  ci: [number, number] | null;
}

/** FMR and FNMR at a fixed threshold, with intervals. */
export interface FmrAtThresholdEntry {
  threshold: number;
  fmr: number;
  fnmr: number;
  fmrCi: [number, number] | null;
  fnmrCi: [number, number] | null;
}

/** The JSON report of a verification evaluation; keys are stable. Intervals are null without a bootstrap. */
export interface VerificationReport {
  decisionRule: typeof DECISION_RULE;
  genuinePairs: number;
  impostorPairs: number;
  subjects: number;
  /** Smallest non-zero FMR the impostor set can express (1 / impostorPairs). */
  fmrResolution: number;
  genuine: ScoreSummary;
  impostor: ScoreSummary;
  dPrime: number | null;
  eer: number;
  eerCi: [number, number] | null;
  eerThreshold: number;
  /** Keyed by the target written as `String(target)`, e.g. "0.001". */
  fnmrAtFmr: Record<string, FnmrAtFmrEntry>;
  /** Keyed by the threshold written as `String(threshold)`, e.g. "0.32". */
  fmrAtThreshold: Record<string, FmrAtThresholdEntry>;
  /** Failure to enrol, when enrolment counts were given. */
  fte: { rate: number; failed: number; attempted: number } | null;
  bootstrap: {
    method: 'subjects';
    replicates: number;
    validReplicates: number;
    seed: number | string;
    confidence: number;
    interval: 'percentile';
  } | null;
}

function checkTarget(target: number): void {
  if (!(target > 0 && target < 1)) {
    throw new IriskError('CONFIG_INVALID', `An FMR target must lie strictly between 0 and 1, got ${target}`, { target });
  }
}

function checkEnrolment(e: { attempted: number; failed: number }): void {
  if (!Number.isInteger(e.attempted) || !Number.isInteger(e.failed) || e.attempted < 1 || e.failed < 0 || e.failed > e.attempted) {
    throw new IriskError('DATASET_INVALID', `Enrolment counts are inconsistent: ${e.failed} failed out of ${e.attempted} attempted`, { ...e });
  }
}

/**
 * Evaluates verification performance: EER, FNMR at each FMR target, FMR/FNMR at fixed thresholds,
 * score summaries and d', with 95% subjects-bootstrap percentile intervals (see bootstrap.ts).
 * Throws DATASET_INVALID on unusable scores (see sortScores) and CONFIG_INVALID on bad options.
 */
export function evaluateVerification(scores: ScoresInput, options: VerificationOptions = {}): VerificationReport {
  const s = sorted(scores);
  const fmrTargets = options.fmrTargets ?? DEFAULT_FMR_TARGETS;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  fmrTargets.forEach(checkTarget);
  for (const t of thresholds) {
    if (!Number.isFinite(t)) throw new IriskError('CONFIG_INVALID', `A threshold must be a finite number, got ${t}`, { threshold: t });
  }
  if (options.enrolment) checkEnrolment(options.enrolment);
  const boot = options.bootstrap === false ? null : resolveBootstrapOptions(options.bootstrap);

  const ng = s.genuine.length;
  const ni = s.impostor.length;
  const w = unitWeights(s);
  const eer = eerOf(s, w);
  const genuine = scoreSummary(s.genuine);
  const impostor = scoreSummary(s.impostor);
  const reps = boot ? subjectBootstrap(s, { fmrTargets, thresholds }, boot) : null;
  const ci = (values: Float64Array | undefined): [number, number] | null =>
    boot && values ? percentileInterval(values, boot.confidence) : null;

  const fnmrAtFmrEntries: Record<string, FnmrAtFmrEntry> = {};
  fmrTargets.forEach((target, k) => {
    const point = fnmrAtFmrPoint(s, w, target);
    fnmrAtFmrEntries[String(target)] = { ...point, ci: point.resolvable ? ci(reps?.fnmrAtFmr[k]) : null };
  });
  const fmrAtThreshold: Record<string, FmrAtThresholdEntry> = {};
  thresholds.forEach((threshold, k) => {
    const r = ratesAt(w, countAtOrBelow(s.genuine, threshold), countAtOrBelow(s.impostor, threshold));
    fmrAtThreshold[String(threshold)] = { threshold, fmr: r.fmr, fnmr: r.fnmr, fmrCi: ci(reps?.fmrAtThreshold[k]), fnmrCi: ci(reps?.fnmrAtThreshold[k]) };
  });

  const e = options.enrolment;
  return {
    decisionRule: DECISION_RULE,
    genuinePairs: ng,
    impostorPairs: ni,
    subjects: s.subjectCount,
    fmrResolution: 1 / ni,
    genuine,
    impostor,
    dPrime: decidability(genuine, impostor),
    eer: eer.eer,
    eerCi: ci(reps?.eer),
    eerThreshold: eer.threshold,
    fnmrAtFmr: fnmrAtFmrEntries,
    fmrAtThreshold,
    fte: e ? { rate: e.failed / e.attempted, failed: e.failed, attempted: e.attempted } : null,
    bootstrap:
      reps && boot
        ? { method: 'subjects', replicates: reps.replicates, validReplicates: reps.valid, seed: reps.seed, confidence: boot.confidence, interval: 'percentile' }
        : null,
  };
}
