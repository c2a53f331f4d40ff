/**
 * The `credit_events` table in the instance's DuckDB file: one flat row per event, one column per
 * field (snake_case), so features aggregate without JSON parsing. Inserts are idempotent by event id
 * and atomic per batch (one transaction), so a process killed mid-ingest leaves whole batches or
 * nothing and re-running the ingest completes it without duplicates. A batch reaches DuckDB as one
 * staging CSV per event type (just that type's columns), written as bytes by `EventBatch`.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, sqlString, type Database, type Row } from '../../lib/duckdb.js';
import { databasePath } from '../../ml/registry/registry.js';
import { columnName, EVENT_FIELDS, EVENT_TYPES, type CreditEvent, type EventType, type FieldKind } from './schema.js';

/** One column of `credit_events`: the event field it holds and its SQL type. */
interface Column {
  readonly field: string;
  readonly column: string;
  readonly sql: 'VARCHAR' | 'TIMESTAMP' | 'DOUBLE' | 'INTEGER';
}

/** SQL type of a payload field. */
function sqlType(kind: FieldKind): Column['sql'] {
  return kind.kind === 'number' ? (kind.integer ? 'INTEGER' : 'DOUBLE') : 'VARCHAR';
}

const BASE_COLUMNS: readonly Column[] = [
  { field: 'eventId', column: 'event_id', sql: 'VARCHAR' },
  { field: 'customerId', column: 'customer_id', sql: 'VARCHAR' },
  { field: 'type', column: 'type', sql: 'VARCHAR' },
  { field: 'eventTime', column: 'event_time', sql: 'TIMESTAMP' },
  { field: 'ingestedAt', column: 'ingested_at', sql: 'TIMESTAMP' },
];

/** Payload columns: every field of every type once, in schema order (a field shared by types shares a column). */
const PAYLOAD_COLUMNS: readonly Column[] = [...new Map(Object.values(EVENT_FIELDS).flat().map((f) => [f.name, { field: f.name, column: columnName(f.name), sql: sqlType(f.type) }])).values()];

/** Columns in table order. Times are stored as TIMESTAMP (UTC) and carried as epoch ms in TypeScript. */
const COLUMNS: readonly Column[] = [...BASE_COLUMNS, ...PAYLOAD_COLUMNS];

const COLUMN_OF: Record<string, string> = Object.fromEntries(COLUMNS.map((c) => [c.field, c.column]));

/**
 * DDL of the event store, safe to run on every open. No PRIMARY KEY and no secondary index: DuckDB
 * maintains an ART index row by row on insert, and on this table the event-id key alone cost more
 * than the whole ingestion budget (docs/credit-ingest-performance.md). Uniqueness of event ids is
 * kept by the insert itself (an anti-join in the same statement) with one writer per file: DuckDB
 * locks the file against other processes, and `insertBatch` serialises writers within this one.
 * Stores created with the older key and index keep them and stay correct.
 */
