/**
 * The `credit_events` table in the instance's DuckDB file: one flat row per event, one column per
 * field (snake_case), so features aggregate without JSON parsing. Inserts are idempotent by event id
 * and atomic per batch (one transaction), so a process killed mid-ingest leaves whole batches or
 * nothing and re-running the ingest completes it without duplicates.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database, type Row } from '../../lib/duckdb.js';
import { databasePath } from '../../ml/registry/registry.js';
import { columnName, EVENT_FIELDS, type CreditEvent, type EventType, type FieldKind } from './schema.js';

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

/** DDL of the event store, safe to run on every open. */
const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS credit_events (\n  ${COLUMNS.map((c) => `${c.column} ${c.sql}${c.column === 'event_id' ? ' PRIMARY KEY' : c.field === 'customerId' || c.field === 'type' || c.sql === 'TIMESTAMP' ? ' NOT NULL' : ''}`).join(',\n  ')}\n)`,
  // DuckDB's ART index serves equality filters on one column; per-customer lookups filter on
  // customer_id and the few matching rows are then ordered by event time.
  'CREATE INDEX IF NOT EXISTS credit_events_customer ON credit_events (customer_id)',
  // A store created before a field joined the schema gains its column (empty for old rows).
  ...PAYLOAD_COLUMNS.map((c) => `ALTER TABLE credit_events ADD COLUMN IF NOT EXISTS ${c.column} ${c.sql}`),
];

/** Creates the `credit_events` table and its index when missing (idempotent). */
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
 * A batch of validated events on its way into the store, kept as staging-CSV lines rather than
 * objects (bulk ingestion keeps no event object alive, which keeps the garbage collector quiet).
 * Repeated ids within the batch are dropped here: the first occurrence wins.
 */
export class EventBatch {
  private readonly ids = new Set<string>();
  private readonly lines: string[] = [];
  /** Events offered, including repeats. */
  offered = 0;

  /** Adds an event; false when its id is already in the batch. */
  add(event: CreditEvent): boolean {
    this.offered++;
    if (this.ids.has(event.eventId)) return false;
    this.ids.add(event.eventId);
    this.lines.push(csvLine(event as unknown as Record<string, unknown>));
    return true;
  }

  /** Distinct events in the batch. */
  get size(): number {
    return this.lines.length;
  }

  /** @internal the staging CSV text. */
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/**
 * Inserts validated events in one transaction (a single auto-committed INSERT ... SELECT), skipping
 * ids already stored (and repeats within the batch: the first occurrence wins). Bulk path: the batch is written to a temporary CSV file that
 * DuckDB reads with an explicit typed schema, then anti-joined into `credit_events` (cheaper than
 * ON CONFLICT DO NOTHING in DuckDB; the primary key still forbids a duplicate should two writers race).
 */
export async function insertEvents(db: Database, events: readonly CreditEvent[]): Promise<InsertResult> {
  const batch = new EventBatch();
  for (const e of events) batch.add(e);
  return insertBatch(db, batch);
}

/** Inserts an `EventBatch` in one transaction (see `insertEvents`). */
export async function insertBatch(db: Database, batch: EventBatch): Promise<InsertResult> {
  if (batch.size === 0) return { inserted: 0, duplicates: batch.offered };
  const file = join(tmpdir(), `irisk-events-${process.pid}-${randomBytes(6).toString('hex')}.csv`);
  try {
    // Synchronous on purpose: a bulk ingest keeps the JS thread busy validating the next batch, and
    // every await here would wait for that before DuckDB could start. One INSERT ... SELECT is one
    // auto-committed transaction: the batch is stored whole or not at all.
    writeFileSync(file, batch.text());
    const inserted = await db.run(INSERT_SQL.replace('$FILE', sqlString(file)));
    return { inserted, duplicates: batch.offered - inserted };
  } finally {
    rmSync(file, { force: true });
  }
}

/** CSV column types of the staging file: times as epoch ms, the rest as stored. */
const STAGE_COLUMNS = `{${COLUMNS.map((c) => `'${c.column}': '${c.sql === 'TIMESTAMP' ? 'BIGINT' : c.sql}'`).join(', ')}}`;

const INSERT_SQL = `INSERT INTO credit_events (${COLUMNS.map((c) => c.column).join(', ')})
SELECT ${COLUMNS.map((c) => (c.sql === 'TIMESTAMP' ? `epoch_ms(s.${c.column})` : `s.${c.column}`)).join(', ')}
FROM read_csv($FILE, columns = ${STAGE_COLUMNS}, header = false, delim = ',', quote = '"', escape = '"', nullstr = '', auto_detect = false) s
WHERE NOT EXISTS (SELECT 1 FROM credit_events e WHERE e.event_id = s.event_id)`;

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const NEEDS_QUOTES = /[",\n\r]/;

/** One staging-CSV line in COLUMNS order; strings quoted only when they must be (DuckDB parses those faster). */
function csvLine(e: Record<string, unknown>): string {
  let line = '';
  for (let c = 0; c < STAGE_FIELDS.length; c++) {
    const v = e[STAGE_FIELDS[c]!];
    if (c > 0) line += ',';
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') line += String(v);
    else if (v === '' || NEEDS_QUOTES.test(v)) line += `"${v.replace(/"/g, '""')}"`;
    else line += v;
  }
  return line;
}

const STAGE_FIELDS: readonly string[] = COLUMNS.map((c) => c.field);

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
