/**
 * Validation of one raw event record (a parsed NDJSON line, a CSV row, a Parquet row) into a typed
 * `CreditEvent`. Every file format goes through this one function, so a record means the same thing
 * whatever file it came in. Failures are `IriskError('EVENT_SCHEMA')` with a reason a person can act on.
 *
 * Raw values: `null`/`undefined` (and, from CSV, empty strings) are absent fields. Numbers may
 * arrive as JSON numbers or as strict decimal strings (`-12`, `3.50`; no exponent, hex, spaces or
 * `Infinity`). Times are ISO 8601 with a zone (`2024-03-01T12:00:00Z`, `...+02:00`) or epoch
 * milliseconds (number or decimal integer string); not before 1970.
 */
import { IriskError } from '../../lib/errors.js';
import { EVENT_FIELDS, EVENT_TYPES, type CreditEvent, type EventType, type FieldKind } from './schema.js';

/** Options of `validateEvent`. */
export interface ValidateOptions {
  /** The ingestion clock (epoch ms): default `ingestedAt`, and the reference for "too far in the future". */
  now: number;
  /** How far past `now` an event or ingestion time may lie (default one day, for clock skew). */
  maxFutureMs?: number;
}

/** Default tolerance for times ahead of the ingestion clock. */
export const DEFAULT_MAX_FUTURE_MS = 24 * 3600 * 1000;

const BASE_FIELDS = ['eventId', 'customerId', 'type', 'eventTime', 'ingestedAt'] as const;
const BASE_SET = new Set<string>(BASE_FIELDS);
/** Every payload field name of any type. */
const ALL_PAYLOAD = new Set<string>(Object.values(EVENT_FIELDS).flatMap((fs) => fs.map((f) => f.name)));
const TYPE_SET = new Set<string>(EVENT_TYPES);
const PAYLOAD_BY_TYPE: Record<string, Set<string>> = Object.fromEntries(EVENT_TYPES.map((t) => [t, new Set(EVENT_FIELDS[t].map((f) => f.name))]));

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const MAX_ID = 128;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;

/** The camelCase field names an event record may carry (base fields, then every type's payload). */
export const EVENT_COLUMNS: readonly string[] = [...BASE_FIELDS, ...ALL_PAYLOAD];

/**
 * Checks one raw record and returns the typed event, or throws EVENT_SCHEMA naming the field and
 * what is wrong with it (missing for the type, wrong type, out of range, unknown, in the future).
 */
export function validateEvent(raw: Record<string, unknown>, opts: ValidateOptions): CreditEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('an event must be an object of fields');
  const maxFuture = opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;

  const typeValue = raw.type;
  if (!isPresent(typeValue)) fail('missing field type (one of ' + EVENT_TYPES.join(', ') + ')');
  if (typeof typeValue !== 'string') fail(`type must be a string (got ${describe(typeValue)})`);
  if (!TYPE_SET.has(typeValue)) fail(`unknown event type ${JSON.stringify(clip(typeValue))} (expected one of ${EVENT_TYPES.join(', ')})`);
  const type = typeValue as EventType;

  const own = PAYLOAD_BY_TYPE[type]!;
  for (const k in raw) {
    if (BASE_SET.has(k) || own.has(k) || !isPresent(raw[k])) continue;
    if (!ALL_PAYLOAD.has(k)) fail(`unknown field ${JSON.stringify(clip(k))}`);
    fail(`field ${k} does not belong to a ${type} event (its fields: ${EVENT_FIELDS[type].map((f) => f.name).join(', ')})`);
  }

  const eventId = idField(raw, 'eventId', type);
  const customerId = idField(raw, 'customerId', type);
  if (!isPresent(raw.eventTime)) fail(`missing field eventTime for type ${type}`);
  const eventTime = timeField(raw.eventTime, 'eventTime', opts.now, maxFuture);
  const ingestedAt = isPresent(raw.ingestedAt) ? timeField(raw.ingestedAt, 'ingestedAt', opts.now, maxFuture) : opts.now;

  const event: Record<string, unknown> = { eventId, customerId, type, eventTime, ingestedAt };
  for (const f of EVENT_FIELDS[type]) {
    const v = raw[f.name];
    if (!isPresent(v)) {
      if (f.required) fail(`missing field ${f.name} for type ${type}`);
      continue;
    }
    event[f.name] = fieldValue(v, f.name, f.type, type);
  }
  return event as unknown as CreditEvent;
}

function fail(reason: string): never {
  throw new IriskError('EVENT_SCHEMA', reason);
}

