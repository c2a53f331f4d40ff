/**
 * Ingestion of event files (NDJSON, CSV, Parquet) into the event store. Every format is turned into
 * raw records (field name -> text, number or null) and checked by the one `validateEvent`, so the
 * same events mean the same thing whatever file they came in. Valid rows are inserted in batches,
 * each one transaction and idempotent by event id; invalid rows are reported with their line.
 *
 * Reading: NDJSON is streamed and parsed line by line in Node (exact line numbers, a malformed line
 * is one rejected row, not a failed file); CSV (every column as text, empty cells absent) and
 * Parquet (numbers as numbers, timestamps as epoch ms, the rest as text) are read by DuckDB into a
 * temporary staging table and validated in file order.
 */
import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Database } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { EventBatch, insertBatch, openEventStore } from './store.js';
import { DEFAULT_MAX_FUTURE_MS, validateEvent } from './validate.js';

/** File formats `ingestFiles` reads. */
export type EventFileFormat = 'ndjson' | 'csv' | 'parquet';

/** A row that failed validation: 1-based data line (Parquet: row number) and why. */
export interface RejectedRow {
  line: number;
  reason: string;
}

/** What happened to one file. */
export interface FileIngestReport {
  path: string;
  format: EventFileFormat;
  /** Data rows read (blank NDJSON lines are not rows). */
  rows: number;
  inserted: number;
  /** Valid rows whose event id was already stored or repeated earlier in the file. */
  duplicates: number;
  /** The first `MAX_REJECTED_REPORTED` rejected rows. */
  rejected: RejectedRow[];
  /** How many rows were rejected in all. */
  rejectedCount: number;
}

/** The result of `ingestFiles`. */
export interface IngestReport {
  files: FileIngestReport[];
  totals: { files: number; rows: number; inserted: number; duplicates: number; rejected: number };
}

/** Progress after each committed batch. */
export interface IngestProgress {
  path: string;
  rows: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

/** Options of `ingestFiles`. */
export interface IngestOptions {
  /** The ingestion clock (epoch ms): default `ingestedAt` and the "future" reference; default Date.now() at start. */
  now?: number;
  /** Called after each batch commits. */
  progress?: (p: IngestProgress) => void;
  /** Rows per transaction (default 100 000). */
  batchSize?: number;
  /** Tolerance for times ahead of `now` (default one day). */
  maxFutureMs?: number;
}

/** At most this many rejected rows are listed per file (all are counted). */
export const MAX_REJECTED_REPORTED = 100;
const DEFAULT_BATCH = 100_000;
/** WAL size that triggers a checkpoint while ingesting (restored afterwards; DuckDB checkpoints on close). */
const INGEST_CHECKPOINT_THRESHOLD = '1GB';

/** The format of an event file from its extension, or EVENT_FILE_FORMAT. */
export function detectFormat(path: string): EventFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  throw new IriskError('EVENT_FILE_FORMAT', `cannot tell the format of ${path}: use .ndjson/.jsonl, .csv or .parquet`, { path });
}

/**
 * Validates and inserts the events of `paths` into the store of `dataDir`. Checks every path's
 * format and readability first (EVENT_FILE_FORMAT / EVENT_FILE_UNREADABLE, nothing ingested).
 * Idempotent: ingesting a file again inserts nothing; re-running after a crash completes it.
 */
