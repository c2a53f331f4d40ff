/**
 * `importTable`: a tabular file (one row per customer) through a mapping into the event store and
 * the label store of a data directory. Each row becomes events (checked by the one `validateEvent`,
 * like every other source) and one labelled point at `asOf`; a row that fails anywhere (a bad cell,
 * a missing required value, an unknown label, a repeated id, a wrong number of fields) is rejected
 * whole and reported with its line, the rest are kept. Inserts are idempotent (events by id, labels
 * by dataset and point id), so importing a file again, or again after a crash, duplicates nothing.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IriskError } from '../../lib/errors.js';
import { MAX_REJECTED_REPORTED, type RejectedRow } from '../events/ingest.js';
import { EventBatch, insertBatch, openEventStore } from '../events/store.js';
import { DEFAULT_MAX_FUTURE_MS, validateEvent } from '../events/validate.js';
import { bindMapping, RowRejected } from './convert.js';
import { ensureLabelStore, insertLabels, recordDataset, type LabelPoint } from './labels.js';
import type { ImportMapping } from './mapping.js';
import { parseTable } from './table.js';
import { featureView } from '../catalog.js';

/** Progress after each committed batch. */
export interface ImportProgress {
  rows: number;
  total: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

/** Options of `importTable`. */
export interface ImportOptions {
  /** Called after each batch commits. */
  progress?: (p: ImportProgress) => void;
  /** The ingestion clock (epoch ms; default Date.now() at start): events' `ingestedAt`. */
  now?: number;
  /** Rows per transaction (default 50 000). */
  batchSize?: number;
  /** Replaces the mapping's dataset name (the customer-id prefix and the labels' key). */
  dataset?: string;
  /** Name of the mapping in messages and in the report (default: the dataset name). */
  mappingName?: string;
}

/** What `importTable` did. */
export interface ImportReport {
  path: string;
  mapping: string;
  dataset: string;
  view: string;
  /** Epoch ms of the label points. */
  asOf: number;
  /** Data rows read (blank lines are not rows). */
  rows: number;
  /** Rows imported (events and label). */
  accepted: number;
  /** Events written / already stored (by event id). */
  inserted: number;
  duplicates: number;
  /** The first `MAX_REJECTED_REPORTED` rejected rows (line in the file, 1-based, header = line 1). */
  rejected: RejectedRow[];
  rejectedCount: number;
  /** Labels written / already stored, and positives among the accepted rows. */
  labels: number;
  labelDuplicates: number;
  positives: number;
  /** Values raised to a floor (negative bills clamped to 0, a source's `min`). */
  clamped: number;
  /** Header columns the mapping does not read. */
  ignoredColumns: string[];
  seconds: number;
}

const DEFAULT_BATCH = 50_000;
const DATASET_NAME = /^[a-z][a-z0-9_]{0,31}$/;
/** WAL size that triggers a checkpoint while importing (restored afterwards), as in `ingestFiles`. */
const IMPORT_CHECKPOINT_THRESHOLD = '1GB';

/**
 * Imports `file` through `mapping` into the stores of `dataDir`; see the module comment. Throws
 * EVENT_FILE_UNREADABLE for a missing file, DATASET_INVALID when the file lacks a column the
 * mapping reads (nothing imported), CONFIG_INVALID for an unknown view or an asOf in the future.
 */
export async function importTable(dataDir: string, file: string, mapping: ImportMapping, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const dataset = options.dataset ?? mapping.dataset;
  if (!DATASET_NAME.test(dataset)) throw new IriskError('USAGE', `dataset name must be a lowercase name: a letter, then letters, digits or _ (at most 32) (got "${dataset}")`);
  const mappingName = options.mappingName ?? mapping.dataset;
  const effective: ImportMapping = { ...mapping, dataset };
  const view = featureView(effective.view);

  let text: string;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a regular file');
    text = await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new IriskError('EVENT_FILE_UNREADABLE', `cannot read ${file}: ${why}`, { path: file });
  }
  const table = parseTable(text, { ...mapping.format, source: file });
  text = '';
  const bound = bindMapping(effective, table.header, file, mappingName);
  if (bound.asOf > now + DEFAULT_MAX_FUTURE_MS) {
    throw new IriskError('CONFIG_INVALID', `${mappingName}: asOf ${mapping.asOf} is in the future: events dated before it would be rejected`, { key: 'asOf' });
  }

