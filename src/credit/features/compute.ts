/**
 * Feature values for one customer at one point in time, computed in TypeScript from the customer's
 * events. This is the online engine's arithmetic and the reference the DuckDB (offline) engine
 * must equal; the conventions are in definitions.ts. Only events strictly before the point count.
 */
import type { CreditEvent } from '../events/schema.js';
import type { FeatureDefinition, FieldFilter } from './definitions.js';

import { DAY_MS } from '../../lib/time.js';

/** A numeric field in exact integer hundredths (round half away from zero), as both engines aggregate it. */
export function toHundredths(value: number): bigint {
  return BigInt(Math.sign(value) * Math.round(Math.abs(value * 100)));
}

function fieldValue(e: CreditEvent, field: string): number | string | undefined {
  return (e as unknown as Record<string, number | string | undefined>)[field];
}

/** True when the event satisfies one filter (an absent field never does). */
export function passes(e: CreditEvent, f: FieldFilter): boolean {
  const v = fieldValue(e, f.field);
  if (v === undefined) return false;
  switch (f.op) {
    case '=':
      return v === f.value;
    case '!=':
      return v !== f.value;
    case '>':
      return v > f.value;
    case '>=':
      return v >= f.value;
    case '<':
      return v < f.value;
    case '<=':
      return v <= f.value;
  }
}

/**
 * The events of `events` (one customer's, sorted by event time then id) that a feature reads at
 * `at`: its type and filters, carrying the aggregated field, time in [at - window, at).
 */
export function qualifying(def: FeatureDefinition, events: readonly CreditEvent[], at: number): CreditEvent[] {
  const from = def.window === null ? -Infinity : at - def.window * DAY_MS;
  const field = 'field' in def.aggregation ? def.aggregation.field : null;
  const out: CreditEvent[] = [];
  for (const e of events) {
    if (e.eventTime >= at) break;
    if (e.eventTime < from || e.type !== def.eventType) continue;
    if (def.filter && !def.filter.every((f) => passes(e, f))) continue;
    if (field !== null && fieldValue(e, field) === undefined) continue;
    out.push(e);
  }
  return out;
}

/** The feature's value at `at` (null = missing). */
export function computeFeature(def: FeatureDefinition, events: readonly CreditEvent[], at: number): number | null {
  const rows = qualifying(def, events, at);
  const agg = def.aggregation;
  const empty = agg.op === 'count' || agg.op === 'distinct' ? 0 : (def.defaultValue ?? null);
  if (rows.length === 0) return def.defaultValue !== undefined ? def.defaultValue : empty;
  const latest = rows[rows.length - 1]!;
  if (def.ttlDays !== undefined && latest.eventTime < at - def.ttlDays * DAY_MS) return def.defaultValue ?? null;
  const n = rows.length;
  const num = (e: CreditEvent): number => fieldValue(e, (agg as { field: string }).field) as number;
  switch (agg.op) {
    case 'count':
      return n;
    case 'distinct':
      return new Set(rows.map((e) => fieldValue(e, agg.field))).size;
    case 'last':
      return num(latest);
    case 'daysSince':
      return (at - latest.eventTime) / DAY_MS;
    case 'meanGapDays':
      return n < 2 ? null : (latest.eventTime - rows[0]!.eventTime) / (n - 1) / DAY_MS;
    case 'min':
      return rows.reduce((m, e) => Math.min(m, num(e)), Infinity);
    case 'max':
      return rows.reduce((m, e) => Math.max(m, num(e)), -Infinity);
    case 'streak': {
      let k = 0;
      for (let i = n - 1; i >= 0 && passes(rows[i]!, agg.streakWhen); i--) k++;
      return k;
    }
    default:
      break;
  }
  // Sums over exact integer hundredths: order-independent, so both engines agree exactly.
  let sum = 0n;
  let sumSq = 0n;
  for (const e of rows) {
    const c = toHundredths(num(e));
    sum += c;
    sumSq += c * c;
  }
  const bn = BigInt(n);
  switch (agg.op) {
    case 'sum':
      return Number(sum) / 100;
    case 'mean':
      return Number(sum) / n / 100;
    case 'std':
      return n < 2 ? null : Math.sqrt(Number(bn * sumSq - sum * sum) / Number(bn * (bn - 1n))) / 100;
    case 'slope': {
      // Least squares of hundredths against whole seconds before the point, per day.
      let sx = 0n, sxx = 0n, sxy = 0n;
      for (const e of rows) {
        const x = BigInt(Math.floor((e.eventTime - at) / 1000));
        sx += x;
        sxx += x * x;
        sxy += x * toHundredths(num(e));
      }
      const den = bn * sxx - sx * sx;
      if (n < 2 || den === 0n) return null;
      return (Number(bn * sxy - sx * sum) / Number(den)) * 864;
    }
  }
  return null;
}

/** Every feature of a view for one customer at one time, in the view's order. */
export function computeFeatures(defs: readonly FeatureDefinition[], events: readonly CreditEvent[], at: number): (number | null)[] {
  return defs.map((d) => computeFeature(d, events, at));
}
