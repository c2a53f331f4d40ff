/**
 * Feature values for one customer at one point in time, computed in TypeScript from the customer's
 * events. This is the online engine's arithmetic and the reference the DuckDB (offline) engine
 * must equal; the conventions are in definitions.ts. Only events strictly before the point count.
 *
 * One pass per feature over the events of its window (found by binary search in the time-sorted
 * history), no per-event allocation: sums run in float64 while they are exact (safe integers) and
 * the final formulas run in BigInt, so values are exact and serving stays fast; a history whose sums
 * leave the safe-integer range is recomputed entirely in BigInt.
 */
import { DAY_MS } from '../../lib/time.js';
import type { CreditEvent } from '../events/schema.js';
import type { FeatureDefinition, FieldFilter } from './definitions.js';

/** A numeric field in exact integer hundredths (round half away from zero), as a float64 integer. */
export function hundredths(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value * 100));
}

/** `hundredths` as a BigInt. */
export function toHundredths(value: number): bigint {
  return BigInt(hundredths(value));
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

/** Index of the first event at or after `t` in a time-sorted history. */
function firstAtOrAfter(events: readonly CreditEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.eventTime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when the feature reads this event: its type, its filters, the aggregated field present. */
function reads(def: FeatureDefinition, field: string | null, e: CreditEvent): boolean {
  if (e.type !== def.eventType) return false;
  if (def.filter && !def.filter.every((f) => passes(e, f))) return false;
  return field === null || fieldValue(e, field) !== undefined;
}

/** The index range [start, end) of the events a feature's window covers at `at`. */
function windowRange(def: FeatureDefinition, events: readonly CreditEvent[], at: number): [number, number] {
  const end = firstAtOrAfter(events, at);
  return [def.window === null ? 0 : firstAtOrAfter(events, at - def.window * DAY_MS), end];
}

/**
 * The events of `events` (one customer's, sorted by event time then id) that a feature reads at
 * `at`: its type and filters, carrying the aggregated field, time in [at - window, at).
 */
export function qualifying(def: FeatureDefinition, events: readonly CreditEvent[], at: number): CreditEvent[] {
  const field = 'field' in def.aggregation ? def.aggregation.field : null;
  const [start, end] = windowRange(def, events, at);
  const out: CreditEvent[] = [];
  for (let i = start; i < end; i++) if (reads(def, field, events[i]!)) out.push(events[i]!);
  return out;
}

/** A feature's value and the time of the newest event behind it (null when no event qualifies). */
export interface FeatureDetail {
  value: number | null;
  newestEventTime: number | null;
}

/**
 * Running sums in float64. They are exact when every partial sum stays a safe integer, which holds
 * when the sums of absolute terms do (sumSq, sx and sxx have terms of one sign already).
 */
interface Sums {
  n: number;
  sum: number;
  sumSq: number;
  sx: number;
  sxx: number;
  sxy: number;
  exact: boolean;
}

function sumsOf(rows: Iterable<CreditEvent>, field: string, at: number): Sums {
  const s: Sums = { n: 0, sum: 0, sumSq: 0, sx: 0, sxx: 0, sxy: 0, exact: true };
  let absSum = 0;
  let absSxy = 0;
  for (const e of rows) {
    const c = hundredths(fieldValue(e, field) as number);
    const x = Math.floor((e.eventTime - at) / 1000);
    s.n++;
    s.sum += c;
    absSum += Math.abs(c);
    s.sumSq += c * c;
    s.sx += x;
    s.sxx += x * x;
    s.sxy += x * c;
    absSxy += Math.abs(x * c);
  }
  s.exact = [absSum, s.sumSq, s.sx, s.sxx, absSxy].every((v) => Math.abs(v) <= Number.MAX_SAFE_INTEGER);
  return s;
}

/** The same sums in BigInt (the fallback for histories whose float64 sums would not be exact). */
function bigSumsOf(rows: Iterable<CreditEvent>, field: string, at: number) {
  let n = 0n, sum = 0n, sumSq = 0n, sx = 0n, sxx = 0n, sxy = 0n;
  for (const e of rows) {
    const c = toHundredths(fieldValue(e, field) as number);
    const x = BigInt(Math.floor((e.eventTime - at) / 1000));
    n++;
    sum += c;
    sumSq += c * c;
    sx += x;
    sxx += x * x;
    sxy += x * c;
  }
  return { n, sum, sumSq, sx, sxx, sxy };
}

/** sum, mean, std or slope from exact sums, by the one formula both engines use. */
function fromSums(op: 'sum' | 'mean' | 'std' | 'slope', s: { n: bigint; sum: bigint; sumSq: bigint; sx: bigint; sxx: bigint; sxy: bigint }): number | null {
  const n = Number(s.n);
  switch (op) {
    case 'sum':
      return Number(s.sum) / 100;
    case 'mean':
      return Number(s.sum) / n / 100;
    case 'std':
      return n < 2 ? null : Math.sqrt(Number(s.n * s.sumSq - s.sum * s.sum) / Number(s.n * (s.n - 1n))) / 100;
    case 'slope': {
      // Least squares of hundredths against whole seconds before the point, per day.
      const den = s.n * s.sxx - s.sx * s.sx;
      if (n < 2 || den === 0n) return null;
      return (Number(s.n * s.sxy - s.sx * s.sum) / Number(den)) * 864;
    }
  }
}

/** Events the feature reads, lazily (for the sums and their fallback). */
function* reading(def: FeatureDefinition, field: string | null, events: readonly CreditEvent[], start: number, end: number): Generator<CreditEvent> {
  for (let i = start; i < end; i++) if (reads(def, field, events[i]!)) yield events[i]!;
}

/** The feature's value at `at` (null = missing) and the newest event it read. */
export function computeFeatureDetail(def: FeatureDefinition, events: readonly CreditEvent[], at: number): FeatureDetail {
  const agg = def.aggregation;
  const field = 'field' in agg ? agg.field : null;
  const [start, end] = windowRange(def, events, at);
  let n = 0;
  let first = -1;
  let latest = -1;
  let min = Infinity;
  let max = -Infinity;
  let distinct: Set<unknown> | null = null;
  for (let i = start; i < end; i++) {
    const e = events[i]!;
    if (!reads(def, field, e)) continue;
    n++;
    if (first < 0) first = i;
    latest = i;
    if (agg.op === 'min' || agg.op === 'max') {
      const v = fieldValue(e, agg.field) as number;
      if (v < min) min = v;
      if (v > max) max = v;
    } else if (agg.op === 'distinct') {
      (distinct ??= new Set()).add(fieldValue(e, agg.field));
    }
  }
  if (n === 0) {
    const empty = agg.op === 'count' || agg.op === 'distinct' ? 0 : (def.defaultValue ?? null);
    return { value: def.defaultValue !== undefined ? def.defaultValue : empty, newestEventTime: null };
  }
  const newest = events[latest]!;
  const detail = (value: number | null): FeatureDetail => ({ value, newestEventTime: newest.eventTime });
  if (def.ttlDays !== undefined && newest.eventTime < at - def.ttlDays * DAY_MS) return detail(def.defaultValue ?? null);
  switch (agg.op) {
    case 'count':
      return detail(n);
    case 'distinct':
      return detail(distinct!.size);
    case 'last':
      return detail(fieldValue(newest, agg.field) as number);
    case 'daysSince':
      return detail((at - newest.eventTime) / DAY_MS);
    case 'meanGapDays':
      return detail(n < 2 ? null : (newest.eventTime - events[first]!.eventTime) / (n - 1) / DAY_MS);
    case 'min':
      return detail(min);
    case 'max':
      return detail(max);
    case 'streak': {
      let k = 0;
      for (let i = latest; i >= first; i--) {
        const e = events[i]!;
        if (!reads(def, field, e)) continue;
        if (!passes(e, agg.streakWhen)) break;
        k++;
      }
      return detail(k);
    }
    default: {
      const s = sumsOf(reading(def, field, events, start, end), agg.field, at);
      const exact = s.exact
        ? { n: BigInt(s.n), sum: BigInt(s.sum), sumSq: BigInt(s.sumSq), sx: BigInt(s.sx), sxx: BigInt(s.sxx), sxy: BigInt(s.sxy) }
        : bigSumsOf(reading(def, field, events, start, end), agg.field, at);
      return detail(fromSums(agg.op, exact));
    }
  }
}

/** The feature's value at `at` (null = missing). */
export function computeFeature(def: FeatureDefinition, events: readonly CreditEvent[], at: number): number | null {
  return computeFeatureDetail(def, events, at).value;
}

/** Every feature of a view for one customer at one time, in the view's order. */
export function computeFeatures(defs: readonly FeatureDefinition[], events: readonly CreditEvent[], at: number): (number | null)[] {
  return defs.map((d) => computeFeatureDetail(d, events, at).value);
}

/** Every feature of a view with the newest event behind each, in the view's order. */
export function computeFeatureDetails(defs: readonly FeatureDefinition[], events: readonly CreditEvent[], at: number): FeatureDetail[] {
  return defs.map((d) => computeFeatureDetail(d, events, at));
}
