/**
 * The underwriting training set: every loan whose outcome is known, at its origination time, with
 * the view's features as of that instant (offline, point-in-time) and its default label.
 */
import type { Database } from '../../lib/duckdb.js';
import type { LabelledData } from '../../ml/data/dataset.js';
import type { FeatureView } from '../features/definitions.js';
import { computeOfflineFeatures } from '../features/offline.js';
import type { LoanOutcome } from './labels.js';

/** Labelled loans with their features; row i is `loans[i]`. */
export interface UnderwritingSet extends LabelledData {
  readonly loans: readonly LoanOutcome[];
}

/** Features as of origination for every loan with a known outcome, in origination order. */
export async function buildTrainingSet(db: Database, view: FeatureView, outcomes: readonly LoanOutcome[]): Promise<UnderwritingSet> {
  const loans = outcomes.filter((o) => o.defaulted !== null);
  const features = await computeOfflineFeatures(db, view, loans.map((l) => ({ customerId: l.customerId, at: l.originatedAt })));
  const cols = view.features.length;
  const values = new Float32Array(loans.length * cols);
  features.forEach((row, r) => row.forEach((v, j) => (values[r * cols + j] = v === null ? Number.NaN : v)));
  return {
    rows: loans.length,
    cols,
    values,
    labels: Uint8Array.from(loans, (l) => (l.defaulted ? 1 : 0)),
    featureNames: view.features.map((f) => f.name),
    loans,
  };
}

/**
 * An out-of-time split: loans originated before `cutoff` train, the rest test. The default cutoff
 * leaves the latest `testShare` of loans (by origination time) for the test.
 */
export function outOfTimeSplit(set: UnderwritingSet, testShare = 0.2, cutoff?: number): { cutoff: number; train: number[]; test: number[] } {
  const times = set.loans.map((l) => l.originatedAt);
  const at = cutoff ?? times[Math.min(times.length - 1, Math.floor(times.length * (1 - testShare)))]!;
  const train: number[] = [];
  const test: number[] = [];
  times.forEach((t, i) => (t < at ? train : test).push(i));
  return { cutoff: at, train, test };
}
