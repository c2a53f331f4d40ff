/**
 * Import mappings: plain JSON that says how a tabular file (one row per customer) becomes credit
 * events and one labelled decision point per row. Two kinds:
 *
 * - `table`: each row gives a few snapshot events (a bureau report, an application, a loan, ...)
 *   dated shortly before the decision time `asOf`, e.g. "Give Me Some Credit".
 * - `panel`: a table plus a wide monthly history (repayment status, bill, amount paid for each of
 *   the last N months, most recent first), each month becoming an `installment_due` and a
 *   `repayment`, e.g. "default of credit card clients".
 *
 * `validateMapping` checks a parsed JSON value key by key and throws CONFIG_INVALID naming the key;
 * it returns the mapping with defaults filled in. Columns are matched to the file's header later
 * (`resolveColumn`), ignoring case and punctuation, so `default.payment.next.month` matches
 * `default payment next month`. See docs/credit-import.md.
 */
import { IriskError } from '../../lib/errors.js';
import { addMonthsUtc } from '../../lib/time.js';
import { MISSING_TOKENS } from '../../ml/data/tabular-csv.js';
import { EVENT_FIELDS, type EventType, type FieldKind } from '../events/schema.js';
import { featureViews, isFeatureViewName } from '../catalog.js';

/** A column of the file: a header name, or alternative names of which the first present is used. */
export type ColumnRef = string | readonly string[];

/**
 * Where an event field's value comes from:
 * - a column (shorthand: the `ColumnRef` itself);
 * - a column with options: `scale` multiplies the number, `min` clamps values below it up to it
 *   (counted in the report), `map` translates cell texts (categorical codes) to values,
 *   `optional` lets the file lack the column (the field is then absent);
 * - a constant (`const`), for required fields the file has no column for;
 * - the sum of several numeric columns (`sum`), absent when any of them is missing.
 */
export type FieldSource =
  | ColumnRef
  | {
      readonly column: ColumnRef;
      readonly scale?: number;
      readonly min?: number;
      readonly map?: Readonly<Record<string, number | string>>;
      readonly optional?: boolean;
    }
  | { readonly const: number | string }
  | { readonly sum: readonly ColumnRef[] };

/** Event types a row maps to directly (installments and repayments come from `monthly`). */
export const ROW_EVENT_TYPES = ['application', 'loan', 'purchase', 'bank_txn', 'bureau'] as const;
export type RowEventType = (typeof ROW_EVENT_TYPES)[number];

/** One event per row. */
export interface EventMapping {
  readonly type: RowEventType;
  /** Distinguishes two events of one type; part of the event id (default: the type). Loans get loanId `<customer>-<key>`. */
  readonly key?: string;
  /** How long before `asOf` the event happened: `<n><unit>`, unit ms, s, min, h, d or mo (calendar months). */
  readonly before: string;
  /** Payload fields of the event type and where each comes from (`loanId` is generated). */
  readonly fields: Readonly<Record<string, FieldSource>>;
}

/** The wide monthly history of a panel: columns listed most recent month first, one per month. */
export interface MonthlyMapping {
  /** Repayment status per month: <= 0 on time (e.g. -2 no consumption, -1 paid duly, 0 revolving), k > 0 = k periods late. */
  readonly status: readonly ColumnRef[];
  /** Bill (statement) amount per month: the `installment_due` amount. */
  readonly bill: readonly ColumnRef[];
  /** Amount paid per month: the `repayment` amount. */
  readonly paid: readonly ColumnRef[];
  /** Days late per status unit (default 30: status k -> 30k days late). */
  readonly lateDaysPerStatus?: number;
  /** Negative bills (a credit balance): `clamp` to 0 and count them (default), or `reject` the row. */
  readonly negativeBill?: 'clamp' | 'reject';
  /** Key of the loan the installments belong to (loanId `<customer>-<loan>`; default `loan`). */
  readonly loan?: string;
  /** How long before `asOf` the most recent month's statement is (default `1d`); each older month is a calendar month earlier. */
  readonly before?: string;
}