  const report: ImportReport = {
    path: resolve(file),
    mapping: mappingName,
    dataset,
    view: view.name,
    asOf: bound.asOf,
    rows: table.rows.length,
    accepted: 0,
    inserted: 0,
    duplicates: 0,
    rejected: [],
    rejectedCount: 0,
    labels: 0,
    labelDuplicates: 0,
    positives: 0,
    clamped: 0,
    ignoredColumns: [...bound.ignoredColumns],
    seconds: 0,
  };
  const reject = (line: number, reason: string): void => {
    report.rejectedCount++;
    if (report.rejected.length < MAX_REJECTED_REPORTED) report.rejected.push({ line, reason });
  };

  const db = await openEventStore(dataDir);
  const threshold = (await db.one<{ v: string }>("SELECT current_setting('checkpoint_threshold') AS v"))?.v;
  try {
    await ensureLabelStore(db);
    await recordDataset(db, { name: dataset, view: view.name, mapping: effective, source: report.path, importedAt: now });
    await db.run(`SET checkpoint_threshold = '${IMPORT_CHECKPOINT_THRESHOLD}'`);
    const seenIds = new Map<string, number>();
    // Pipelined as in ingestFiles: DuckDB inserts one batch while the next is converted and validated.
    let pending: Promise<void> | null = null;
    let failure: { error: unknown } | null = null;
    const settle = async (): Promise<void> => {
      if (pending) await pending;
      pending = null;
      if (failure) throw failure.error;
    };
    for (let start = 0; start < table.rows.length; start += batchSize) {
      const events = new EventBatch();
      const points: LabelPoint[] = [];
      const end = Math.min(table.rows.length, start + batchSize);
      for (let r = start; r < end; r++) {
        const row = table.rows[r]!;
        try {
          const converted = bound.convert(row.cells, r + 1);
          const first = seenIds.get(converted.customerId);
          if (first !== undefined) throw new RowRejected(`customer id ${converted.customerId} repeats the row on line ${first}`);
          const valid = converted.events.map((raw, i) => {
            try {
              return validateEvent(raw, { now });
            } catch (e) {
              if (e instanceof IriskError && e.code === 'EVENT_SCHEMA') {
                const field = /^(\w+) /.exec(e.message)?.[1];
                const column = field ? converted.columns[i]?.[field] : undefined;
                throw new RowRejected(`${String(raw.type)} event: ${e.message}${column ? ` [column "${column}"]` : ''}`);
              }
              throw e;
            }
          });
          seenIds.set(converted.customerId, row.line);
          for (const e of valid) events.add(e);
          points.push({ id: converted.customerId, customerId: converted.customerId, at: bound.asOf, label: converted.label });
          report.accepted++;
          report.positives += converted.label;
          report.clamped += converted.clamped;
        } catch (e) {
          if (e instanceof RowRejected) reject(row.line, e.message);
          else throw e;
        }
      }
      await settle();
      const seen = { rows: end, rejected: report.rejectedCount };
      pending = (async () => {
        const res = await insertBatch(db, events);
        report.inserted += res.inserted;
        report.duplicates += res.duplicates;
        const labels = await insertLabels(db, dataset, points);
        report.labels += labels.inserted;
        report.labelDuplicates += labels.duplicates;
        options.progress?.({ rows: seen.rows, total: table.rows.length, inserted: report.inserted, duplicates: report.duplicates, rejected: seen.rejected });
      })().catch((e: unknown) => {
        failure = { error: e };
      });
    }
    await settle();
  } finally {
    try {
      if (threshold) await db.run(`SET checkpoint_threshold = '${threshold.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
