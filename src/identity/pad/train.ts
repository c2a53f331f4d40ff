/**
 * Training the PAD detector: XGBoost (the shared trainer) on PAD feature vectors labelled attack
 * (1) or bona fide (0), and an operating threshold chosen for a target APCER from out-of-fold
 * scores (folds grouped by subject, so no person's eyes sit on both sides), never from the
 * training scores themselves, which are overconfident.
 */
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { selectRows, type LabelledData } from '../../ml/data/dataset.js';
import { thresholdForApcer } from '../../ml/evaluation/pad.js';
import { XgbModel } from '../../ml/models/xgboost/model.js';
import { resolveXgbParams, type XgbParams } from '../../ml/models/xgboost/params.js';
import { trainXgboost } from '../../ml/models/xgboost/train.js';
import { BONA_FIDE_SPECIES } from '../iris/dataset.js';

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
}

/** A fitted detector before registration. */
export interface FittedPadDetector {
  model: XgbModel;
  params: XgbParams;
  /** Attack if score >= threshold. */
  threshold: number;
  targetApcer: number;
  /** Attack species in the training rows. */
  speciesSeen: string[];
}

/** Small, shallow trees: 80 features, hundreds to thousands of rows, and a budget of a few ms per image. */
export const PAD_XGB_DEFAULTS: Partial<XgbParams> = { objective: 'binary:logistic', eta: 0.1, maxDepth: 3, rounds: 200, subsample: 0.8, colsampleBytree: 0.8, minChildWeight: 1 };

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

/** Trains one booster on `rows` of the data. */
export function trainPadBooster(data: PadTrainingData, rows: readonly number[], params: XgbParams): XgbModel {
  const part = selectRows(data, rows);
  let attacks = 0;
  for (const y of part.labels) attacks += y;
  if (attacks === 0 || attacks === part.rows) throw new IriskError('DATASET_INVALID', `PAD training needs both bona fide and attack presentations (got ${part.rows - attacks} and ${attacks})`);
  return XgbModel.fromJson(trainXgboost(part, params).modelJson);
}

/** Attack probabilities of `rows` under `model`. */
export function padScores(model: XgbModel, data: PadTrainingData, rows: readonly number[]): Float64Array {
  const margins = model.margins(selectRows(data, rows));
  return margins.map((m) => 1 / (1 + Math.exp(-m)));
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
    const scores = padScores(trainPadBooster(data, train, params), data, test);
    let j = 0;
    rows.forEach((_, i) => {
      if (fold[i] === f) oof[i] = scores[j++]!;
    });
  }
  const bySpecies = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (data.labels[r] !== 1) return;
    const s = data.species[r]!;
    if (!bySpecies.has(s)) bySpecies.set(s, []);
    bySpecies.get(s)!.push(oof[i]!);
  });
  let threshold = Infinity;
  for (const scores of bySpecies.values()) threshold = Math.min(threshold, thresholdForApcer(scores, targetApcer));
  return { model: trainPadBooster(data, rows, params), params, threshold, targetApcer, speciesSeen: [...bySpecies.keys()].filter((s) => s !== BONA_FIDE_SPECIES).sort() };
}