/** How the file is laid out. */
export interface FormatMapping {
  /** Field separator; `auto` picks the most frequent of `,` `;` tab in the header line (default). ` ` splits on runs of spaces. */
  readonly delimiter?: 'auto' | ',' | ';' | '\t' | '|' | ' ';
  /** Whether the first line is a header (default true). Without one, `columns` names the columns. */
  readonly header?: boolean;
  /** Column names when the file has no header line. */
  readonly columns?: readonly string[];
  /** Cell texts read as missing (default: empty, NA, N/A, NaN, nan, null, NULL, None, ?). */
  readonly missing?: readonly string[];
}

/** A complete mapping (see the module comment and docs/credit-import.md). */
export interface ImportMapping {
  readonly kind: 'table' | 'panel';
  /** Dataset name: prefix of every customer id (`<dataset>-000001`) and the key of its labels. */
  readonly dataset: string;
  readonly description?: string;
  /** Name of the feature view for this dataset (see `featureViews` in catalog.ts). */
  readonly view: string;
  /** The decision time, ISO 8601 with a zone: every label point is at asOf, every event before it. */
  readonly asOf: string;
  readonly format?: FormatMapping;
  /** The customer id: `row` (1-based data row number) or a column; `optional` falls back to the row number when the file lacks it. */
  readonly id?: 'row' | { readonly column: ColumnRef; readonly optional?: boolean };
  /** The outcome: cells equal to a `positive` value are 1; with `negative` given, any other value rejects the row. */
  readonly label: { readonly column: ColumnRef; readonly positive: string | number | readonly (string | number)[]; readonly negative?: string | number | readonly (string | number)[] };
  readonly events: readonly EventMapping[];
  /** Required for `panel`, absent for `table`. */
  readonly monthly?: MonthlyMapping;
}

const DATASET_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const KEY_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const DELIMITERS = ['auto', ',', ';', '\t', '|', ' '] as const;
const TOP_KEYS = ['kind', 'dataset', 'description', 'view', 'asOf', 'format', 'id', 'label', 'events', 'monthly'];
const MAX_BEFORE_MS = 100 * 365 * 86_400_000;

type Json = Record<string, unknown>;

function fail(source: string, key: string, message: string): never {
  throw new IriskError('CONFIG_INVALID', `${source}: ${key}: ${message}`, { source, key });
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkKeys(source: string, key: string, o: Json, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(source, key ? `${key}.${k}` : k, `unknown key (expected ${allowed.join(', ')})`);
}

/** A duration `<n><unit>` in one of ms, s, min, h, d, mo. */
export interface Duration {
  readonly amount: number;
  readonly unit: 'ms' | 's' | 'min' | 'h' | 'd' | 'mo';
}

const UNIT_MS = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `1d`, `12h`, `30min`, `6mo`, ...; null when malformed. */
export function parseDuration(text: string): Duration | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h|d|mo)$/.exec(text.trim());
  if (!m) return null;
  const amount = Number(m[1]);
  const unit = m[2] as Duration['unit'];
  if (unit === 'mo' && !Number.isInteger(amount)) return null;
  return { amount, unit };
}

/** The instant `d` before `t` (epoch ms). */
export function instantBefore(t: number, d: Duration): number {
  return d.unit === 'mo' ? addMonthsUtc(t, -d.amount) : t - Math.round(d.amount * UNIT_MS[d.unit]);
}

function checkDuration(source: string, key: string, v: unknown, asOf: number): void {
  if (typeof v !== 'string') fail(source, key, `must be a duration such as "1d", "1h", "30min" or "6mo" (got ${show(v)})`);
  const d = parseDuration(v);
  if (!d) fail(source, key, `must be a duration such as "1d", "1h", "30min" or "6mo" (got ${show(v)})`);
  const t = instantBefore(asOf, d);
  if (!(t < asOf)) fail(source, key, 'must be longer than zero: events must happen strictly before asOf to count as of asOf');
  if (asOf - t > MAX_BEFORE_MS || t < 0) fail(source, key, `is too long (${v} before asOf is before 1970 or more than 100 years)`);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + '...' : s;
}

