/**
 * The label store: labelled decision points of imported datasets in the instance's DuckDB file.
 * `credit_labels` holds one row per point (dataset, point id, customer, time, 0/1 label), keyed by
 * (dataset, point id) and written insert-if-absent, so importing a file again changes nothing;
 * `credit_label_datasets` records, per dataset, the feature view its mapping names and where it
 * came from.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../lib/duckdb.js';

/** One labelled decision point: features as of `at` (only events strictly before it count). */
export interface LabelPoint {
  /** Unique within its dataset. */
  readonly id: string;
  readonly customerId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly label: 0 | 1;
}

/** A dataset with labels, as `listLabelledDatasets` reports it. */
export interface LabelledDataset {
  name: string;
  rows: number;
  positives: number;
  /** The feature view its mapping names (null when the labels were written without an import record). */
  view: string | null;
  /** The file it was last imported from, and when (epoch ms). */
  source: string | null;
  importedAt: number | null;
}

const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS credit_labels (
  dataset VARCHAR,
  point_id VARCHAR,
  customer_id VARCHAR,
  label_time TIMESTAMP,
  label INTEGER,
  PRIMARY KEY (dataset, point_id)
)`,
  `CREATE TABLE IF NOT EXISTS credit_label_datasets (
  dataset VARCHAR PRIMARY KEY,
  view VARCHAR NOT NULL,
  mapping VARCHAR NOT NULL,
  source VARCHAR,
  imported_at TIMESTAMP NOT NULL
)`,
];

/** Creates the label tables when missing (idempotent). */
export async function ensureLabelStore(db: Database): Promise<void> {
  for (const sql of SCHEMA_SQL) await db.run(sql);
}

/** Records (or updates) a dataset's view, mapping (JSON) and source file. */
export async function recordDataset(db: Database, dataset: { name: string; view: string; mapping: unknown; source: string | null; importedAt: number }): Promise<void> {
  await db.run('INSERT OR REPLACE INTO credit_label_datasets (dataset, view, mapping, source, imported_at) VALUES (?, ?, ?, ?, ?)', [
    dataset.name,
    dataset.view,
    JSON.stringify(dataset.mapping),
    dataset.source,
    new Date(dataset.importedAt),
  ]);
}

/**
 * Inserts points of `dataset` in one statement, skipping (dataset, id) pairs already stored and
 * repeats within the call (the first wins). Returns how many were new and how many were skipped.
 */
export async function insertLabels(db: Database, dataset: string, points: readonly LabelPoint[]): Promise<{ inserted: number; duplicates: number }> {
  if (points.length === 0) return { inserted: 0, duplicates: 0 };
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const p of points) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    lines.push(`${quote(p.id)},${quote(p.customerId)},${p.at},${p.label}`);
  }
  const file = join(tmpdir(), `irisk-labels-${process.pid}-${randomBytes(6).toString('hex')}.csv`);
  try {
    writeFileSync(file, lines.join('\n') + '\n');
    const inserted = await db.run(
      `INSERT INTO credit_labels (dataset, point_id, customer_id, label_time, label)
SELECT ?, s.point_id, s.customer_id, epoch_ms(s.at_ms), s.label
FROM read_csv('${file.replace(/'/g, "''")}', columns = {'point_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'at_ms': 'BIGINT', 'label': 'INTEGER'}, header = false, delim = ',', quote = '"', escape = '"', auto_detect = false) s
WHERE NOT EXISTS (SELECT 1 FROM credit_labels l WHERE l.dataset = ? AND l.point_id = s.point_id)`,
      [dataset, dataset],
    );
    return { inserted, duplicates: points.length - inserted };
  } finally {
    rmSync(file, { force: true });
  }
}

/** The labelled points of `dataset`, ordered by time, then id (empty when there are none). */
export async function readLabels(db: Database, dataset: string): Promise<LabelPoint[]> {
  const rows = await db.all<{ point_id: string; customer_id: string; at_ms: number; label: number }>(
    'SELECT point_id, customer_id, epoch_ms(label_time) AS at_ms, label FROM credit_labels WHERE dataset = ? ORDER BY label_time, point_id',
    [dataset],
  );
  return rows.map((r) => ({ id: r.point_id, customerId: r.customer_id, at: Number(r.at_ms), label: r.label === 1 ? 1 : 0 }));
}

/** Every dataset with labels or an import record: its size, positives and feature view, by name. */
export async function listLabelledDatasets(db: Database): Promise<LabelledDataset[]> {
  const rows = await db.all<{ name: string; rows: number; positives: number; view: string | null; source: string | null; imported_at: Date | null }>(
    `WITH names AS (SELECT dataset FROM credit_labels UNION SELECT dataset FROM credit_label_datasets),
counts AS (SELECT dataset, count(*)::BIGINT AS rows, coalesce(sum(label), 0)::BIGINT AS positives FROM credit_labels GROUP BY dataset)
SELECT n.dataset AS name, coalesce(c.rows, 0)::BIGINT AS rows, coalesce(c.positives, 0)::BIGINT AS positives, d.view, d.source, d.imported_at
FROM names n LEFT JOIN counts c USING (dataset) LEFT JOIN credit_label_datasets d USING (dataset)
ORDER BY n.dataset`,
  );
  return rows.map((r) => ({
    name: r.name,
    rows: Number(r.rows),
    positives: Number(r.positives),
    view: r.view,
    source: r.source,
    importedAt: r.imported_at ? r.imported_at.getTime() : null,
  }));
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}