const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS credit_events (\n  ${COLUMNS.map((c) => `${c.column} ${c.sql}${c.field === 'customerId' || c.field === 'type' || c.sql === 'TIMESTAMP' ? ' NOT NULL' : ''}`).join(',\n  ')}\n)`,
  // A store created before a field joined the schema gains its column (empty for old rows).
  ...PAYLOAD_COLUMNS.map((c) => `ALTER TABLE credit_events ADD COLUMN IF NOT EXISTS ${c.column} ${c.sql}`),
];

/** Creates the `credit_events` table when missing (idempotent). */
export async function ensureEventStore(db: Database): Promise<void> {
  for (const sql of SCHEMA_SQL) await db.run(sql);
}

/** Opens the DuckDB file of a data directory with the event store in place; the caller closes it. */
export async function openEventStore(dataDir: string): Promise<Database> {
  const db = await openDatabase(databasePath(dataDir));
  try {
    await ensureEventStore(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** What one `insertEvents` call did. */
export interface InsertResult {
  /** New events written. */
  inserted: number;
  /** Events skipped because their id was already stored (or repeated within the batch). */
  duplicates: number;
}

/**
 * A batch of validated events on its way into the store, kept as staging-CSV bytes rather than
 * objects or strings: each event is written straight into its type's buffer (only that type's
 * columns, digits computed, no text built per value), so nothing per event outlives `add` and the
 * garbage collector stays quiet. Repeated ids within the batch are dropped here: the first
 * occurrence wins.
 */
export class EventBatch {
  private readonly outs = EVENT_TYPES.map(() => new CsvBytes());
  private readonly ids = new IdSet(this.outs);
  private size_ = 0;
  /** Events offered, including repeats. */
  offered = 0;

  /** Adds an event; false when its id is already in the batch. */
  add(event: CreditEvent): boolean {
    this.offered++;
    const t = TYPE_INDEX[event.type]!;
    const out = this.outs[t]!;
    // Every line starts with the quoted event id, so the line's offset is where the id is written.
    if (this.ids.seen(event.eventId, t, out.length)) return false;
    STAGES[t]!.write(out, event as unknown as Record<string, unknown>);
    this.size_++;
    return true;
  }

  /** Distinct events in the batch. */
  get size(): number {
    return this.size_;
  }

  /** @internal the staging CSV of each type that has events, one line per event. */
  csvByType(): { type: EventType; csv: Buffer }[] {
    return EVENT_TYPES.flatMap((type, t) => (this.outs[t]!.length > 0 ? [{ type, csv: this.outs[t]!.bytes() }] : []));
  }
}

/**
 * The event ids of a batch, without keeping one string per event alive (a Set of a few hundred
 * thousand strings makes every young-generation collection copy them, and a Map of that size is
 * slow): an open-addressing table in typed arrays maps an id's 32-bit hash to where the first id
 * with that hash was written (type and byte offset), and a hit is confirmed against those bytes.
 */
class IdSet {
  private hashes = new Int32Array(1 << 16);
  /** 1 + type index + 8 x byte offset of the id written for a slot; 0 = empty. */
  private places = new Float64Array(1 << 16);
  private count = 0;

  constructor(private readonly outs: readonly CsvBytes[]) {}

  /** True when `id` was seen; otherwise records it as written in type `t`'s buffer at `offset`. */
  seen(id: string, t: number, offset: number): boolean {
    const h = hashString(id);
    const mask = this.hashes.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const place = this.places[i]!;
      if (place === 0) break;
      if (this.hashes[i] === h && this.idAt(place) === id) return true;
    }
    this.insert(h, 1 + t + 8 * offset);
    if (++this.count * 2 > this.hashes.length) this.grow();
    return false;
  }

  private idAt(place: number): string {
    const t = (place - 1) % 8;
    return this.outs[t]!.stringAt((place - 1 - t) / 8);
  }

  private insert(h: number, place: number): void {
    const mask = this.hashes.length - 1;
    let i = h & mask;
    while (this.places[i] !== 0) i = (i + 1) & mask;
    this.hashes[i] = h;
    this.places[i] = place;
  }

  private grow(): void {
    const { hashes, places } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.places = new Float64Array(places.length * 2);
    for (let i = 0; i < hashes.length; i++) if (places[i] !== 0) this.insert(hashes[i]!, places[i]!);
  }
}

/** FNV-1a over UTF-16 code units (a signed 32-bit integer). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * Inserts validated events in one transaction, skipping ids already stored (and repeats within
 * the batch: the first occurrence wins). See `insertBatch`.
 */
export async function insertEvents(db: Database, events: readonly CreditEvent[]): Promise<InsertResult> {
  const batch = new EventBatch();
  for (const e of events) batch.add(e);
  return insertBatch(db, batch);
}

/**
 * Inserts an `EventBatch` in one transaction: a single auto-committed INSERT ... SELECT, so the
 * batch is stored whole or not at all. Each type's events are written to a temporary CSV file
 * (just that type's columns) that DuckDB reads with an explicit typed schema; the union is
 * anti-joined on event id into `credit_events`. Writers of one database file are serialised within
 * the process, so two concurrent inserts of the same event cannot both pass the anti-join.
 */
export async function insertBatch(db: Database, batch: EventBatch): Promise<InsertResult> {
  if (batch.size === 0) return { inserted: 0, duplicates: batch.offered };
  const stem = join(tmpdir(), `irisk-events-${process.pid}-${randomBytes(6).toString('hex')}`);
  const files: { type: EventType; file: string }[] = [];
  try {
    // Synchronous on purpose: a bulk ingest keeps the JS thread busy validating the next batch, and
    // every await here would wait for that before DuckDB could start.
    for (const { type, csv } of batch.csvByType()) {
      const file = `${stem}-${type}.csv`;
      files.push({ type, file });
      writeFileSync(file, csv);
    }
    const inserted = await serialisedWrite(db.path, () => db.run(insertSql(files)));
    return { inserted, duplicates: batch.offered - inserted };
  } finally {
    for (const { file } of files) rmSync(file, { force: true });
  }
}

/** Tail of the write queue of each database file in this process. */
const writeQueues = new Map<string, Promise<unknown>>();

/** Runs `task` after every write to the same file queued before it. */
function serialisedWrite<T>(path: string, task: () => Promise<T>): Promise<T> {
  const next = (writeQueues.get(path) ?? Promise.resolve()).then(task, task);
  const tail = next.catch(() => undefined);
  writeQueues.set(path, tail);
  void tail.then(() => {
    if (writeQueues.get(path) === tail) writeQueues.delete(path);
  });
  return next;
}

/** The staging of one event type: its CSV columns (base then own fields) and line writer. */
interface Stage {
  readonly type: EventType;
  readonly columns: readonly Column[];
  readonly write: (out: CsvBytes, e: Record<string, unknown>) => void;
}

/** Base columns in the staging files (the type is implied by the file). */
const STAGE_BASE = BASE_COLUMNS.filter((c) => c.field !== 'type');

const STAGES: readonly Stage[] = EVENT_TYPES.map((type) => {
  const own = new Set(EVENT_FIELDS[type].map((f) => f.name));
  const columns = [...STAGE_BASE, ...PAYLOAD_COLUMNS.filter((c) => own.has(c.field))];
  const writers = columns.map((c) => ({ field: c.field, write: csvWriter(c) }));
  const write = (out: CsvBytes, e: Record<string, unknown>): void => {
    for (let i = 0; i < writers.length; i++) {
      if (i > 0) out.comma();
      const v = e[writers[i]!.field];
      if (v !== undefined && v !== null) writers[i]!.write(out, v);
    }
    out.newline();
  };
  return { type, columns, write };
});

const TYPE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i]));

/** The SQL type a staging file reads a column as: times as epoch ms. */
const stageType = (c: Column): string => (c.sql === 'TIMESTAMP' ? 'BIGINT' : c.sql);

/** One staging file as rows of every table column (NULL for another type's fields). */
function stageSelect(type: EventType, file: string): string {
  const stage = STAGES[TYPE_INDEX[type]!]!;
  const has = new Set(stage.columns.map((c) => c.column));
  const read = `read_csv(${sqlString(file)}, columns = {${stage.columns.map((c) => `'${c.column}': '${stageType(c)}'`).join(', ')}}, header = false, delim = ',', quote = '"', escape = '"', nullstr = '', auto_detect = false)`;
  const values = COLUMNS.map((c) => {
    if (c.field === 'type') return `'${type}' AS type`;
    if (!has.has(c.column)) return `NULL::${c.sql} AS ${c.column}`;
    return c.sql === 'TIMESTAMP' ? `epoch_ms(${c.column}) AS ${c.column}` : c.column;
  });
  return `SELECT ${values.join(', ')} FROM ${read}`;
}

/** The INSERT of a batch staged in `files`. */
function insertSql(files: readonly { type: EventType; file: string }[]): string {
  return `INSERT INTO credit_events (${COLUMNS.map((c) => c.column).join(', ')})