function isPresent(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '';
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function idField(raw: Record<string, unknown>, name: string, type: string): string {
  const v = raw[name];
  if (!isPresent(v)) fail(`missing field ${name} for type ${type}`);
  return checkId(v, name);
}

function checkId(v: unknown, name: string): string {
  if (typeof v !== 'string') fail(`${name} must be a string id (got ${describe(v)})`);
  if (v.trim() === '') fail(`${name} must not be blank`);
  if (v.length > MAX_ID) fail(`${name} is ${v.length} characters long (at most ${MAX_ID})`);
  return v;
}

function fieldValue(v: unknown, name: string, kind: FieldKind, type: string): string | number {
  switch (kind.kind) {
    case 'id':
      return checkId(v, name);
    case 'string':
      if (typeof v !== 'string') fail(`${name} must be a string (got ${describe(v)})`);
      if (v.length > kind.maxLength) fail(`${name} is ${v.length} characters long (at most ${kind.maxLength})`);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !kind.values.includes(v)) fail(`${name} must be one of ${kind.values.join(', ')} (got ${describe(v)})`);
      return v;
    case 'number': {
      const n = toNumber(v, name);
      if (kind.integer && !Number.isInteger(n)) fail(`${name} must be a whole number (got ${n})`);
      if (kind.min !== undefined && n < kind.min) {
        fail(kind.min === 0 ? `${name} must not be negative for a ${type} event (got ${n})` : `${name} must be at least ${kind.min} (got ${n})`);
      }
      if (kind.max !== undefined && n > kind.max) fail(`${name} must be at most ${kind.max} (got ${n})`);
      return n;
    }
  }
}

/** A finite number from a JSON number or a strict decimal string. */
function toNumber(v: unknown, name: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && DECIMAL.test(v)) n = Number(v);
  else fail(`${name} must be a decimal number (got ${describe(v)})`);
  if (!Number.isFinite(n)) fail(`${name} must be a finite number (got ${describe(v)})`);
  return n === 0 ? 0 : n; // no -0
}

/** Epoch ms from ISO 8601 with a zone or from epoch milliseconds; not before 1970, not too far ahead of `now`. */
function timeField(v: unknown, name: string, now: number, maxFuture: number): number {
  let ms: number;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(`${name} as a number must be whole epoch milliseconds (got ${v})`);
    ms = v;
  } else if (typeof v === 'string' && v.charCodeAt(4) !== DASH && INTEGER.test(v)) {
    // (An ISO date has '-' at index 4, which no integer string has: the regex is skipped for it.)
    ms = Number(v);
  } else if (typeof v === 'string') {
    ms = parseIso(v, name);
  } else fail(`${name} must be an ISO 8601 time with a zone or epoch milliseconds (got ${describe(v)})`);
  if (!Number.isSafeInteger(ms)) fail(`${name} is out of range (got ${describe(v)})`);
  if (ms < 0) fail(`${name} is before 1970-01-01 (got ${describe(v)})`);
  if (ms > now + maxFuture) {
    fail(`${name} ${new Date(Math.min(ms, 8.64e15)).toISOString()} is too far in the future (more than ${maxFuture / 3600000} h after ${new Date(now).toISOString()})`);
  }
  return ms;
}

/** Reads `n` ASCII digits of `s` at `i` as a number, or -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function badIso(s: string, name: string): never {
  const hint = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? ' (add a zone, e.g. Z)' : '';
  return fail(`${name} must be an ISO 8601 time with a zone, e.g. 2024-03-01T12:00:00Z, or epoch milliseconds (got ${describe(s)})${hint}`);
}

/** YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or +HH:MM / +HHMM (fractions beyond ms truncate). */
function parseIso(s: string, name: string): number {
  const len = s.length;
  if (len < 17 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(10) !== LETTER_T || s.charCodeAt(13) !== COLON) badIso(s, name);
  const year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2), hour = digits(s, 11, 2), minute = digits(s, 14, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0) badIso(s, name);
  let i = 16;
  let second = 0;
  let millis = 0;
  if (s.charCodeAt(i) === COLON) {
    second = digits(s, i + 1, 2);
    if (second < 0) badIso(s, name);
    i += 3;
    if (s.charCodeAt(i) === DOT) {
      i++;
      const start = i;
      while (i < len && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      const nd = i - start;
      if (nd < 1 || nd > 9) badIso(s, name);
      millis = nd >= 3 ? digits(s, start, 3) : digits(s, start, nd) * (nd === 2 ? 10 : 100);
    }
  }
  let offsetMin = 0;
  const z = s[i];
  if (z === 'Z' && i + 1 === len) offsetMin = 0;
  else if (z === '+' || z === '-') {
    const colon = s[i + 3] === ':' ? 1 : 0;
    if (i + 5 + colon !== len) badIso(s, name);
    const oh = digits(s, i + 1, 2), om = digits(s, i + 3 + colon, 2);
    if (oh < 0 || om < 0) badIso(s, name);
    if (oh > 23 || om > 59) fail(`${name} is not a valid date and time (got ${describe(s)})`);
    offsetMin = (z === '-' ? -1 : 1) * (oh * 60 + om);
  } else badIso(s, name);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (dim === undefined || day < 1 || day > dim || hour > 23 || minute > 59 || second > 59) fail(`${name} is not a valid date and time (got ${describe(s)})`);
  if (year < 1970) fail(`${name} is before 1970-01-01 (got ${describe(s)})`); // also keeps Date.UTC away from years 0..99
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMin * 60_000;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1-12), in integer arithmetic: the same
 * as Date.UTC for every valid date, without its generality (it was a third of parsing a time).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

