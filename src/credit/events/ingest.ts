/**
 * Ingestion of event files (NDJSON, CSV, Parquet) into the event store. Every format is turned into
 * raw records (field name -> text, number or null) and checked by the one `validateEvent`, so the
 * same events mean the same thing whatever file they came in. Valid rows are inserted in batches,
 * each one transaction and idempotent by event id; invalid rows are reported with their line.
 *
 * Reading: NDJSON is streamed in byte chunks and parsed line by line in Node (exact line numbers, a
 * malformed line is one rejected row, not a failed file); CSV (every column as text, empty cells
 * absent) and Parquet (numbers as numbers, timestamps as epoch ms, the rest as text) are read by
 * DuckDB into a temporary staging table, one JSON record per row, and validated in file order.
 * Each record is validated as soon as it is read and written into the batch's staging bytes, so
 * no per-event object outlives its line (docs/credit-ingest-performance.md has the measurements).
 */
import { access, constants, open, stat, type FileHandle } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Database } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { EventBatch, insertBatch, openEventStore } from './store.js';
import { DEFAULT_MAX_FUTURE_MS, validateEvent, type ValidateOptions } from './validate.js';

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
  /** Rows per transaction (default 500 000). */
  batchSize?: number;
  /** Tolerance for times ahead of `now` (default one day). */
  maxFutureMs?: number;
}

/** At most this many rejected rows are listed per file (all are counted). */
export const MAX_REJECTED_REPORTED = 100;
/**
 * Rows per transaction by default. Large on purpose: each batch anti-joins against the whole
 * table, and a batch of several DuckDB row groups (122,880 rows) is written straight to the
 * database file instead of through the WAL (docs/credit-ingest-performance.md).
 */
const DEFAULT_BATCH = 500_000;

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
  try {
    const o: FileOptions = { now, batchSize, maxFutureMs: options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS, progress: options.progress };
    for (const f of files) reports.push(await ingestOne(db, f.path, f.format, o));
  } finally {
    db.close();
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

/** Validation and batching options of one file. */
interface FileOptions {
  now: number;
  batchSize: number;
  maxFutureMs: number;
  progress?: (p: IngestProgress) => void;
}

/**
 * Receives a file's rows in order, validates each at once (no raw record outlives its line) and
 * commits them in batches of exactly `batchSize` rows. Pipelined: while DuckDB inserts one batch
 * (off the JS thread), the reader fills the next; at most one insert is in flight.
 */
class BatchSink {
  private events = new EventBatch();
  private rowsInBatch = 0;
  private pending: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private readonly validation: ValidateOptions;

  constructor(
    private readonly db: Database,
    readonly report: FileIngestReport,
    private readonly o: FileOptions,
  ) {
    this.validation = { now: o.now, maxFutureMs: o.maxFutureMs };
  }

  /** True when the current batch has `batchSize` rows and must be committed before the next row. */
  get full(): boolean {
    return this.rowsInBatch >= this.o.batchSize;
  }

  /** One raw record read from `line`. */
  row(line: number, raw: Record<string, unknown>): void {
    this.rowsInBatch++;
    this.report.rows++;
    try {
      this.events.add(validateEvent(raw, this.validation));
    } catch (e) {
      if (e instanceof IriskError && e.code === 'EVENT_SCHEMA') this.reject(line, e.message);
      else throw e;
    }
  }

  /** A row that could not be read as a record at all. */
  unreadable(line: number, reason: string): void {
    this.rowsInBatch++;
    this.report.rows++;
    this.reject(line, reason);
  }

  /** Starts inserting the current batch (after the previous insert has finished). */
  async commit(): Promise<void> {
    await this.settle();
    const { report, o } = this;
    const events = this.events;
    const seen = { rows: report.rows, rejected: report.rejectedCount };
    this.events = new EventBatch();
    this.rowsInBatch = 0;
    this.pending = insertBatch(this.db, events).then(
      (res) => {
        report.inserted += res.inserted;
        report.duplicates += res.duplicates;
        o.progress?.({ path: report.path, rows: seen.rows, inserted: report.inserted, duplicates: report.duplicates, rejected: seen.rejected });
      },
      (e: unknown) => {
        this.failure = { error: e };
      },
    );
  }

  /** Commits what is left and waits for every insert. */
  async finish(): Promise<void> {
    if (this.rowsInBatch > 0) await this.commit();
    await this.settle();
  }

  private async settle(): Promise<void> {
    if (this.pending) await this.pending;
    this.pending = null;
    if (this.failure) throw this.failure.error;
  }

  private reject(line: number, reason: string): void {
    this.report.rejectedCount++;
    if (this.report.rejected.length < MAX_REJECTED_REPORTED) this.report.rejected.push({ line, reason });
  }
}

async function ingestOne(db: Database, path: string, format: EventFileFormat, o: FileOptions): Promise<FileIngestReport> {
  const sink = new BatchSink(db, { path, format, rows: 0, inserted: 0, duplicates: 0, rejected: [], rejectedCount: 0 }, o);
  if (format === 'ndjson') await readNdjson(path, sink);
  else await readStaged(db, path, format, sink);
  await sink.finish();
  return sink.report;
}

/** Bytes read from an NDJSON file at a time (a longer line grows the buffer). */
const NDJSON_CHUNK = 4 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

/**
 * Reads NDJSON in large byte chunks cut at the last newline, decodes each chunk once (UTF-8,
 * invalid bytes replaced, as a text stream would; a newline byte never sits inside a multi-byte
 * character, so the cut cannot split one) and hands each line to `parseLine`. The file is never
 * held as one string. Blank lines are skipped but counted for line numbers.
 */
async function readNdjson(path: string, sink: BatchSink): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    let buf: Buffer = Buffer.allocUnsafe(NDJSON_CHUNK);
    let filled = 0;
    let line = 0;
    for (;;) {
      if (filled === buf.length) buf = grow(buf);
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null).catch((e: unknown) => {
        throw unreadable(path, e);
      });
      filled += bytesRead;
      const end = bytesRead === 0 ? filled : buf.lastIndexOf(NEWLINE, filled - 1) + 1;
      line = await parseLines(sink, buf.toString('utf8', 0, end), line);
      if (bytesRead === 0) return;
      buf.copyWithin(0, end, filled);
      filled -= end;
    }
  } finally {
    await handle.close();
  }
}

