/**
 * PAD evaluation protocols over one featurised dataset, by cross-validation with folds grouped by
 * subject (a person's live eyes and the attacks made of them never sit on both sides):
 *
 * - **all species seen**: each fold's detector is fitted on the other folds (every species
 *   present) and scores its own fold;
 * - **leave one species out**: for species X, each fold's detector is fitted on the other folds
 *   without any X presentation, and scores its fold's bona fide and X presentations.
 *
 * Each fitted detector brings its own operating threshold (chosen on its training rows' out-of-fold
 * scores for the target APCER), so operating-point rates count each presentation against the
 * threshold of the detector that scored it. Threshold-free figures (BPCER at APCER x, APCER at
 * BPCER x, DET curves) are computed over the pooled out-of-fold scores.
 */
import { silentProgress, type Progress } from '../../lib/progress.js';
import { padReport, type PadReport, type PadSample } from '../../ml/evaluation/pad.js';
import { BONA_FIDE_SPECIES } from '../iris/dataset.js';
import type { PadDetector } from './detector.js';
import { withReferenceLive } from './domain.js';
import { DEFAULT_TARGET_APCER, fitPadDetector, groupFolds, padScores, type PadFitOptions, type PadTrainingData } from './train.js';

/** One presentation scored by a detector that never saw it (or its subject) in training. */
export interface ScoredPresentation extends PadSample {
  readonly row: number;
  /** The operating threshold of the detector that scored it. */
  readonly threshold: number;
  readonly species: string;
}

/** Rates at the detectors' own operating thresholds. */
export interface OperatingRates {
  readonly apcer: Record<string, number>;
  readonly maxApcer: number;
  readonly bpcer: number;
}

/** The result of one protocol. */
export interface PadProtocolResult {
  readonly scored: readonly ScoredPresentation[];
  readonly operating: OperatingRates;
  /** Threshold-free figures over the pooled scores (its own operating fields use the worst-species APCER target). */
  readonly pooled: PadReport;
}

/** Options of `evaluatePadProtocols`. */
export interface PadEvalOptions extends PadFitOptions {
  /** Outer folds (default 3). */
  outerFolds?: number;
  /** Live captures of the target camera, added to every training side and never scored (domain.ts). */
  reference?: PadTrainingData;
  progress?: Progress;
}

/** Both protocols. */
export interface PadProtocols {
  readonly allSeen: PadProtocolResult;
  readonly leaveOneOut: Record<string, PadProtocolResult>;
}

/** Where a row stands in one fold's run: fitted on, scored, or left out. */
type Role = 'train' | 'test' | null;

/** Runs one protocol: for each fold f, a detector fitted on the rows `role(r, f)` calls train scores those it calls test. */
function crossValidate(data: PadTrainingData, k: number, role: (r: number, f: number) => Role, options: PadFitOptions, tick: () => void): PadProtocolResult {
  const scored: ScoredPresentation[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let r = 0; r < data.rows; r++) {
      const x = role(r, f);
      if (x === 'train') train.push(r);
      else if (x === 'test') test.push(r);
    }
    const fitted = fitPadDetector(data, train, options);
    const scores = padScores(fitted, data, test);
    test.forEach((r, j) => scored.push({ row: r, score: scores[j]!, threshold: fitted.threshold, isAttack: data.labels[r] === 1, species: data.species[r]! }));
    tick();
  }
  scored.sort((a, b) => a.row - b.row);
  return { scored, operating: operatingRates(scored), pooled: padReport(scored, { operatingPoint: { maxApcer: options.targetApcer ?? DEFAULT_TARGET_APCER } }) };
}

/** APCER per species and BPCER, each presentation judged by its own detector's threshold. */
export function operatingRates(scored: readonly ScoredPresentation[]): OperatingRates {
  const attacks = new Map<string, [number, number]>();
  let bonafide = 0;
  let rejected = 0;
  for (const s of scored) {
    if (!s.isAttack) {
      bonafide++;
      if (s.score >= s.threshold) rejected++;
      continue;
    }
    const c = attacks.get(s.species) ?? [0, 0];
    c[1]++;
    if (s.score < s.threshold) c[0]++;
    attacks.set(s.species, c);
  }
  const apcer = Object.fromEntries([...attacks].map(([sp, [passed, n]]) => [sp, passed / n]));
  return { apcer, maxApcer: Math.max(0, ...Object.values(apcer)), bpcer: bonafide === 0 ? 0 : rejected / bonafide };
}

/**
 * Runs the all-seen protocol and, for each attack species, the leave-one-out one. Reference rows
 * (options.reference) are appended after the dataset's and are always on the training side.
 */
export function evaluatePadProtocols(dataset: PadTrainingData, species: readonly string[], options: PadEvalOptions = {}): PadProtocols {
  const k = options.outerFolds ?? 3;
  const fold = groupFolds(dataset.groups, k, (options.seed ?? 1) + 1000);
  const data = options.reference ? withReferenceLive(dataset, options.reference) : dataset;
  const n = dataset.rows;
  const progress = options.progress ?? silentProgress;
  progress.start(k * (1 + species.length), 'fitting PAD detectors');
  const tick = (): void => progress.tick();
  try {
    const allSeen = crossValidate(data, k, (r, f) => (r >= n || fold[r] !== f ? 'train' : 'test'), options, tick);
    const leaveOneOut: Record<string, PadProtocolResult> = {};
    for (const x of species) {
      // Fitted without any presentation of x; scored on the fold's bona fide and x presentations.
      leaveOneOut[x] = crossValidate(data, k, (r, f) => {
        const sp = data.species[r];
        if (r >= n || fold[r] !== f) return sp === x ? null : 'train';
        return sp === x || sp === BONA_FIDE_SPECIES ? 'test' : null;
      }, options, tick);
    }
    return { allSeen, leaveOneOut };
  } finally {
    progress.stop();
  }
}

/** Every presentation scored by one (registered) detector at its own threshold. */
export function scoreWithDetector(data: PadTrainingData, detector: PadDetector): ScoredPresentation[] {
  const out: ScoredPresentation[] = [];
  for (let r = 0; r < data.rows; r++) {
    const score = detector.score(data.values.subarray(r * data.cols, (r + 1) * data.cols));
    out.push({ row: r, score, threshold: detector.threshold, isAttack: data.labels[r] === 1, species: data.species[r]! });
  }
  return out;
}