function checkColumnRef(source: string, key: string, v: unknown): void {
  if (typeof v === 'string') {
    if (v.trim() === '') fail(source, key, 'a column name must not be blank');
    return;
  }
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim() !== '')) return;
  fail(source, key, `must be a column name or a non-empty list of alternative column names (got ${show(v)})`);
}

/** Parses an ISO 8601 time with a zone to epoch ms, or null. */
export function parseIsoWithZone(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0) return null;
  // Date.parse rolls over impossible dates (Feb 30) in some engines: require the date part to survive.
  const [y, mo, d] = text.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y!, mo! - 1, d!));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d) return null;
  return ms;
}

function fieldSpec(type: EventType, name: string): { name: string; type: FieldKind; required: boolean } | undefined {
  return EVENT_FIELDS[type].find((f) => f.name === name);
}

function checkConst(source: string, key: string, v: unknown, kind: FieldKind): void {
  switch (kind.kind) {
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, key, `must be a number (got ${show(v)})`);
      if (kind.integer && !Number.isInteger(v)) fail(source, key, `must be a whole number (got ${v})`);
      if (kind.min !== undefined && v < kind.min) fail(source, key, `must be at least ${kind.min} (got ${v})`);
      if (kind.max !== undefined && v > kind.max) fail(source, key, `must be at most ${kind.max} (got ${v})`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !kind.values.includes(v)) fail(source, key, `must be one of ${kind.values.join(', ')} (got ${show(v)})`);
      return;
    case 'string':
      if (typeof v !== 'string' || v.length > kind.maxLength) fail(source, key, `must be a string of at most ${kind.maxLength} characters (got ${show(v)})`);
      return;
    case 'id':
      if (typeof v !== 'string' || v.trim() === '' || v.length > 128) fail(source, key, `must be a non-blank id of at most 128 characters (got ${show(v)})`);
  }
}

function checkSource(source: string, key: string, v: unknown, kind: FieldKind): void {
  if (typeof v === 'string' || Array.isArray(v)) return checkColumnRef(source, key, v);
  if (!isObject(v)) fail(source, key, `must be a column name, a list of alternative names, or an object with column, const or sum (got ${show(v)})`);
  const numeric = kind.kind === 'number';
  if ('const' in v) {
    checkKeys(source, key, v, ['const']);
    return checkConst(source, `${key}.const`, v.const, kind);
  }
  if ('sum' in v) {
    checkKeys(source, key, v, ['sum']);
    if (!numeric) fail(source, `${key}.sum`, 'a sum needs a numeric field');
    if (!Array.isArray(v.sum) || v.sum.length === 0) fail(source, `${key}.sum`, 'must be a non-empty list of columns');
    (v.sum as unknown[]).forEach((c, i) => checkColumnRef(source, `${key}.sum[${i}]`, c));
    return;
  }
  if (!('column' in v)) fail(source, key, 'an object source needs one of column, const or sum');
  checkKeys(source, key, v, ['column', 'scale', 'min', 'map', 'optional']);
  checkColumnRef(source, `${key}.column`, v.column);
  if (v.scale !== undefined) {
    if (!numeric) fail(source, `${key}.scale`, 'applies to numeric fields only');
    if (typeof v.scale !== 'number' || !Number.isFinite(v.scale) || v.scale === 0) fail(source, `${key}.scale`, `must be a non-zero number (got ${show(v.scale)})`);
  }
  if (v.min !== undefined) {
    if (!numeric) fail(source, `${key}.min`, 'applies to numeric fields only');
    if (typeof v.min !== 'number' || !Number.isFinite(v.min)) fail(source, `${key}.min`, `must be a number (got ${show(v.min)})`);
  }
  if (v.map !== undefined) {
    if (!isObject(v.map) || Object.keys(v.map).length === 0) fail(source, `${key}.map`, 'must be a non-empty object from cell text to value');
    for (const [from, to] of Object.entries(v.map)) checkConst(source, `${key}.map.${from}`, to, kind);
  }
  if (v.optional !== undefined && typeof v.optional !== 'boolean') fail(source, `${key}.optional`, 'must be true or false');
}

