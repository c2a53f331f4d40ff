/**
 * Feature views as code: which events of a customer (type and a declarative filter), which window
 * before the point in time, which aggregation. Declarative on purpose: the same definition compiles
 * to DuckDB SQL for offline (point-in-time) computation and runs in TypeScript for online serving,
 * and both must agree exactly.
 *
 * Exactness conventions (so that two engines summing in different orders agree bit for bit):
 * money is aggregated in integer cents (round half away from zero), times in whole seconds;
 * sums are exact integers; a mean, standard deviation or slope is computed once, in float64, from
 * those exact sums by one fixed formula.
 */
import { IriskError } from '../../lib/errors.js';
import { EVENT_FIELDS, EVENT_TYPES, type EventType } from '../events/schema.js';

/** Look-back windows in days; null = lifetime. */
export const WINDOWS = [7, 30, 90, 365, null] as const;
export type WindowDays = (typeof WINDOWS)[number];

/** A comparison on one numeric or text field of the event. */
export interface FieldFilter {
  readonly field: string;
  readonly op: '=' | '!=' | '>' | '>=' | '<' | '<=';
  readonly value: number | string;
}

/**
 * Aggregations. `field` names a numeric payload field (amount, balance, daysLate, ...).
 * - count, distinct (of a text or id field), sum, mean, min, max, std (sample, n - 1), last
 *   (the field of the latest event), daysSince (days from the latest event to the point),
 * - sequence-derived: `streak` (consecutive latest events satisfying `streakWhen`), `slope`
 *   (least-squares slope of the field per day over the window), `meanGapDays` (mean days between
 *   consecutive events).
 */
export type Aggregation =
  | { readonly op: 'count' }
  | { readonly op: 'distinct'; readonly field: string }
  | { readonly op: 'sum' | 'mean' | 'min' | 'max' | 'std' | 'last' | 'slope'; readonly field: string }
  | { readonly op: 'daysSince' }
  | { readonly op: 'meanGapDays' }
  | { readonly op: 'streak'; readonly streakWhen: FieldFilter };

/** One feature: a named aggregation over a customer's filtered events in a window before the point. */
export interface FeatureDefinition {
  readonly name: string;
  readonly eventType: EventType;
  readonly filter?: readonly FieldFilter[];
  readonly window: WindowDays;
  readonly aggregation: Aggregation;
  /** Value used when no event qualifies (default: null, i.e. missing). count and distinct give 0. */
  readonly defaultValue?: number | null;
  /** Time to live in days: when the latest qualifying event is older, the feature is missing. */
  readonly ttlDays?: number;
  /** What the feature measures, for people reading models and reports. */
  readonly description: string;
  /** The principal reason stated to a customer when this feature counts against them ("Bank balance too low"). */
  readonly adverseReason?: string;
}

/** A named, versioned set of features for one entity (the customer). */
export interface FeatureView {
  readonly name: string;
  readonly version: number;
  readonly entity: 'customer';
  readonly features: readonly FeatureDefinition[];
}

const MONEY_FIELDS = new Set(['amount', 'income', 'balance', 'totalDebt']);

/** True when a field holds money (aggregated in integer cents). */
export function isMoneyField(field: string): boolean {
  return MONEY_FIELDS.has(field);
}

function fieldOf(type: EventType, field: string): { numeric: boolean } | null {
  if (field === 'customerId' || field === 'eventId') return { numeric: false };
  const spec = EVENT_FIELDS[type].find((f) => f.name === field);
  if (!spec) return null;
  return { numeric: spec.type.kind === 'number' };
}

/** Checks a view: unique names, known event types and fields, numeric fields where numbers are needed. */
export function validateFeatureView(view: FeatureView): FeatureView {
  const fail = (msg: string): never => {
    throw new IriskError('CONFIG_INVALID', `feature view ${view.name} v${view.version}: ${msg}`);
  };
  const names = new Set<string>();
  for (const f of view.features) {
    if (!/^[a-z][a-z0-9_]*$/.test(f.name)) fail(`feature name "${f.name}" must be snake_case`);
    if (names.has(f.name)) fail(`feature "${f.name}" is defined twice`);
    names.add(f.name);
    if (!EVENT_TYPES.includes(f.eventType)) fail(`${f.name}: unknown event type ${f.eventType}`);
    if (!WINDOWS.includes(f.window)) fail(`${f.name}: window must be one of ${WINDOWS.map(String).join(', ')}`);
    const filters = [...(f.filter ?? []), ...(f.aggregation.op === 'streak' ? [f.aggregation.streakWhen] : [])];
    for (const c of filters) {
      const spec = fieldOf(f.eventType, c.field);
      if (!spec) fail(`${f.name}: filter field ${c.field} is not a field of ${f.eventType}`);
      if (spec!.numeric !== (typeof c.value === 'number')) fail(`${f.name}: filter on ${c.field} compares with a value of the wrong type`);
    }
    const agg = f.aggregation;
    if ('field' in agg) {
      const spec = fieldOf(f.eventType, agg.field);
      if (!spec) fail(`${f.name}: ${agg.field} is not a field of ${f.eventType}`);
      if (agg.op !== 'distinct' && !spec!.numeric) fail(`${f.name}: ${agg.op} needs a numeric field, ${agg.field} is not`);
    }
    if (f.ttlDays !== undefined && !(f.ttlDays > 0)) fail(`${f.name}: ttlDays must be positive`);
  }
  return view;
}
