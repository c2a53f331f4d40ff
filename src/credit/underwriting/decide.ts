/**
 * A credit decision: online features as of the decision time, the calibrated probability of
 * default, the policy's answer, and for an adverse answer the principal reasons. The record keeps
 * every input with the time of the newest event behind it, the model version and alias, the policy
 * version and the time, so that `replayDecision` reproduces it exactly.
 */
import { randomUUID } from 'node:crypto';
import { IriskError } from '../../lib/errors.js';
import type { Scorer } from '../../ml/models/scorer.js';
import { compareEvents, type CreditEvent } from '../events/schema.js';
import { computeFeatures } from '../features/compute.js';
import type { FeatureView } from '../features/definitions.js';
import type { OnlineFeatureStore } from '../features/online.js';
import { applyPolicy, type CreditPolicy, type DecisionKind } from './policy.js';
import { principalReasons, type Reason } from './reasons.js';

export interface DecisionContext {
  readonly store: OnlineFeatureStore;
  readonly scorer: Scorer;
  readonly policy: CreditPolicy;
  readonly modelVersion: string;
  /** The alias the model was resolved through (e.g. credit-default@champion), or null. */
  readonly modelAlias: string | null;
}

/** Everything needed to explain and replay a decision. */
export interface DecisionRecord {
  decisionId: string;
  customerId: string;
  requestedAmount: number;
  /** The decision's point in time (epoch ms): features use events strictly before it. */
  asOf: number;
  decision: DecisionKind;
  limit: number;
  probability: number;
  reasons: Reason[];
  features: { name: string; value: number | null; newestEventTime: number | null }[];
  view: { name: string; version: number };
  modelVersion: string;
  modelAlias: string | null;
  policy: CreditPolicy;
  decidedAt: string;
}

function outcome(view: FeatureView, scorer: Scorer, policy: CreditPolicy, values: (number | null)[], amount: number) {
  const x = Float32Array.from(values, (v) => (v === null ? Number.NaN : v));
  const probability = scorer.predictRow(x);
  const { decision, limit } = applyPolicy(policy, probability, amount);
  let reasons: Reason[] = [];
  if (decision !== 'approve') {
    if (!scorer.xgboost) throw new IriskError('MODEL_INVALID', 'reasons need a tree model (TreeSHAP); this model has none');
    const contributions = scorer.xgboost.treeExplainer().explainRow(x);
    reasons = principalReasons(view.features, values, contributions);
  }
  return { probability, decision, limit, reasons };
}

/** Decides for one customer at `asOf` (default now) and returns the full record. */
export function decide(ctx: DecisionContext, input: { customerId: string; amount: number; asOf?: number; now?: Date }): DecisionRecord {
  const view = ctx.store.view;
  if (ctx.scorer.featureNames.join('\u0000') !== view.features.map((f) => f.name).join('\u0000')) {
    throw new IriskError('MODEL_INVALID', `model ${ctx.modelVersion.slice(0, 12)} was not trained on feature view ${view.name} v${view.version}`);
  }
  const now = input.now ?? new Date();
  const asOf = input.asOf ?? now.getTime();
  const details = ctx.store.featureDetails(input.customerId, asOf);
  const values = details.map((d) => d.value);
  const features = view.features.map((def, i) => ({ name: def.name, value: details[i]!.value, newestEventTime: details[i]!.newestEventTime }));
  const result = outcome(view, ctx.scorer, ctx.policy, values, input.amount);
  return {
    decisionId: randomUUID(),
    customerId: input.customerId,
    requestedAmount: input.amount,
    asOf,
    ...result,
    features,
    view: { name: view.name, version: view.version },
    modelVersion: ctx.modelVersion,
    modelAlias: ctx.modelAlias,
    policy: ctx.policy,
    decidedAt: now.toISOString(),
  };
}

/**
 * Recomputes a recorded decision from its recorded inputs with the given scorer (load the
 * recorded model version); returns the fields that differ (empty = replayed exactly).
 */
export function replayDecision(record: DecisionRecord, view: FeatureView, scorer: Scorer): string[] {
  const values = record.features.map((f) => f.value);
  const again = outcome(view, scorer, record.policy, values, record.requestedAmount);
  const diffs: string[] = [];
  if (again.probability !== record.probability) diffs.push(`probability ${record.probability} -> ${again.probability}`);
  if (again.decision !== record.decision) diffs.push(`decision ${record.decision} -> ${again.decision}`);
  if (again.limit !== record.limit) diffs.push(`limit ${record.limit} -> ${again.limit}`);
  if (JSON.stringify(again.reasons) !== JSON.stringify(record.reasons)) diffs.push('reasons differ');
  return diffs;
}

/** A feature whose recorded input differs from the value recomputed from stored events. */
export interface FeatureDiff {
  feature: string;
  recorded: number | null;
  recomputed: number | null;
}

/**
 * Recomputes a recorded decision's inputs from a customer's stored events, using only the events
 * the lender knew of when it decided (ingested at or before the decision time); returns the
 * features that differ (empty = the recorded inputs are exactly what the events said).
 */
export function replayFeatures(record: DecisionRecord, view: FeatureView, events: readonly CreditEvent[]): FeatureDiff[] {
  const decidedAt = Date.parse(record.decidedAt);
  const known = events.filter((e) => e.customerId === record.customerId && e.ingestedAt <= decidedAt).sort(compareEvents);
  const values = computeFeatures(view.features, known, record.asOf);
  const diffs: FeatureDiff[] = [];
  view.features.forEach((def, i) => {
    const recorded = record.features.find((f) => f.name === def.name);
    const same = recorded !== undefined && (recorded.value === values[i] || Object.is(recorded.value, values[i]));
    if (!same) diffs.push({ feature: def.name, recorded: recorded?.value ?? null, recomputed: values[i] ?? null });
  });
  return diffs;
}