SELECT * FROM (${files.map((f) => stageSelect(f.type, f.file)).join('\nUNION ALL ')}) s
WHERE NOT EXISTS (SELECT 1 FROM credit_events e WHERE e.event_id = s.event_id)`;
}


const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;

/**
 * A growing buffer of staging-CSV bytes with writers for the three kinds of value. Numbers are
 * written digit by digit (V8's `String()` of a heap number is a slow double-to-text search), ASCII
 * strings byte by byte; only a string with other characters goes through the UTF-8 encoder.
 */
class CsvBytes {
  private buf: Buffer = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The string written by `string()` at byte `offset`, read back. */
  stringAt(offset: number): string {
    let end = offset + 1;
    for (;;) {
      end = this.buf.indexOf(QUOTE, end);
      if (end + 1 >= this.pos || this.buf[end + 1] !== QUOTE) break;
      end += 2; // a doubled quote inside the string
    }
    return this.buf.toString('utf8', offset + 1, end).replace(/""/g, '"');
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  comma(): void {
    this.reserve(1);
    this.buf[this.pos++] = COMMA;
  }

  newline(): void {
    this.reserve(1);
    this.buf[this.pos++] = NEWLINE;
  }

  /** A text known to be ASCII (a type name, a number's `String()`). */
  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /**
   * A string, always quoted (validated strings are never empty, and "" would read as NULL), with
   * quotes doubled.
   */
  string(s: string): void {
    const start = this.pos;
    this.reserve(2 * s.length + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.utf8String(s);
        return;
      }
      if (c === QUOTE) buf[pos++] = QUOTE;
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  /** A non-negative whole number below 2^53 as decimal digits; anything else as `String()` writes it. */
  integer(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) return this.ascii(String(v));
    this.reserve(16);
    if (v < 1e9) return this.smallInteger(v, 0);
    // Two halves that fit V8's small integers: epoch ms have 13 digits.
    const hi = Math.floor(v / 1e9);
    this.smallInteger(hi, 0);
    this.smallInteger(v - hi * 1e9, 9);
  }

  /** `v` < 1e9 in decimal, left-padded with zeros to `width` digits. */
  private smallInteger(v: number, width: number): void {
    let x = v | 0;
    let digits = 1;
    for (let y = x; y >= 10; y = (y / 10) | 0) digits++;
    if (digits < width) digits = width;
    const buf = this.buf;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      const q = (x / 10) | 0;
      buf[i] = DIGIT_0 + x - q * 10;
      x = q;
    }
    this.pos += digits;
  }

  /**
   * A DOUBLE as text DuckDB reads back to the same double. Amounts usually have at most two
   * decimals: when `c / 100` (c = the value in hundredths) is the value itself, the exact decimal
   * c/100 has the value as its nearest double, so writing c/100 needs no shortest-digits search.
   */
  double(v: number): void {
    const c = Math.round(v * 100);
    if (c / 100 !== v || Math.abs(c) > Number.MAX_SAFE_INTEGER) return this.ascii(String(v));
    const a = Math.abs(c);
    const frac = a % 100;
    if (c < 0) this.ascii('-');
    this.integer((a - frac) / 100);
    this.reserve(3);
    this.buf[this.pos++] = 0x2e; // '.'
    this.buf[this.pos++] = DIGIT_0 + Math.floor(frac / 10);
    this.buf[this.pos++] = DIGIT_0 + (frac % 10);
  }

  private utf8String(s: string): void {
    const quoted = `"${s.replace(/"/g, '""')}"`;
    this.reserve(3 * quoted.length);
    this.pos += this.buf.write(quoted, this.pos);
  }
}

