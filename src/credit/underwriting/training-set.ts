/**
 * The underwriting training set: labelled points (a customer, an instant, a 0/1 outcome) with the
 * view's features as of each instant (offline, point-in-time: only events strictly before it).
 * For lending the points are loans at origination labelled by their outcome; imported datasets
 * bring their own points.
 */
import type { Database } from '../../lib/duckdb.js';
import type { LabelledData } from '../../ml/data/dataset.js';
import { stratifiedHoldout } from '../../ml/training/folds.js';
import type { FeatureView } from '../features/definitions.js';
import { computeOfflineFeatures } from '../features/offline.js';
import type { LoanOutcome } from './labels.js';

/** One labelled decision point. */
export interface LabelledPoint {
  /** Unique within the set (a loan id, a dataset row id). */
  readonly id: string;
  readonly customerId: string;
  /** The decision instant (epoch ms). */
  readonly at: number;
  readonly label: 0 | 1;
}

/** Labelled points with their features; row i is `points[i]`, points in time order. */
export interface UnderwritingSet extends LabelledData {
  readonly points: readonly LabelledPoint[];
}

/**
 * Matured loans (the whole horizon observed) as points at origination, label 1 = defaulted. A
 * recent loan that has already defaulted is left out with the recent loans that have not (yet):
 * keeping it would over-represent defaults among recent loans.
 */
export function loanPoints(outcomes: readonly LoanOutcome[]): LabelledPoint[] {
  return outcomes
    .filter((o) => o.matured)
    .map((o) => ({ id: o.loanId, customerId: o.customerId, at: o.originatedAt, label: o.defaulted ? 1 : 0 }));
}

const byTimeThenId = (a: LabelledPoint, b: LabelledPoint): number => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Features as of each point (offline, point-in-time), rows in time order. */
export async function buildTrainingSet(db: Database, view: FeatureView, labelled: readonly LabelledPoint[]): Promise<UnderwritingSet> {
  const points = [...labelled].sort(byTimeThenId);
  const features = await computeOfflineFeatures(db, view, points);
  const cols = view.features.length;
  const values = new Float32Array(points.length * cols);
  features.forEach((row, r) => row.forEach((v, j) => (values[r * cols + j] = v === null ? Number.NaN : v)));
  return {
    rows: points.length,
    cols,
    values,
    labels: Uint8Array.from(points, (p) => p.label),
    featureNames: view.features.map((f) => f.name),
    points,
  };
}

/** Which rows fit the model, which tune early stopping and calibration, which test it. */
export interface UnderwritingSplit {
  /** `out-of-time` when the points span time; `random` (stratified, seeded) when they share one instant. */
  kind: 'out-of-time' | 'random';
  /** Test points are those at or after this instant (out-of-time only). */
  cutoff: number | null;
  fit: number[];
  holdout: number[];
  test: number[];
}

/**
 * Splits a time-ordered set. Out of time: the latest `testShare` of points test; of the earlier
 * ones, the latest `holdoutShare` are the holdout (never the test period). When every point has
 * the same instant (a snapshot dataset) the split is random, stratified by label, seeded.
 */
export function splitUnderwriting(set: UnderwritingSet, opts: { testShare: number; holdoutShare: number; seed: number }): UnderwritingSplit {
  const times = set.points.map((p) => p.at);
  const cutoff = times[Math.min(times.length - 1, Math.floor(times.length * (1 - opts.testShare)))]!;
  if (times.length > 0 && cutoff > times[0]!) {
    const train: number[] = [];
    const test: number[] = [];
    times.forEach((t, i) => (t < cutoff ? train : test).push(i));
    const fitRows = Math.floor(train.length * (1 - opts.holdoutShare));
    return { kind: 'out-of-time', cutoff, fit: train.slice(0, fitRows), holdout: train.slice(fitRows), test };
  }
  const all = [...set.labels.keys()];
  const { fit: train, holdout: test } = stratifiedHoldout(set.labels, all, opts.testShare, opts.seed);
  const { fit, holdout } = stratifiedHoldout(set.labels, train, opts.holdoutShare, opts.seed + 1);
  return { kind: 'random', cutoff: null, fit, holdout, test };
}
