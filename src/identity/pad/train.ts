/**
 * Training the PAD detector: XGBoost (the shared trainer) on PAD feature vectors labelled attack
 * (1) or bona fide (0), optionally with an input counting the features outside the live eyes'
 * range (novelty.ts), and an operating threshold chosen for a target APCER from out-of-fold
 * scores (folds grouped by subject, so no person's eyes sit on both sides), never from the
 * training scores themselves, which are overconfident.
 */
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import type { LabelledData } from '../../ml/data/dataset.js';
import { groupPadScores, thresholdForMaxApcer } from '../../ml/evaluation/pad.js';
import { sigmoid } from '../../ml/models/logit.js';
import { XgbModel } from '../../ml/models/xgboost/model.js';
import { resolveXgbParams, type XgbParams } from '../../ml/models/xgboost/params.js';
import { trainXgboost } from '../../ml/models/xgboost/train.js';
import { fitLiveRanges, modelInputs, noLiveRanges, type LiveRanges } from './novelty.js';

/** Labelled PAD feature vectors: `labels` 1 = attack; `species` and `groups` (subject) per row. */
export interface PadTrainingData extends LabelledData {
  readonly species: readonly string[];
  readonly groups: readonly string[];
}

/** Options of `fitPadDetector`. */
export interface PadFitOptions {
  /** APCER ceiling (every seen species) that sets the threshold (default 0.01). */
  targetApcer?: number;
  /** Folds for the out-of-fold scores that choose the threshold (default 3). */
  folds?: number;
  seed?: number;
  params?: Partial<XgbParams>;
  /**
   * Fill the novelty input (novelty.ts; default off: its ranges are then empty and the input is
   * always 0). It helps against unseen species but rejects real live eyes from a camera the
   * training live eyes do not cover (docs/pad.md), so it is for training with reference live
   * captures of the target camera.
   */
  novelty?: boolean;
}

/** A booster and the live ranges its novelty inputs are measured against (novelty.ts). */
export interface PadBooster {
  model: XgbModel;
  ranges: LiveRanges;
}

/** A fitted detector before registration. */
export interface FittedPadDetector extends PadBooster {
  params: XgbParams;
  /** Attack if score >= threshold. */
  threshold: number;
  targetApcer: number;
  /** Attack species in the training rows. */
  speciesSeen: string[];
  /** Whether the novelty input is filled. */
  novelty: boolean;
}

/**
 * 600 trees of depth 4 at eta 0.05: on worlds of thousands of presentations the hardest attacks
 * need that capacity (docs/pad.md: BPCER at APCER 1% 0.98-1.08% with 200 trees of depth 3 on the
 * 800-subject world, 0.61% with these); scoring stays well under a millisecond.
 */
export const PAD_XGB_DEFAULTS: Partial<XgbParams> = { objective: 'binary:logistic', eta: 0.05, maxDepth: 4, rounds: 600, subsample: 0.8, colsampleBytree: 0.8, minChildWeight: 1 };

export const DEFAULT_TARGET_APCER = 0.01;

/**
 * Fold of every row with rows of one group (subject) always together: groups shuffled with the
 * seed and dealt round-robin. Throws DATASET_INVALID with fewer groups than folds.
 */
export function groupFolds(groups: readonly string[], k: number, seed: number): Int32Array {
  const names = [...new Set(groups)].sort();
  if (names.length < k) throw new IriskError('DATASET_INVALID', `only ${names.length} subjects: too few for ${k} folds grouped by subject`);
  const rng = new Rng(seed);
  for (let i = names.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const foldOf = new Map(names.map((g, i) => [g, i % k]));
  return Int32Array.from(groups, (g) => foldOf.get(g)!);
}

/** Trains one booster on `rows` of the data, with live ranges from those rows' bona fide presentations. */
export function trainPadBooster(data: PadTrainingData, rows: readonly number[], params: XgbParams, novelty = false): PadBooster {
  const labels = Uint8Array.from(rows, (r) => data.labels[r]!);
  const attacks = labels.reduce((a, y) => a + y, 0);
  if (attacks === 0 || attacks === rows.length) throw new IriskError('DATASET_INVALID', `PAD training needs both bona fide and attack presentations (got ${rows.length - attacks} and ${attacks})`);
  const ranges = novelty ? fitLiveRanges(data, rows) : noLiveRanges(data.cols);
  const model = XgbModel.fromJson(trainXgboost({ ...modelInputs(data, rows, ranges), labels }, params).modelJson);
  return { model, ranges };
}

/** Attack probabilities of `rows` under a booster. */
export function padScores(booster: PadBooster, data: PadTrainingData, rows: readonly number[]): Float64Array {
  const margins = booster.model.margins(modelInputs(data, rows, booster.ranges));
  return margins.map(sigmoid);
}

/**
 * Fits a detector on `rows`: out-of-fold scores (folds grouped by subject) choose the largest
 * threshold keeping every seen species' APCER at most the target; the final booster is trained on
 * all the rows.
 */
export function fitPadDetector(data: PadTrainingData, rows: readonly number[], options: PadFitOptions = {}): FittedPadDetector {
  const targetApcer = options.targetApcer ?? DEFAULT_TARGET_APCER;
  const k = options.folds ?? 3;
  const seed = options.seed ?? 1;
  const params = resolveXgbParams({ ...PAD_XGB_DEFAULTS, seed, ...options.params });
  const groups = rows.map((r) => data.groups[r]!);
  const fold = groupFolds(groups, k, seed);
  const oof = new Float64Array(rows.length);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    rows.forEach((r, i) => (fold[i] === f ? test : train).push(r));
    const scores = padScores(trainPadBooster(data, train, params, options.novelty === true), data, test);
    let j = 0;
    rows.forEach((_, i) => {
      if (fold[i] === f) oof[i] = scores[j++]!;
    });
  }
  const scored = groupPadScores(rows.map((r, i) => ({ score: oof[i]!, isAttack: data.labels[r] === 1, species: data.species[r]! })));
  const threshold = thresholdForMaxApcer(scored, targetApcer);
  return { ...trainPadBooster(data, rows, params, options.novelty === true), params, threshold, targetApcer, speciesSeen: [...scored.species.keys()].sort(), novelty: options.novelty === true };
}