/** The staging-CSV writer of a column's values. */
function csvWriter(c: Column): (out: CsvBytes, v: unknown) => void {
  if (c.sql === 'VARCHAR') return (out, v) => out.string(v as string);
  if (c.sql === 'DOUBLE') return (out, v) => out.double(v as number);
  return (out, v) => out.integer(v as number);
}

/** Number of stored events. */
export async function countEvents(db: Database): Promise<number> {
  const row = await db.one<{ n: number }>('SELECT count(*)::BIGINT AS n FROM credit_events');
  return Number(row?.n ?? 0);
}

/**
 * A customer's events with event time at or before `until` (epoch ms, inclusive; all when omitted),
 * ordered by event time then event id: the history a point-in-time feature may see.
 */
export async function eventsFor(db: Database, customerId: string, until?: number): Promise<CreditEvent[]> {
  const select = `SELECT * FROM credit_events WHERE customer_id = ?`;
  const order = ' ORDER BY event_time, event_id';
  const rows =
    until === undefined
      ? await db.all(select + order, [customerId])
      : await db.all(select + ' AND event_time <= ?' + order, [customerId, new Date(until)]);
  return rows.map(rowToEvent);
}

/** Every stored event ordered by event id (for exports and tests). */
export async function allEvents(db: Database): Promise<CreditEvent[]> {
  return (await db.all('SELECT * FROM credit_events ORDER BY event_id')).map(rowToEvent);
}

/** A `credit_events` row back to the typed event: base fields plus the non-null payload fields of its type. */
export function rowToEvent(row: Row): CreditEvent {
  const type = row.type as EventType;
  const out: Record<string, unknown> = {
    eventId: row.event_id,
    customerId: row.customer_id,
    type,
    eventTime: (row.event_time as Date).getTime(),
    ingestedAt: (row.ingested_at as Date).getTime(),
  };
  for (const f of EVENT_FIELDS[type] ?? []) {
    const v = row[COLUMN_OF[f.name]!];
    if (v !== null && v !== undefined) out[f.name] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out as unknown as CreditEvent;
}
