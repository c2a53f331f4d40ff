/**
 * The embedded DuckDB wrapper: parameters and value conversion, transactions (commit, rollback,
 * isolation from concurrent callers), and STORE_UNAVAILABLE for a file that cannot be opened.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './duckdb.js';
import { IriskError } from './errors.js';

let dir: string;
let db: Database | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-duckdb-'));
});
afterEach(async () => {
  db?.close();
  db = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates parent directories and the file, and reopens with the data', async () => {
    const path = join(dir, 'a', 'b', 'x.duckdb');
    db = await openDatabase(path);
    expect(existsSync(path)).toBe(true);
    expect(db.path).toBe(path);
    await db.run('CREATE TABLE t (k VARCHAR, v INTEGER)');
    expect(await db.run('INSERT INTO t VALUES (?, ?), (?, ?)', ['a', 1, 'b', 2])).toBe(2);
    db.close();
    db.close(); // twice is fine
    expect(db.isOpen).toBe(false);
    db = await openDatabase(path);
    expect(await db.all('SELECT k, v FROM t ORDER BY k')).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
  });

  it('binds and reads back timestamps, blobs, big integers, nulls and JSON text', async () => {
    db = await openDatabase(join(dir, 'x.duckdb'));
    await db.run('CREATE TABLE t (ts TIMESTAMP, b BLOB, n BIGINT, h HUGEINT, s VARCHAR, j JSON)');
    const at = new Date('2024-03-15T12:34:56.789Z');
    await db.run('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)', [at, new Uint8Array([1, 2, 255]), 42, 2n ** 70n, null, '{"a":[1,2]}']);
    const row = await db.one('SELECT * FROM t');
    expect(row).toEqual({ ts: at, b: Buffer.from([1, 2, 255]), n: 42, h: 2n ** 70n, s: null, j: '{"a":[1,2]}' });
    expect(await db.one('SELECT count(*) AS n FROM t WHERE ts <= ?', [new Date('2024-03-15T12:34:56.789Z')])).toEqual({ n: 1 });
    expect(await db.one('SELECT * FROM t WHERE 1 = 0')).toBeUndefined();
  });

  it('commits a transaction and rolls back on error, rethrowing the error unchanged', async () => {
    db = await openDatabase(join(dir, 'x.duckdb'));
    await db.run('CREATE TABLE t (v INTEGER PRIMARY KEY)');
    const r = await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
      await tx.run('INSERT INTO t VALUES (2)');
      return 'done';
    });
    expect(r).toBe('done');
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (3)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    // A failing statement (primary key violation) also rolls back the statements before it.
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (4)');
        await tx.run('INSERT INTO t VALUES (1)');
      }),
    ).rejects.toThrow(/constraint|duplicate/i);
    expect((await db.all('SELECT v FROM t ORDER BY v')).map((x) => x.v)).toEqual([1, 2]);
    // Still usable afterwards.
    await db.transaction((tx) => tx.run('INSERT INTO t VALUES (5)'));
    expect((await db.one('SELECT count(*) AS n FROM t'))!.n).toBe(3);
  });

  it('keeps statements from outside a running transaction out of it', async () => {
    db = await openDatabase(join(dir, 'x.duckdb'));
    await db.run('CREATE TABLE t (v INTEGER)');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db
      .transaction(async (t) => {
        await t.run('INSERT INTO t VALUES (1)');
        await gate;
        throw new Error('abort');
      })
      .catch((e: Error) => e.message);
    // Issued while the transaction is open: must not be rolled back with it.
    const outside = db.run('INSERT INTO t VALUES (2)');
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await tx).toBe('abort');
    await outside;
    expect((await db.all('SELECT v FROM t')).map((x) => x.v)).toEqual([2]);
  });

  it('refuses nested transactions', async () => {
    db = await openDatabase(join(dir, 'x.duckdb'));
    const d = db;
    await expect(d.transaction(() => d.transaction(async () => 1))).rejects.toThrow(/nest/);
  });

  it('STORE_UNAVAILABLE when the path cannot be created', async () => {
    await writeFile(join(dir, 'file'), 'not a directory');
    const e = await openDatabase(join(dir, 'file', 'x.duckdb')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IriskError);
    expect((e as IriskError).code).toBe('STORE_UNAVAILABLE');
    expect((e as IriskError).message).toContain(join(dir, 'file', 'x.duckdb'));
  });

  it('STORE_UNAVAILABLE naming the file when another process holds its lock', async () => {
    const path = join(dir, 'locked.duckdb');
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'; await DuckDBInstance.create(${JSON.stringify(path)}); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
      });
      const e = await openDatabase(path).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(IriskError);
      const err = e as IriskError;
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.kind).toBe('input');
      expect(err.message).toContain(path);
      expect(err.message).toMatch(/locked by another process/);
      expect(err.details).toMatchObject({ file: path, locked: true, pid: child.pid });
    } finally {
      child.kill();
    }
  });
});

describe('handles in one process', () => {
  it('share one instance per file: writes are visible to both, and the last close releases it', async () => {
    const path = join(dir, 'shared.duckdb');
    const a = await openDatabase(path);
    const b = await openDatabase(join(dir, '.', 'shared.duckdb'));
    try {
      await a.run('CREATE TABLE t (v INTEGER)');
      await a.run('INSERT INTO t VALUES (1)');
      expect(await b.all('SELECT v FROM t')).toEqual([{ v: 1 }]);
      await b.run('INSERT INTO t VALUES (2)');
      a.close();
      expect((await b.one('SELECT count(*) AS n FROM t'))!.n).toBe(2);
      await expect(a.run('SELECT 1')).rejects.toThrow(/closed/);
    } finally {
      a.close();
      b.close();
    }
    db = await openDatabase(path);
    expect((await db.one('SELECT count(*) AS n FROM t'))!.n).toBe(2);
  });
});
