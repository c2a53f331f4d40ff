/**
 * Training through libxgboost: rounds one at a time (so a progress bar can follow), optional early
 * stopping on a validation set, and the result as XGBoost's own JSON model.
 */
import { IriskError } from '../../../lib/errors.js';
import { silentProgress, type Progress } from '../../../lib/progress.js';
import { checkMatrix, type FeatureMatrix } from '../../data/dataset.js';
import { NativeBooster, NativeMatrix } from './booster.js';
import { metricMaximised, nativeParamPairs, resolveXgbParams, type XgbParams } from './params.js';

/** Training rows with a target per row (0/1 for the binary objectives). */
export interface TrainingSet extends FeatureMatrix {
  readonly labels: ArrayLike<number>;
}

/** A trained model and how training went. */
export interface XgbTrainingResult {
  /** XGBoost's JSON model, as libxgboost wrote it. */
  readonly modelJson: string;
  readonly params: XgbParams;
  /** Rounds kept in the model (best iteration + 1 under early stopping). */
  readonly rounds: number;
  /** Rounds run before stopping. */
  readonly roundsRun: number;
  /** Zero-based best round on the validation set, or null without one. */
  readonly bestIteration: number | null;
  /** The evaluation metric per round, per set ("train", "valid"). */
  readonly history: Readonly<Record<string, number[]>>;
  readonly seconds: number;
}

export interface TrainOptions {
  /** Held-out rows for the evaluation metric and early stopping. */
  readonly validation?: TrainingSet;
  /** Also evaluate the metric on the training rows each round (costs time; off by default). */
  readonly evalTrain?: boolean;
  readonly progress?: Progress;
}

function checkTrainingSet(data: TrainingSet, name: string, objective: XgbParams['objective']): void {
  checkMatrix({ rows: data.rows, cols: data.cols, values: data.values, featureNames: data.featureNames });
  if (data.labels.length !== data.rows) throw new IriskError('DATASET_INVALID', `${name}: ${data.labels.length} labels for ${data.rows} rows`);
  if (data.rows === 0) throw new IriskError('DATASET_INVALID', `${name}: no rows`);
  for (let i = 0; i < data.values.length; i++) {
    const v = data.values[i]!;
    if (v === Infinity || v === -Infinity) {
      throw new IriskError('DATASET_INVALID', `${name}: row ${Math.floor(i / data.cols)}, column ${data.featureNames[i % data.cols]} is infinite; use NaN for a missing value`);
    }
  }
  if (objective !== 'reg:squarederror') {
    for (let i = 0; i < data.labels.length; i++) {
      const y = data.labels[i]!;
      if (!(y >= 0 && y <= 1)) throw new IriskError('DATASET_INVALID', `${name}: label ${y} at row ${i} is outside [0, 1] for objective ${objective}`);
    }
  }
}

/** Parses "[3]\ttrain-logloss:0.41\tvalid-logloss:0.44" into {train: 0.41, valid: 0.44}. */
export function parseEvalLine(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of line.split('\t').slice(1)) {
    const m = /^(.+)-([a-z@0-9.]+):(-?[0-9.eE+-]+|nan|inf)$/.exec(part.trim());
    if (m) out[m[1]!] = Number(m[3]);
  }
  return out;
}

/** Trains a gradient-boosted tree model with libxgboost and returns its JSON model. */
export function trainXgboost(data: TrainingSet, partialParams: Partial<XgbParams> = {}, options: TrainOptions = {}): XgbTrainingResult {
  const params = resolveXgbParams(partialParams);
  const { validation, progress = silentProgress } = options;
  checkTrainingSet(data, 'training set', params.objective);
  if (validation) {
    checkTrainingSet(validation, 'validation set', params.objective);
    if (validation.cols !== data.cols) throw new IriskError('DATASET_INVALID', `validation set has ${validation.cols} columns, training set ${data.cols}`);
  }
  if (params.earlyStoppingRounds !== null && !validation) {
    throw new IriskError('CONFIG_INVALID', 'earlyStoppingRounds needs a validation set');
  }

  const started = performance.now();
  const owned: { free(): void }[] = [];
  try {
    const train = new NativeMatrix(data.values, data.rows, data.cols, data.labels);
    owned.push(train);
    const sets: { name: string; matrix: NativeMatrix }[] = [];
    if (options.evalTrain) sets.push({ name: 'train', matrix: train });
    if (validation) {
      const valid = new NativeMatrix(validation.values, validation.rows, validation.cols, validation.labels);
      owned.push(valid);
      sets.push({ name: 'valid', matrix: valid });
    }
    const booster = NativeBooster.create([train, ...sets.filter((s) => s.name !== 'train').map((s) => s.matrix)]);
    owned.push(booster);
    for (const [name, value] of nativeParamPairs(params)) booster.setParam(name, value);

    const history: Record<string, number[]> = Object.fromEntries(sets.map((s) => [s.name, [] as number[]]));
    const maximise = metricMaximised(params.evalMetric);
    let best: { iteration: number; value: number } | null = null;
    let roundsRun = 0;
    progress.start(params.rounds, 'training trees');
    for (let it = 0; it < params.rounds; it++) {
      booster.updateOneIter(it, train);
      roundsRun = it + 1;
      progress.tick();
      if (sets.length === 0) continue;
      const scores = parseEvalLine(booster.evalOneIter(it, sets));
      for (const s of sets) history[s.name]!.push(scores[s.name] ?? Number.NaN);
      const v = scores.valid;
      if (v === undefined || !Number.isFinite(v)) continue;
      if (best === null || (maximise ? v > best.value : v < best.value)) best = { iteration: it, value: v };
      if (params.earlyStoppingRounds !== null && it - best.iteration >= params.earlyStoppingRounds) break;
    }
    progress.stop();

    let kept = booster;
    if (params.earlyStoppingRounds !== null && best !== null && best.iteration + 1 < roundsRun) {
      kept = booster.slice(0, best.iteration + 1);
      owned.push(kept);
    }
    const modelJson = kept.saveJson();
    return {
      modelJson,
      params,
      rounds: kept.rounds(),
      roundsRun,
      bestIteration: best?.iteration ?? null,
      history,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    progress.stop();
    for (const o of owned.reverse()) o.free();
  }
}
