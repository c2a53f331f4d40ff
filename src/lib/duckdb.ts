/**
 * A small, domain-free wrapper over an embedded DuckDB database file (the official
 * `@duckdb/node-api` client): open (creating parent directories), run statements with positional
 * `?` parameters, read rows as plain objects, run a function inside a transaction, close.
 *
 * One `Database` holds one connection. Handles opened on the same file in one process share one
 * DuckDB instance (two instances on one file would not see each other's writes and could corrupt
 * it); the instance closes with its last handle. Another process holding the file gets
 * STORE_UNAVAILABLE. Within a handle, statements are serialised: while a transaction is open,
 * statements issued from outside its callback wait until it commits or rolls back, so concurrent
 * async callers never leak into someone else's transaction. Inside the callback, use the `db`
 * the callback receives (or the same object; the wrapper knows it is inside via async context).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { blobValue, DuckDBInstance, timestampValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { IriskError } from './errors.js';

/** A positional parameter: Dates bind as TIMESTAMP (UTC, microseconds), byte arrays as BLOB. */
export type SqlParam = null | boolean | number | bigint | string | Date | Uint8Array;

/**
 * A value read back: TIMESTAMP -> Date, BLOB -> Uint8Array, integers -> number (bigint only when
 * beyond 2^53), JSON/VARCHAR -> string, LIST -> array, STRUCT -> object.
 */
export type SqlValue = null | boolean | number | bigint | string | Date | Uint8Array | SqlValue[] | { [key: string]: SqlValue };

/** One result row, keyed by column name. */
export type Row = Record<string, SqlValue>;

/** An open embedded DuckDB database. Create with `openDatabase`. */
export class Database {
  /** Absolute path of the database file. */
  readonly path: string;
  private shared: SharedInstance | null;
  private connection: DuckDBConnection | null;
  /** Tail of the statement queue: each top-level statement or transaction waits for the previous. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inTransaction = new AsyncLocalStorage<boolean>();

  private constructor(path: string, shared: SharedInstance, connection: DuckDBConnection) {
    this.path = path;
    this.shared = shared;
    this.connection = connection;
  }

  /** @internal use `openDatabase`. */
  static async open(path: string): Promise<Database> {
    let file = resolve(path);
    try {
      mkdirSync(dirname(file), { recursive: true });
      file = join(realpathSync(dirname(file)), basename(file));
    } catch (e) {
      throw unavailable(file, e);
    }
    const shared = await acquire(file);
    try {
      return new Database(file, shared, await shared.opened!.connect());
    } catch (e) {
      release(shared);
      throw unavailable(file, e);
    }
  }

  /** Runs one statement (DDL or DML) and returns the number of rows it changed. */
  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return this.serialised(async () => {
      const result = await this.conn().run(sql, params.map(toDuckValue));
      return result.rowsChanged;
    });
  }

  /** Runs a query and returns every row as an object keyed by column name. */
  async all<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.serialised(async () => {
      const reader = await this.conn().runAndReadAll(sql, params.map(toDuckValue));
      return reader.getRowObjectsJS().map((r) => normaliseRow(r) as T);
    });
  }

  /** Runs a query and returns its first row, or undefined when it returns none. */
  async one<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /**
   * Runs `fn` inside BEGIN/COMMIT; any error thrown by `fn` (or by COMMIT) rolls the transaction
   * back and is rethrown unchanged. Transactions do not nest (DuckDB has no savepoints).
   */
  async transaction<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) throw new Error('Database.transaction: transactions do not nest');
    const task = async (): Promise<T> => {
      const conn = this.conn();
      await conn.run('BEGIN TRANSACTION');
      try {
        const value = await this.inTransaction.run(true, () => fn(this));
        await conn.run('COMMIT');
        return value;
      } catch (e) {
        try {
          await conn.run('ROLLBACK');
        } catch {
          // The transaction may already be aborted by the failing statement; the original error is what matters.
        }
        throw e;
      }
    };
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Closes this handle's connection; the last handle on a file closes the database and releases its lock. Safe to call twice. */
  close(): void {
    this.connection?.closeSync();
    if (this.shared) release(this.shared);
    this.connection = null;
    this.shared = null;
  }

  /** True until `close` is called. */
  get isOpen(): boolean {
    return this.connection !== null;
  }

  private conn(): DuckDBConnection {
    if (!this.connection) throw new Error(`database ${this.path} is closed`);
    return this.connection;
  }

  /** Runs `task` after everything queued before it, unless we are already inside the running transaction. */
  private serialised<T>(task: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return task();
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** A SQL string literal: `s` in single quotes, quotes doubled. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Opens (creating if needed) the DuckDB database file at `path`, creating its parent directories.
 * Throws STORE_UNAVAILABLE, naming the file, when it cannot be opened (for example while another
 * process holds its lock: an embedded DuckDB file has one writer process at a time).
 */
export function openDatabase(path: string): Promise<Database> {
  return Database.open(path);
}

/** One DuckDB instance per file per process, counted by the handles using it. */
interface SharedInstance {
  file: string;
  instance: Promise<DuckDBInstance>;
  /** Set once `instance` has resolved, so the last close releases the lock synchronously. */
  opened?: DuckDBInstance;
  refs: number;
}

const instances = new Map<string, SharedInstance>();

async function acquire(file: string): Promise<SharedInstance> {
  let shared = instances.get(file);
  if (!shared) {
    const created: SharedInstance = { file, instance: DuckDBInstance.create(file), refs: 0 };
    instances.set(file, created);
    created.instance.catch(() => {
      if (instances.get(file) === created) instances.delete(file);
    });
    shared = created;
  }
  shared.refs++;
  try {
    shared.opened = await shared.instance;
  } catch (e) {
    shared.refs--;
    throw unavailable(file, e);
  }
  return shared;
}

function release(shared: SharedInstance): void {
  shared.refs--;
  if (shared.refs > 0) return;
  if (instances.get(shared.file) === shared) instances.delete(shared.file);
  if (shared.opened) shared.opened.closeSync();
  else void shared.instance.then((i) => i.closeSync(), () => undefined);
}

function unavailable(file: string, e: unknown): IriskError {
  const reason = e instanceof Error ? e.message : String(e);
  const lock = /lock/i.exec(reason) !== null;
  const pid = /PID (\d+)/.exec(reason)?.[1];
  const message = lock
    ? `cannot open the database file ${file}: it is locked by another process${pid ? ` (PID ${pid})` : ''}; stop that process or use another --data-dir`
    : `cannot open the database file ${file}: ${reason}`;
  return new IriskError('STORE_UNAVAILABLE', message, { file, locked: lock, ...(pid ? { pid: Number(pid) } : {}), reason });
}

function toDuckValue(v: SqlParam): DuckDBValue {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (!Number.isFinite(ms)) throw new TypeError('cannot bind an invalid Date');
    return timestampValue(BigInt(ms) * 1000n);
  }
  if (v instanceof Uint8Array) return blobValue(v);
  return v;
}

function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = normaliseValue(v);
  return out;
}

function normaliseValue(v: unknown): SqlValue {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (v === null || v === undefined) return null;
  if (v instanceof Date || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(normaliseValue);
  if (typeof v === 'object') {
    const o: Record<string, SqlValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = normaliseValue(x);
    return o;
  }
  return v as SqlValue;
}
