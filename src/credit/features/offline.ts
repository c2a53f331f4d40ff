/**
 * Offline (training-time) feature computation in DuckDB: for a set of (customer, time) points, each
 * feature of a view is one filtered aggregate over the customer's events strictly before the point
 * (point-in-time correct by the join condition). The SQL mirrors compute.ts exactly: integer
 * hundredths for sums (HUGEINT), the same final formulas in float64, the same tie order
 * (event time, then event id), so offline and online values are equal, not merely close.
 *
 * Cost: the features are grouped by event type, and each group aggregates its own join of the
 * points with that type's events only, bounded by the widest window of the group (bank
 * transactions, most of the events, are read over 90 days rather than a lifetime). The groups are
 * then joined on the point. Every feature keeps its full filter, window included, so the grouping
 * changes which rows are visited, never which rows count (docs/credit-ingest-performance.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../lib/duckdb.js';
import { columnName, type EventType } from '../events/schema.js';
import type { FeatureDefinition, FeatureView, FieldFilter } from './definitions.js';

/** The events table's column for a field, qualified by the events alias. */
export function columnOf(field: string): string {
  return `e.${columnName(field)}`;
}

const literal = (v: number | string): string => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const condition = (f: FieldFilter): string => `${columnOf(f.field)} ${f.op === '!=' ? '<>' : f.op} ${literal(f.value)}`;
const hundredths = (col: string): string => `CAST(ROUND(${col} * 100) AS HUGEINT)`;
/**
 * An exact integer (HUGEINT) to the nearest double. DuckDB's direct cast can round twice beyond
 * 2^53; through its decimal text the conversion is correctly rounded, like JavaScript's Number(bigint).
 */
const exactDouble = (expr: string): string => `CAST(CAST(${expr} AS VARCHAR) AS DOUBLE)`;

/** The SQL condition selecting the events a feature reads (type, filters, field present, window). */
function qualifies(def: FeatureDefinition): string {
  const parts = [`e.type = '${def.eventType}'`, ...(def.filter ?? []).map(condition)];
  // An aggregation of a field reads only the events that carry it (optional fields may be absent).
  if ('field' in def.aggregation) parts.push(`${columnOf(def.aggregation.field)} IS NOT NULL`);
  if (def.window !== null) parts.push(`e.t_ms >= p.at_ms - ${def.window * 86_400_000}`);
  return parts.join(' AND ');
}

/** The SQL expression of one feature (grouped by point). */
export function featureSql(def: FeatureDefinition): string {
  const cond = qualifies(def);
  const agg = def.aggregation;
  const n = `COUNT(*) FILTER (WHERE ${cond})`;
  const f = (expr: string) => `(${expr}) FILTER (WHERE ${cond})`;
  const col = 'field' in agg ? columnOf(agg.field) : '';
  let value: string;
  switch (agg.op) {
    case 'count':
      value = n;
      break;
    case 'distinct':
      value = `COUNT(DISTINCT ${col}) FILTER (WHERE ${cond})`;
      break;
    case 'last':
      // The value at the greatest (event time, event id): arg_max keeps one candidate per group
      // where an ordered aggregate would buffer and sort every row.
      value = `arg_max(${col}, {'t': e.t_ms, 'id': e.event_id}) FILTER (WHERE ${cond})`;
      break;
    case 'daysSince':
      value = `(p.at_ms - MAX${f('e.t_ms')}) / 86400000.0`;
      break;
    case 'meanGapDays':
      value = `CASE WHEN ${n} < 2 THEN NULL ELSE (MAX${f('e.t_ms')} - MIN${f('e.t_ms')}) / (${n} - 1) / 86400000.0 END`;
      break;
    case 'min':
      value = `MIN${f(col)}`;
      break;
    case 'max':
      value = `MAX${f(col)}`;
      break;
    case 'streak': {
      // Newest first, 1 where the streak condition holds: the streak is the run of 1s at the start.
      const l = `list(CASE WHEN ${condition(agg.streakWhen)} THEN 1 ELSE 0 END ORDER BY e.t_ms DESC, e.event_id DESC) FILTER (WHERE ${cond})`;
      value = `coalesce(list_position(${l}, 0) - 1, len(${l}))`;
      break;
    }
    case 'sum':
      value = `${exactDouble(`SUM${f(hundredths(col))}`)} / 100`;
      break;
    case 'mean':
      value = `${exactDouble(`SUM${f(hundredths(col))}`)} / ${n} / 100`;
      break;
    case 'std': {
      const s = `SUM${f(hundredths(col))}`;
      const ss = `SUM${f(`${hundredths(col)} * ${hundredths(col)}`)}`;
      value = `CASE WHEN ${n} < 2 THEN NULL ELSE sqrt(${exactDouble(`${n} * ${ss} - ${s} * ${s}`)} / ${exactDouble(`CAST(${n} AS HUGEINT) * (${n} - 1)`)}) / 100 END`;
      break;
    }
    case 'slope': {
      const x = `CAST(floor((e.t_ms - p.at_ms) / 1000) AS HUGEINT)`;
      const y = hundredths(col);
      const sx = `SUM${f(x)}`;
      const sxx = `SUM${f(`${x} * ${x}`)}`;
      const sxy = `SUM${f(`${x} * ${y}`)}`;
      const sy = `SUM${f(y)}`;
      const den = `(${n} * ${sxx} - ${sx} * ${sx})`;
      value = `CASE WHEN ${n} < 2 OR ${den} = 0 THEN NULL ELSE ${exactDouble(`${n} * ${sxy} - ${sx} * ${sy}`)} / ${exactDouble(den)} * 864 END`;
      break;
    }
  }
  const sqlValue = (v: number | null | undefined): string => (v === null || v === undefined ? 'NULL' : String(v));
  const empty = def.defaultValue !== undefined ? sqlValue(def.defaultValue) : agg.op === 'count' || agg.op === 'distinct' ? '0' : 'NULL';
  const expired = def.ttlDays !== undefined ? `WHEN MAX${f('e.t_ms')} < p.at_ms - ${def.ttlDays * 86_400_000} THEN ${sqlValue(def.defaultValue)} ` : '';
  return `CASE WHEN ${n} = 0 THEN ${empty} ${expired}ELSE CAST(${value} AS DOUBLE) END`;
}