/** The lines of `text` (the last one may lack its newline) numbered after `line`; returns the last number. */
async function parseLines(sink: BatchSink, text: string, line: number): Promise<number> {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    let stop = nl < 0 ? text.length : nl;
    if (stop > start && text.charCodeAt(stop - 1) === CR) stop--;
    if (sink.full) await sink.commit();
    parseLine(sink, ++line, text.slice(start, stop));
    start = nl < 0 ? text.length : nl + 1;
  }
  return line;
}

/** A buffer twice as large holding the same bytes. */
function grow(buf: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger);
  return bigger;
}

/** One NDJSON line: blank (not a row), malformed, not an object, or a raw record. */
function parseLine(sink: BatchSink, line: number, text: string): void {
  if (text.charCodeAt(0) !== OPEN_BRACE && text.trim() === '') return;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    sink.unreadable(line, `not valid JSON: ${(e as Error).message}`);
    return;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) sink.unreadable(line, 'each line must be a JSON object');
  else sink.row(line, v as Record<string, unknown>);
}

function unreadable(path: string, e: unknown): IriskError {
  if (e instanceof IriskError) return e;
  return new IriskError('EVENT_FILE_UNREADABLE', `cannot read event file ${path}: ${(e as Error).message}`, { path });
}

/**
 * SELECT-list items `__json` (the row's non-null values as one JSON object, in column order) and
 * `__odd` (the row holds NaN or an infinity, which JSON cannot: such a value is written as the
 * string DuckDB prints for it, and `restoreNonFinite` turns it back). One text per row is cheap to
 * page out, where every column as a JS value is not; JSON.parse gives the same record, since
 * DuckDB writes a double with the shortest digits that read back to it. A column named
 * `__proto__` is left out, as assigning it to the record always did nothing.
 */
function rowJsonSql(columns: readonly StagedColumn[]): string {
  const pairs = columns
    .filter((c) => c.column_name !== '__proto__')
    .map((c) => {
      const q = quoteIdent(c.column_name);
      const key = `'${JSON.stringify(c.column_name).replace(/'/g, "''")}:'`;
      const value = isDouble(c) ? `CASE WHEN isfinite(${q}) THEN to_json(${q})::VARCHAR ELSE '"' || CAST(${q} AS VARCHAR) || '"' END` : `to_json(${q})::VARCHAR`;
      return `CASE WHEN ${q} IS NOT NULL THEN ${key} || ${value} END`;
    });
  const doubles = columns.filter(isDouble).map((c) => `coalesce(NOT isfinite(${quoteIdent(c.column_name)}), false)`);
  return `'{' || concat_ws(',', ${pairs.join(', ')}) || '}' AS __json, ${doubles.length ? doubles.join(' OR ') : 'false'} AS __odd`;
}

