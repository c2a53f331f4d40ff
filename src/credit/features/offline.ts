/**
 * Offline (training-time) feature computation in DuckDB: for a set of (customer, time) points, each
 * feature of a view is one filtered aggregate over the customer's events strictly before the point
 * (point-in-time correct by the join condition). The SQL mirrors compute.ts exactly: integer
 * hundredths for sums (HUGEINT), the same final formulas in float64, the same tie order
 * (event time, then event id), so offline and online values are equal, not merely close.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../lib/duckdb.js';
import { columnName } from '../events/schema.js';
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
      value = `last(${col} ORDER BY e.t_ms, e.event_id) FILTER (WHERE ${cond})`;
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
    const types = [...new Set(view.features.map((f) => `'${f.eventType}'`))].join(', ');
    const columns = view.features.map((d, i) => `${featureSql(d)} AS f${i}`).join(',\n  ');
    const sql = `
WITH p AS (SELECT * FROM read_csv('${file.replace(/'/g, "''")}', header = true, columns = {'point_id': 'INTEGER', 'customer_id': 'VARCHAR', 'at_ms': 'BIGINT'})),
e AS (SELECT *, epoch_ms(event_time) AS t_ms FROM credit_events WHERE type IN (${types}))
SELECT p.point_id,
  ${columns}
FROM p LEFT JOIN e ON e.customer_id = p.customer_id AND e.t_ms < p.at_ms
GROUP BY p.point_id, p.at_ms
ORDER BY p.point_id`;
    const rows = await db.all(sql);
    return rows.map((r) => view.features.map((_, i) => {
      const v = r[`f${i}`];
      return v === null || v === undefined ? null : Number(v);
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