/** A (customer, time) point; time in epoch milliseconds. */
export interface FeaturePoint {
  readonly customerId: string;
  readonly at: number;
}

/** One event type's features of a view, with their positions in the view. */
interface TypeGroup {
  readonly type: EventType;
  readonly features: readonly { readonly def: FeatureDefinition; readonly index: number }[];
}

/** The view's features grouped by the event type they read, in order of first appearance. */
function groupByType(view: FeatureView): TypeGroup[] {
  const groups = new Map<EventType, { def: FeatureDefinition; index: number }[]>();
  view.features.forEach((def, index) => {
    const list = groups.get(def.eventType) ?? [];
    list.push({ def, index });
    groups.set(def.eventType, list);
  });
  return [...groups].map(([type, features]) => ({ type, features }));
}

/**
 * One group's aggregate: every point (LEFT JOIN, so points without events get the empty values)
 * with the group's events before it, and not older than the group's widest window.
 */
function groupSql(g: TypeGroup): string {
  const windows = g.features.map((f) => f.def.window);
  const widest = windows.includes(null) ? null : Math.max(...(windows as number[]));
  const range = widest === null ? '' : ` AND e.t_ms >= p.at_ms - ${widest * 86_400_000}`;
  const columns = g.features.map((f) => `${featureSql(f.def)} AS f${f.index}`).join(',\n    ');
  return `SELECT p.point_id,
    ${columns}
  FROM p LEFT JOIN e ON e.type = '${g.type}' AND e.customer_id = p.customer_id AND e.t_ms < p.at_ms${range}
  GROUP BY p.point_id, p.at_ms`;
}

/** The event columns a view reads (besides customer, type, time and id). */
function fieldColumns(view: FeatureView): string[] {
  const fields = new Set<string>();
  for (const f of view.features) {
    for (const c of f.filter ?? []) fields.add(c.field);
    if ('field' in f.aggregation) fields.add(f.aggregation.field);
    if (f.aggregation.op === 'streak') fields.add(f.aggregation.streakWhen.field);
  }
  return [...fields].filter((f) => f !== 'customerId' && f !== 'eventId').map(columnName);
}

/** The whole query over the points file `file`. */
function offlineSql(view: FeatureView, file: string): string {
  const groups = groupByType(view);
  const types = groups.map((g) => `'${g.type}'`).join(', ');
  const needed = ['customer_id', 'type', 'event_id', ...new Set(fieldColumns(view))].join(', ');
  const ctes = groups.map((g, i) => `g${i} AS (${groupSql(g)})`).join(',\n');
  const joins = groups.map((_, i) => `JOIN g${i} USING (point_id)`).join(' ');
  return `
WITH p AS (SELECT * FROM read_csv('${file.replace(/'/g, "''")}', header = true, columns = {'point_id': 'INTEGER', 'customer_id': 'VARCHAR', 'at_ms': 'BIGINT'})),
e AS (SELECT ${needed}, epoch_ms(event_time) AS t_ms FROM credit_events WHERE type IN (${types})),
${ctes}
SELECT point_id, ${view.features.map((_, i) => `f${i}`).join(', ')}
FROM p ${joins}
ORDER BY point_id`;
}

/**
 * Every feature of `view` at every point, from the `credit_events` table of `db`; rows in the
 * order of `points`.
 */
export async function computeOfflineFeatures(db: Database, view: FeatureView, points: readonly FeaturePoint[]): Promise<(number | null)[][]> {
  if (points.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'irisk-points-'));
  try {
    const file = join(dir, 'points.csv');
    await writeFile(file, 'point_id,customer_id,at_ms\n' + points.map((p, i) => `${i},"${p.customerId.replace(/"/g, '""')}",${p.at}`).join('\n') + '\n');
    const rows = await db.all(offlineSql(view, file));
    return rows.map((r) => view.features.map((_, i) => {
      const v = r[`f${i}`];
      return v === null || v === undefined ? null : Number(v);
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