function checkEvent(source: string, key: string, v: unknown, asOf: number): void {
  if (!isObject(v)) fail(source, key, 'must be an object with type, before and fields');
  checkKeys(source, key, v, ['type', 'key', 'before', 'fields']);
  if (v.type === 'installment_due' || v.type === 'repayment') fail(source, `${key}.type`, `${v.type} events come from the monthly section of a panel mapping`);
  if (typeof v.type !== 'string' || !(ROW_EVENT_TYPES as readonly string[]).includes(v.type)) fail(source, `${key}.type`, `must be one of ${ROW_EVENT_TYPES.join(', ')} (got ${show(v.type)})`);
  const type = v.type as RowEventType;
  if (v.key !== undefined && (typeof v.key !== 'string' || !KEY_NAME.test(v.key))) fail(source, `${key}.key`, `must be snake_case, at most 32 characters (got ${show(v.key)})`);
  if (v.before === undefined) fail(source, `${key}.before`, 'is required: how long before asOf the event happened, e.g. "1d"');
  checkDuration(source, `${key}.before`, v.before, asOf);
  if (!isObject(v.fields)) fail(source, `${key}.fields`, 'must be an object from event field to source');
  for (const [name, src] of Object.entries(v.fields)) {
    if (name === 'loanId' && type === 'loan') fail(source, `${key}.fields.loanId`, 'is generated (<customer>-<key>); do not map it');
    const spec = fieldSpec(type, name);
    if (!spec) fail(source, `${key}.fields.${name}`, `is not a field of a ${type} event (its fields: ${EVENT_FIELDS[type].map((f) => f.name).join(', ')})`);
    checkSource(source, `${key}.fields.${name}`, src, spec.type);
  }
  for (const f of EVENT_FIELDS[type]) {
    if (f.required && !(f.name in v.fields) && !(f.name === 'loanId' && type === 'loan')) {
      fail(source, `${key}.fields.${f.name}`, `is required for a ${type} event: map a column or give a constant ({"const": ...})`);
    }
  }
}

function checkMonthly(source: string, v: unknown, asOf: number): void {
  const key = 'monthly';
  if (!isObject(v)) fail(source, key, 'must be an object with status, bill and paid column lists');
  checkKeys(source, key, v, ['status', 'bill', 'paid', 'lateDaysPerStatus', 'negativeBill', 'loan', 'before']);
  let months = -1;
  for (const part of ['status', 'bill', 'paid'] as const) {
    const list = v[part];
    if (!Array.isArray(list) || list.length === 0) fail(source, `${key}.${part}`, 'must be a non-empty list of columns, most recent month first');
    if (list.length > 120) fail(source, `${key}.${part}`, `at most 120 months (got ${list.length})`);
    list.forEach((c, i) => checkColumnRef(source, `${key}.${part}[${i}]`, c));
    if (months >= 0 && list.length !== months) fail(source, `${key}.${part}`, `lists ${list.length} months; status, bill and paid must list the same number of months (${months})`);
    months = list.length;
  }
  const perStatus = v.lateDaysPerStatus;
  if (perStatus !== undefined && (typeof perStatus !== 'number' || !Number.isInteger(perStatus) || perStatus < 1 || perStatus > 365)) {
    fail(source, `${key}.lateDaysPerStatus`, `must be a whole number of days from 1 to 365 (got ${show(perStatus)})`);
  }
  if (v.negativeBill !== undefined && v.negativeBill !== 'clamp' && v.negativeBill !== 'reject') fail(source, `${key}.negativeBill`, `must be "clamp" or "reject" (got ${show(v.negativeBill)})`);
  if (v.loan !== undefined && (typeof v.loan !== 'string' || !KEY_NAME.test(v.loan))) fail(source, `${key}.loan`, `must be snake_case, at most 32 characters (got ${show(v.loan)})`);
  if (v.before !== undefined) checkDuration(source, `${key}.before`, v.before, asOf);
  // The oldest month must still lie after 1970.
  if (instantBefore(asOf, { amount: months, unit: 'mo' }) < 0) fail(source, key, `${months} months before asOf is before 1970`);
}

