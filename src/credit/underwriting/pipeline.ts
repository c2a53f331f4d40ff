/**
 * The underwriting pipeline over a data directory's event store: labels (loan outcomes, or the
 * labelled points of an imported dataset) -> features as of each point (offline) -> XGBoost trained
 * and calibrated -> evaluated on the held-out points -> registered as a version of a model line,
 * with the feature view, label rule and split in its metadata.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { scorerFilesFor } from '../../ml/models/scorer.js';
import { codeVersion, type ModelRegistry } from '../../ml/registry/index.js';
import type { CreditEvent } from '../events/schema.js';
import type { FeatureView } from '../features/definitions.js';
import { DEFAULT_LABEL_RULE, loanOutcomes, type LabelRule, type LoanOutcome } from './labels.js';
import { trainUnderwriting, type UnderwritingModel, type UnderwritingOptions } from './train.js';
import { buildTrainingSet, loanPoints, type LabelledPoint, type UnderwritingSet } from './training-set.js';

/** The model line credit decisions use by default. */
export const CREDIT_MODEL_LINE = 'credit-default';

/** Where the labels came from, recorded in the report and the model's metadata. */
export type LabelSource =
  | { kind: 'loans'; rule: LabelRule; observedUntil: number; loans: number; immature: number }
  | { kind: 'dataset'; dataset: string };

/**
 * Loan outcomes from the stored loan, installment and repayment events, as known at
 * `observedUntil` (default: the newest stored event time).
 */
export async function storedLoanOutcomes(db: Database, rule: LabelRule = DEFAULT_LABEL_RULE, observedUntil?: number): Promise<{ outcomes: LoanOutcome[]; observedUntil: number }> {
  const rows = await db.all<{ type: string; event_id: string; customer_id: string; t: bigint | number; loan_id: string; installment_no: number | null; days_late: number | null; amount: number | null }>(
    `SELECT type, event_id, customer_id, epoch_ms(event_time) AS t, loan_id, installment_no, days_late, amount
     FROM credit_events WHERE type IN ('loan', 'installment_due', 'repayment')`,
  );
  let newest = -Infinity;
  const events = rows.map((r) => {
    const eventTime = Number(r.t);
    if (eventTime > newest) newest = eventTime;
    // Only the fields the label rule reads.
    return { eventId: r.event_id, customerId: r.customer_id, type: r.type, eventTime, ingestedAt: eventTime, loanId: r.loan_id, installmentNo: r.installment_no, daysLate: r.days_late, amount: r.amount } as unknown as CreditEvent;
  });
  const until = observedUntil ?? newest;
  return { outcomes: loanOutcomes(events, until, rule), observedUntil: until };
}

/** Matured loans from the store as labelled points at origination (see `loanPoints`), and where the labels came from. */
export async function storedLoanPoints(db: Database, rule: LabelRule = DEFAULT_LABEL_RULE, observedUntil?: number): Promise<{ points: LabelledPoint[]; source: LabelSource }> {
  const { outcomes, observedUntil: until } = await storedLoanOutcomes(db, rule, observedUntil);
  const points = loanPoints(outcomes);
  return { points, source: { kind: 'loans', rule, observedUntil: until, loans: outcomes.length, immature: outcomes.length - points.length } };
}

/** A trained, evaluated underwriting model and the data it came from. */
export interface TrainedUnderwriting {
  set: UnderwritingSet;
  view: FeatureView;
  source: LabelSource;
  result: UnderwritingModel;
  /** SHA-256 of the training points and their features (the registry's training-data fingerprint). */
  fingerprint: string;
}

/** Builds the training set for `points` and trains, calibrates and evaluates on it. */
export async function trainOnStore(db: Database, view: FeatureView, labelled: { points: LabelledPoint[]; source: LabelSource }, options: UnderwritingOptions = {}): Promise<TrainedUnderwriting> {
  const progress: Progress = options.progress ?? silentProgress;
  if (labelled.points.length === 0) {
    throw new IriskError('DATASET_INVALID', labelled.source.kind === 'loans' ? 'no matured loan (whole outcome horizon observed) in the event store: ingest loan, installment and repayment events covering at least the horizon' : `dataset ${labelled.source.dataset} has no labelled points`);
  }
  progress.start(1, 'point-in-time features');
  const set = await buildTrainingSet(db, view, labelled.points);
  progress.tick();
  progress.stop();
  const result = trainUnderwriting(set, options);
  return { set, view, source: labelled.source, result, fingerprint: fingerprintOf(set) };
}

function fingerprintOf(set: UnderwritingSet): string {
  const h = createHash('sha256');
  for (const p of set.points) h.update(`${p.id}\u0000${p.customerId}\u0000${p.at}\u0000${p.label}\n`);
  h.update(new Uint8Array(set.values.buffer, set.values.byteOffset, set.values.byteLength));
  return h.digest('hex');
}

/** Registers the trained model under `line` (parent: the line's current champion); returns the version id. */
export async function registerUnderwriting(registry: ModelRegistry, trained: TrainedUnderwriting, line = CREDIT_MODEL_LINE): Promise<string> {
  const { result, view, set, source } = trained;
  const champion = (await registry.aliases(line)).find((a) => a.alias === 'champion');
  const registered = await registry.register({
    files: scorerFilesFor(result.model, result.calibrator),
    metadata: {
      name: line,
      kind: 'xgboost',
      featureSchema: view.features.map((f) => ({ name: f.name, type: 'number' as const })),
      trainingData: { fingerprint: trained.fingerprint, rows: set.rows, source: source.kind === 'loans' ? 'credit_events (loan outcomes)' : `credit_labels (${source.dataset})` },
      params: { ...result.params, view: view.name, viewVersion: view.version, labels: JSON.parse(JSON.stringify(source)), split: result.split.kind, cutoff: result.split.cutoff },
      metrics: {
        auc: result.test.auc,
        aucCi: result.test.aucCi,
        ks: result.test.ks,
        brier: result.test.brier,
        ece: result.test.calibration.ece,
        measuredOn: `${result.counts.test} held-out points (${result.split.kind} split)`,
      },
      codeVersion: codeVersion(),
      parent: champion?.version ?? null,
    },
  });
  return registered.version.id;
}