interface StagedColumn {
  column_name: string;
  column_type: string;
}

const isDouble = (c: StagedColumn): boolean => c.column_type === 'DOUBLE' || c.column_type === 'FLOAT';
const quoteIdent = (n: string): string => `"${n.replace(/"/g, '""')}"`;
const NON_FINITE: Readonly<Record<string, number>> = { nan: NaN, '-nan': NaN, inf: Infinity, '-inf': -Infinity };

/** Puts back the non-finite doubles `rowJsonSql` wrote as text. */
function restoreNonFinite(raw: Record<string, unknown>, doubles: readonly string[]): void {
  for (const k of doubles) {
    const v = raw[k];
    if (typeof v === 'string') raw[k] = NON_FINITE[v.toLowerCase()] ?? NaN;
  }
}

/**
 * Staged rows fetched per query. Independent of the batch size: a page arrives as one array of
 * rows, and half a million of those at once keep the garbage collector busy.
 */
const STAGED_PAGE_ROWS = 50_000;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** The raw-record form of each column: CSV all text; Parquet numbers, timestamps as epoch ms, the rest as text. */
function typedSelect(described: readonly StagedColumn[], format: 'csv' | 'parquet'): string {
  return described
    .map(({ column_name: n, column_type: t }) => {
      const q = quoteIdent(n);
      if (format === 'csv' || t === 'VARCHAR' || t === 'BOOLEAN') return q;
      if (NUMERIC.test(t)) return /INT$/.test(t) && t !== 'HUGEINT' && t !== 'UHUGEINT' ? q : `CAST(${q} AS DOUBLE) AS ${q}`;
      if (t.startsWith('TIMESTAMP WITH TIME ZONE')) return `epoch_ms(${q}) AS ${q}`;
      if (t.startsWith('TIMESTAMP') || t === 'DATE') return `epoch_ms(CAST(${q} AS TIMESTAMP)) AS ${q}`; // zone-less: read as UTC
      return `CAST(${q} AS VARCHAR) AS ${q}`;
    })
    .join(', ');
}

/**
 * Reads a CSV or Parquet file into the temporary table `stage`, one JSON record per row in file
 * order (rowid = row - 1); returns the names of its double columns. EVENT_FILE_UNREADABLE when
 * DuckDB cannot read the file.
 */
async function createStage(db: Database, path: string, format: 'csv' | 'parquet', stage: string): Promise<string[]> {
  const file = `'${resolve(path).replace(/'/g, "''")}'`;
  const source =
    format === 'csv'
      ? `read_csv(${file}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`
      : `read_parquet(${file})`;
  try {
    const described = (await db.all(`DESCRIBE SELECT * FROM ${source}`)) as unknown as StagedColumn[];
    const typed = `SELECT ${typedSelect(described, format)} FROM ${source}`;
    const columns = (await db.all(`DESCRIBE ${typed}`)) as unknown as StagedColumn[];
    await db.run(`CREATE TEMP TABLE ${stage} AS SELECT ${rowJsonSql(columns)} FROM (${typed})`);
    return columns.filter(isDouble).map((c) => c.column_name);
  } catch (e) {
    if (e instanceof IriskError) throw e;
    throw new IriskError('EVENT_FILE_UNREADABLE', `cannot read ${format} event file ${path}: ${(e as Error).message}`, { path });
  }
}

/** CSV or Parquet read by DuckDB into a temporary staging table, then paged out in file order. */
async function readStaged(db: Database, path: string, format: 'csv' | 'parquet', sink: BatchSink): Promise<void> {
  const stage = `irisk_stage_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  try {
    const doubles = await createStage(db, path, format, stage);
    const total = Number((await db.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${stage}`))?.n ?? 0);
    for (let start = 0; start < total; start += STAGED_PAGE_ROWS) {
      const page = await db.all(`SELECT rowid AS __row, __json, __odd FROM ${stage} WHERE rowid >= ? AND rowid < ? ORDER BY rowid`, [start, start + STAGED_PAGE_ROWS]);
      for (const r of page) {
        const raw = JSON.parse(r.__json as string) as Record<string, unknown>;
        if (r.__odd) restoreNonFinite(raw, doubles);
        if (sink.full) await sink.commit();
        sink.row(Number(r.__row) + 1, raw);
      }
    }
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}