function checkLabelValues(source: string, key: string, v: unknown): void {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => (typeof x === 'string' && x.trim() !== '') || (typeof x === 'number' && Number.isFinite(x)))) {
    fail(source, key, `must be a value or a non-empty list of values (strings or numbers) (got ${show(v)})`);
  }
}

/**
 * Checks a parsed JSON mapping and returns it with defaults filled in (format, id, key, monthly
 * options). `source` names it in messages (a built-in name or a file path). Throws CONFIG_INVALID
 * naming the offending key.
 */
export function validateMapping(raw: unknown, source = 'mapping'): ImportMapping {
  if (!isObject(raw)) fail(source, '(top level)', 'a mapping must be a JSON object');
  checkKeys(source, '', raw, TOP_KEYS);
  if (raw.kind !== 'table' && raw.kind !== 'panel') fail(source, 'kind', `must be "table" or "panel" (got ${show(raw.kind)})`);
  if (typeof raw.dataset !== 'string' || !DATASET_NAME.test(raw.dataset)) fail(source, 'dataset', `must be a lowercase name: a letter, then letters, digits or _ (at most 32) (got ${show(raw.dataset)})`);
  if (raw.description !== undefined && typeof raw.description !== 'string') fail(source, 'description', 'must be a string');
  if (!isFeatureViewName(raw.view)) {
    fail(source, 'view', `must name a feature view, one of ${featureViews().map((v) => v.name).join(', ')} (got ${show(raw.view)})`);
  }
  if (typeof raw.asOf !== 'string') fail(source, 'asOf', `must be an ISO 8601 time with a zone, e.g. "2011-01-01T00:00:00Z" (got ${show(raw.asOf)})`);
  const asOf = parseIsoWithZone(raw.asOf);
  if (asOf === null) fail(source, 'asOf', `must be an ISO 8601 time with a zone, e.g. "2011-01-01T00:00:00Z", not before 1970 (got ${show(raw.asOf)})`);

  const format: Json = raw.format === undefined ? {} : isObject(raw.format) ? raw.format : fail(source, 'format', 'must be an object');
  checkKeys(source, 'format', format, ['delimiter', 'header', 'columns', 'missing']);
  if (format.delimiter !== undefined && !(DELIMITERS as readonly unknown[]).includes(format.delimiter)) {
    fail(source, 'format.delimiter', `must be one of ${DELIMITERS.map((d) => JSON.stringify(d)).join(', ')} (got ${show(format.delimiter)})`);
  }
  if (format.header !== undefined && typeof format.header !== 'boolean') fail(source, 'format.header', 'must be true or false');
  const header = format.header !== false;
  if (!header) {
    if (!Array.isArray(format.columns) || format.columns.length === 0 || !format.columns.every((c) => typeof c === 'string' && c.trim() !== '')) {
      fail(source, 'format.columns', 'a file without a header needs the list of its column names');
    }
    if (new Set(format.columns).size !== format.columns.length) fail(source, 'format.columns', 'names must be distinct');
  } else if (format.columns !== undefined) fail(source, 'format.columns', 'only for a file without a header line (format.header: false)');
  if (format.missing !== undefined && (!Array.isArray(format.missing) || !format.missing.every((m) => typeof m === 'string'))) fail(source, 'format.missing', 'must be a list of strings');

  let id: ImportMapping['id'] = 'row';
  if (raw.id !== undefined && raw.id !== 'row') {
    if (!isObject(raw.id)) fail(source, 'id', `must be "row" or {"column": ...} (got ${show(raw.id)})`);
    checkKeys(source, 'id', raw.id, ['column', 'optional']);
    checkColumnRef(source, 'id.column', raw.id.column);
    if (raw.id.optional !== undefined && typeof raw.id.optional !== 'boolean') fail(source, 'id.optional', 'must be true or false');
    id = { column: raw.id.column as ColumnRef, optional: raw.id.optional === true };
  }

  if (!isObject(raw.label)) fail(source, 'label', 'must be an object with column and positive');
  checkKeys(source, 'label', raw.label, ['column', 'positive', 'negative']);
  checkColumnRef(source, 'label.column', raw.label.column);
  if (raw.label.positive === undefined) fail(source, 'label.positive', 'is required: the cell value(s) meaning label 1');
  checkLabelValues(source, 'label.positive', raw.label.positive);
  if (raw.label.negative !== undefined) {
    checkLabelValues(source, 'label.negative', raw.label.negative);
    const pos = new Set((Array.isArray(raw.label.positive) ? raw.label.positive : [raw.label.positive]).map(String));
    for (const n of Array.isArray(raw.label.negative) ? raw.label.negative : [raw.label.negative]) {
      if (pos.has(String(n))) fail(source, 'label.negative', `${show(n)} is also a positive value`);
    }
  }

  if (!Array.isArray(raw.events)) fail(source, 'events', 'must be a list of event mappings (it may be empty for a panel)');
  raw.events.forEach((e, i) => checkEvent(source, `events[${i}]`, e, asOf));
  const events = (raw.events as Json[]).map((e) => ({ ...(e as unknown as EventMapping), key: (e.key as string | undefined) ?? (e.type as string) }));
  const keys = new Set<string>();
  events.forEach((e, i) => {
    if (keys.has(e.key)) fail(source, `events[${i}].key`, `"${e.key}" is used twice: give one of the events of that type another key`);
    keys.add(e.key);
  });

  let monthly: MonthlyMapping | undefined;
  if (raw.kind === 'panel') {
    if (raw.monthly === undefined) fail(source, 'monthly', 'is required for a panel mapping');
    checkMonthly(source, raw.monthly, asOf);
    const m = raw.monthly as unknown as MonthlyMapping;
    monthly = { ...m, lateDaysPerStatus: m.lateDaysPerStatus ?? 30, negativeBill: m.negativeBill ?? 'clamp', loan: m.loan ?? 'loan', before: m.before ?? '1d' };
    if (keys.has(monthly.loan!) && !events.some((e) => e.key === monthly!.loan && e.type === 'loan')) {
      fail(source, 'monthly.loan', `"${monthly.loan}" is the key of a non-loan event`);
    }
  } else if (raw.monthly !== undefined) fail(source, 'monthly', 'only a panel mapping (kind "panel") has a monthly section');
  if (events.length === 0 && raw.kind === 'table') fail(source, 'events', 'a table mapping needs at least one event');

  return {
    kind: raw.kind,
    dataset: raw.dataset,
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    view: raw.view,
    asOf: raw.asOf,
    format: {
      delimiter: (format.delimiter as FormatMapping['delimiter']) ?? 'auto',
      header,
      ...(header ? {} : { columns: format.columns as string[] }),
      missing: (format.missing as string[] | undefined) ?? [...MISSING_TOKENS],
    },
    id,
    label: raw.label as unknown as ImportMapping['label'],
    events,
    ...(monthly ? { monthly } : {}),
  };
}