export async function ingestFiles(dataDir: string, paths: readonly string[], options: IngestOptions = {}): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const files = paths.map((p) => ({ path: p, format: detectFormat(p) }));
  for (const f of files) await checkReadable(f.path);
  const db = await openEventStore(dataDir);
  const reports: FileIngestReport[] = [];
  // A checkpoint rewrites the table's indexes; with the default threshold (16 MB of WAL) DuckDB would
  // checkpoint after almost every batch. Committed batches stay durable in the WAL meanwhile. The
  // setting is per DuckDB instance, so it is put back as soon as the ingest ends.
  const threshold = (await db.one<{ v: string }>("SELECT current_setting('checkpoint_threshold') AS v"))?.v;
  await db.run(`SET checkpoint_threshold = '${INGEST_CHECKPOINT_THRESHOLD}'`);
  try {
    for (const f of files) reports.push(await ingestOne(db, f.path, f.format, { now, batchSize, maxFutureMs: options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS, progress: options.progress }));
  } finally {
    try {
      if (threshold) await db.run(`SET checkpoint_threshold = '${threshold.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
  }
  const totals = { files: reports.length, rows: 0, inserted: 0, duplicates: 0, rejected: 0 };
  for (const r of reports) {
    totals.rows += r.rows;
    totals.inserted += r.inserted;
    totals.duplicates += r.duplicates;
    totals.rejected += r.rejectedCount;
  }
  return { files: reports, totals };
}

async function checkReadable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) throw new Error('not a regular file');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new IriskError('EVENT_FILE_UNREADABLE', `cannot read event file ${path}: ${why}`, { path });
  }
}

/** One raw record with its line, or a line that could not be parsed at all. */
type RawRow = { line: number; raw: Record<string, unknown> } | { line: number; error: string };

async function ingestOne(
  db: Database,
  path: string,
  format: EventFileFormat,
  o: { now: number; batchSize: number; maxFutureMs: number; progress?: (p: IngestProgress) => void },
): Promise<FileIngestReport> {
  const report: FileIngestReport = { path, format, rows: 0, inserted: 0, duplicates: 0, rejected: [], rejectedCount: 0 };
  const reject = (line: number, reason: string): void => {
    report.rejectedCount++;
    if (report.rejected.length < MAX_REJECTED_REPORTED) report.rejected.push({ line, reason });
  };
  const source = format === 'ndjson' ? readNdjson(path, o.batchSize) : readStaged(db, path, format, o.batchSize);
  // Pipelined: while DuckDB inserts one batch (off the JS thread), the next one is read and validated.
  let pending: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  const settle = async (): Promise<void> => {
    if (pending) await pending;
    pending = null;
    if (failure) throw failure.error;
  };
  for await (const batch of source) {
    const events = new EventBatch();
    for (const r of batch) {
      report.rows++;
      if ('error' in r) {
        reject(r.line, r.error);
        continue;
      }
      try {
        events.add(validateEvent(r.raw, { now: o.now, maxFutureMs: o.maxFutureMs }));
      } catch (e) {
        if (e instanceof IriskError && e.code === 'EVENT_SCHEMA') reject(r.line, e.message);
        else throw e;
      }
    }
    await settle();
    const seen = { rows: report.rows, rejected: report.rejectedCount };
    pending = insertBatch(db, events).then(
      (res) => {
        report.inserted += res.inserted;
        report.duplicates += res.duplicates;
        o.progress?.({ path, rows: seen.rows, inserted: report.inserted, duplicates: report.duplicates, rejected: seen.rejected });
      },
      (e: unknown) => {
        failure = { error: e };
      },
    );
  }
  await settle();
  return report;
}

/** NDJSON lines in batches; blank lines are skipped but counted for line numbers. */
async function* readNdjson(path: string, batchSize: number): AsyncGenerator<RawRow[]> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let line = 0;
  let batch: RawRow[] = [];
  const parse = (text: string): void => {
    line++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (t.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      batch.push({ line, error: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) batch.push({ line, error: 'each line must be a JSON object' });
    else batch.push({ line, raw: v as Record<string, unknown> });
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl >= 0) {
        parse(rest + chunk.slice(0, nl));
        rest = '';
        start = nl + 1;
        while ((nl = chunk.indexOf('\n', start)) >= 0) {
          parse(chunk.slice(start, nl));
          start = nl + 1;
        }
      }
      rest += chunk.slice(start);
      if (batch.length >= batchSize) {
        let i = 0;
        for (; i + batchSize <= batch.length; i += batchSize) yield batch.slice(i, i + batchSize);
        batch = batch.slice(i);
      }
    }
  } catch (e) {
    throw new IriskError('EVENT_FILE_UNREADABLE', `cannot read event file ${path}: ${(e as Error).message}`, { path });
  }
  if (rest !== '') parse(rest);
  if (batch.length > 0) yield batch;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** CSV or Parquet read by DuckDB into a temporary staging table, then paged out in file order. */
async function* readStaged(db: Database, path: string, format: 'csv' | 'parquet', batchSize: number): AsyncGenerator<RawRow[]> {
  const file = `'${resolve(path).replace(/'/g, "''")}'`;
  const source =
    format === 'csv'
      ? `read_csv(${file}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`
      : `read_parquet(${file})`;
  const stage = `irisk_stage_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  try {
    let described: { column_name: string; column_type: string }[];
    try {
      described = (await db.all(`DESCRIBE SELECT * FROM ${source}`)) as unknown as typeof described;
      const select = described
        .map(({ column_name: n, column_type: t }) => {
          const q = `"${n.replace(/"/g, '""')}"`;
          if (format === 'csv' || t === 'VARCHAR' || t === 'BOOLEAN') return q;
          if (NUMERIC.test(t)) return /INT$/.test(t) && t !== 'HUGEINT' && t !== 'UHUGEINT' ? q : `CAST(${q} AS DOUBLE) AS ${q}`;
          if (t.startsWith('TIMESTAMP WITH TIME ZONE')) return `epoch_ms(${q}) AS ${q}`;
          if (t.startsWith('TIMESTAMP') || t === 'DATE') return `epoch_ms(CAST(${q} AS TIMESTAMP)) AS ${q}`; // zone-less: read as UTC
          return `CAST(${q} AS VARCHAR) AS ${q}`;
        })
        .join(', ');
      await db.run(`CREATE TEMP TABLE ${stage} AS SELECT ${select} FROM ${source}`);
    } catch (e) {
      if (e instanceof IriskError) throw e;
      throw new IriskError('EVENT_FILE_UNREADABLE', `cannot read ${format} event file ${path}: ${(e as Error).message}`, { path });
    }
    const total = Number((await db.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${stage}`))?.n ?? 0);
    for (let start = 0; start < total; start += batchSize) {
      const rows = await db.all(`SELECT rowid AS __row, * FROM ${stage} WHERE rowid >= ? AND rowid < ? ORDER BY rowid`, [start, start + batchSize]);
      yield rows.map((r) => {
        const line = Number(r.__row) + 1;
        const raw: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) if (k !== '__row' && v !== null) raw[k] = typeof v === 'bigint' ? Number(v) : v;
        return { line, raw };
      });
    }
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}