/** The form used to match names: lower case, letters and digits only. */
export function normaliseColumnName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The index of a column in `header`, or -1: alternatives in order; for each, an exact (trimmed)
 * match first, then a match ignoring case and punctuation. Throws DATASET_INVALID when a name
 * matches two columns only loosely (ambiguous).
 */
export function resolveColumn(header: readonly string[], ref: ColumnRef, file: string): number {
  const names = typeof ref === 'string' ? [ref] : ref;
  for (const name of names) {
    const exact = header.indexOf(name.trim());
    if (exact >= 0) return exact;
    const want = normaliseColumnName(name);
    const loose = header.flatMap((h, i) => (want !== '' && normaliseColumnName(h) === want ? [i] : []));
    if (loose.length > 1) {
      throw new IriskError('DATASET_INVALID', `${file}: column "${name}" matches ${loose.map((i) => JSON.stringify(header[i])).join(' and ')}; name it exactly`, { file, column: name });
    }
    if (loose.length === 1) return loose[0]!;
  }
  return -1;
}

/** A column reference for messages: `"A"` or `"A" (or "B")`. */
export function describeRef(ref: ColumnRef): string {
  const names = typeof ref === 'string' ? [ref] : ref;
  return names.map((n, i) => (i === 0 ? JSON.stringify(n) : `(or ${JSON.stringify(n)})`)).join(' ');
}
