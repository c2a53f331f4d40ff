import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { ingestFiles } from './ingest.js';
import { EVENT_TYPES, type CreditEvent } from './schema.js';
import { allEvents, countEvents, eventsFor, insertEvents, openEventStore } from './store.js';
import { EVENT_COLUMNS, validateEvent } from './validate.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const T0 = Date.parse('2024-01-01T00:00:00Z');
const CATEGORIES = ['electronics', 'grocery', 'travel, "intl"', 'fashion\nline', 'café'];

/** Seeded raw events of every type, as a producer would write them (ISO times, JSON numbers). */
function makeRaw(seed: number, n: number): Record<string, unknown>[] {
  const rng = new Rng(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const type = EVENT_TYPES[i % EVENT_TYPES.length]!;
    const e: Record<string, unknown> = {
      eventId: `e${String(i).padStart(7, '0')}`,
      customerId: `c${rng.int(0, 40)}`,
      type,
      eventTime: new Date(T0 + rng.int(0, 100 * 86400) * 1000 + rng.int(0, 999)).toISOString(),
    };
    if (rng.chance(0.3)) e.ingestedAt = new Date(T0 + 101 * 86400_000 + rng.int(0, 1000)).toISOString();
    const amount = Math.round(rng.uniform(0, 5000) * 100) / 100;
    const cat = CATEGORIES[rng.int(0, CATEGORIES.length - 1)]!;
    const channel = ['online', 'in_store', 'app'][rng.int(0, 2)]!;
    switch (type) {
      case 'application':
        Object.assign(e, { amount, channel, merchantCategory: cat }, rng.chance(0.5) ? { income: rng.int(500, 9000) } : {});
        break;
      case 'loan':
        Object.assign(e, { loanId: `l${i}`, amount, termMonths: rng.int(1, 24), installments: rng.int(1, 24), merchantCategory: cat });
        break;
      case 'installment_due':
        Object.assign(e, { loanId: `l${i}`, installmentNo: rng.int(1, 12), amount });
        break;
      case 'repayment':
        Object.assign(e, { loanId: `l${i}`, installmentNo: rng.int(1, 12), amount, daysLate: rng.int(0, 90) });
        break;
      case 'purchase':
        Object.assign(e, { amount, merchantCategory: cat, channel });
        break;
      case 'bank_txn':
        Object.assign(e, { amount: Math.round(rng.uniform(-3000, 3000) * 100) / 100, balance: Math.round(rng.uniform(-500, 20000) * 100) / 100 });
        break;
      case 'bureau':
        Object.assign(e, { bureauScore: rng.int(300, 850), openAccounts: rng.int(0, 12), delinquencies: rng.int(0, 3), inquiries6m: rng.int(0, 6), totalDebt: rng.int(0, 50000) });
        break;
    }
    out.push(e);
  }
  return out;
}

function toNdjson(rows: Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsvText(rows: Record<string, unknown>[]): string {
  return [EVENT_COLUMNS.join(','), ...rows.map((r) => EVENT_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** Writes rows as Parquet through DuckDB COPY: numbers as DOUBLE/BIGINT, ids and times as text. */
async function writeParquet(dir: string, rows: Record<string, unknown>[], out: string): Promise<void> {
  const src = join(dir, 'for-parquet.ndjson');
  await writeFile(src, toNdjson(rows));
  const numeric = new Set(['amount', 'income', 'balance', 'bureauScore', 'totalDebt']);
  const ints = new Set(['termMonths', 'installments', 'installmentNo', 'daysLate', 'openAccounts', 'delinquencies', 'inquiries6m']);
  const columns = EVENT_COLUMNS.map((c) => `'${c}': '${numeric.has(c) ? 'DOUBLE' : ints.has(c) ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
  const db = await openDatabase(join(dir, 'scratch.duckdb'));
  try {
    await db.run(`COPY (SELECT * FROM read_json('${src}', format = 'newline_delimited', columns = {${columns}})) TO '${out}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-events-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stored(dataDir: string) {
  const db = await openEventStore(dataDir);
  try {
    return await allEvents(db);
  } finally {
    db.close();
  }
}

describe('ingestFiles', () => {
  it('gives identical table contents from NDJSON, CSV and Parquet of the same events', async () => {
    const rows = makeRaw(7, 700);
    await writeFile(join(dir, 'ev.ndjson'), toNdjson(rows));
    await writeFile(join(dir, 'ev.csv'), toCsvText(rows));
    await writeParquet(dir, rows, join(dir, 'ev.parquet'));
    const results = [];
    for (const f of ['ev.ndjson', 'ev.csv', 'ev.parquet']) {
      const dataDir = join(dir, `data-${f}`);
      const r = await ingestFiles(dataDir, [join(dir, f)], { now: NOW });
      expect(r.files[0]).toMatchObject({ rows: 700, inserted: 700, duplicates: 0, rejectedCount: 0, rejected: [] });
      results.push(await stored(dataDir));
    }
    const expected = rows.map((r) => validateEvent(r, { now: NOW })).sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    expect(results[0]).toEqual(expected);
    expect(results[1]).toEqual(expected);
    expect(results[2]).toEqual(expected);
  });

  it('a mixed set of files inserts each event once, and ingesting again inserts nothing', async () => {
    const rows = makeRaw(11, 300);
    await writeFile(join(dir, 'a.jsonl'), toNdjson(rows.slice(0, 200)));
    await writeFile(join(dir, 'b.csv'), toCsvText(rows.slice(100, 300)));
    const data = join(dir, 'data');
    const first = await ingestFiles(data, [join(dir, 'a.jsonl'), join(dir, 'b.csv')], { now: NOW });
    expect(first.totals).toEqual({ files: 2, rows: 400, inserted: 300, duplicates: 100, rejected: 0 });
    const before = await stored(data);
    const again = await ingestFiles(data, [join(dir, 'a.jsonl'), join(dir, 'b.csv')], { now: NOW + 1000 });
    expect(again.totals).toEqual({ files: 2, rows: 400, inserted: 0, duplicates: 400, rejected: 0 });
    expect(await stored(data)).toEqual(before);
  });

  it('rejects bad rows with their line and keeps the good rows of the same file', async () => {
    const good = makeRaw(3, 4);
    const lines = [
      JSON.stringify(good[0]),
      '{"eventId": "broken", ',
      '',
      JSON.stringify({ ...good[1], amount: -5 }),
      JSON.stringify(good[1]),
      '[1, 2]',
      JSON.stringify({ ...good[2], colour: 'red' }),
      JSON.stringify(good[3]),
    ];
    await writeFile(join(dir, 'mixed.ndjson'), lines.join('\r\n'));
    const csvRows = [good[0]!, { ...good[1]!, eventId: '' }, { ...good[2]!, eventTime: '2024-03-01 10:00:00' }, good[3]!];
    await writeFile(join(dir, 'mixed.csv'), toCsvText(csvRows));
    const data = join(dir, 'data');
    const r = await ingestFiles(data, [join(dir, 'mixed.ndjson'), join(dir, 'mixed.csv')], { now: NOW });
    const [nd, csv] = r.files;
    expect(nd).toMatchObject({ format: 'ndjson', rows: 7, inserted: 3, duplicates: 0, rejectedCount: 4 });
    expect(nd!.rejected.map((x) => x.line)).toEqual([2, 4, 6, 7]);
    expect(nd!.rejected[0]!.reason).toMatch(/^not valid JSON/);
    expect(nd!.rejected[1]!.reason).toBe('amount must not be negative for a loan event (got -5)');
    expect(nd!.rejected[2]!.reason).toBe('each line must be a JSON object');
    expect(nd!.rejected[3]!.reason).toBe('unknown field "colour"');
    expect(csv).toMatchObject({ format: 'csv', rows: 4, inserted: 0, duplicates: 2, rejectedCount: 2 });
    expect(csv!.rejected).toEqual([
      { line: 2, reason: `missing field eventId for type ${String(good[1]!.type)}` },
      { line: 3, reason: expect.stringMatching(/^eventTime must be an ISO 8601 time with a zone.*add a zone/) },
    ]);
    // good[2] came with an unknown field in NDJSON and without a zone in CSV: never stored
    expect((await stored(data)).map((e) => e.eventId)).toEqual([good[0], good[1], good[3]].map((g) => g!.eventId).sort());
    expect(r.totals).toEqual({ files: 2, rows: 11, inserted: 3, duplicates: 2, rejected: 6 });
  });

  it('lists at most 100 rejected rows but counts them all', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => JSON.stringify({ eventId: `x${i}`, type: 'nope' }));
    await writeFile(join(dir, 'bad.ndjson'), rows.join('\n'));
    const r = await ingestFiles(join(dir, 'data'), [join(dir, 'bad.ndjson')], { now: NOW });
    expect(r.files[0]!.rejected).toHaveLength(100);
    expect(r.files[0]!.rejectedCount).toBe(150);
    expect(r.files[0]!.rejected[99]!.line).toBe(100);
  });

  it('refuses unknown formats and unreadable files before ingesting anything', async () => {
    await writeFile(join(dir, 'ok.ndjson'), toNdjson(makeRaw(1, 5)));
    await writeFile(join(dir, 'events.txt'), '');
    const data = join(dir, 'data');
    await expect(ingestFiles(data, [join(dir, 'ok.ndjson'), join(dir, 'events.txt')])).rejects.toMatchObject({ code: 'EVENT_FILE_FORMAT' });
    await expect(ingestFiles(data, [join(dir, 'ok.ndjson'), join(dir, 'missing.csv')])).rejects.toMatchObject({ code: 'EVENT_FILE_UNREADABLE' });
    await writeFile(join(dir, 'corrupt.parquet'), 'not parquet at all');
    const err = await ingestFiles(data, [join(dir, 'corrupt.parquet')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IriskError);
    expect((err as IriskError).code).toBe('EVENT_FILE_UNREADABLE');
    expect((err as IriskError).kind).toBe('input');
  });

  it('keeps the first of repeated ids within a file and within one insert batch', async () => {
    const [a, b] = makeRaw(5, 2);
    await writeFile(join(dir, 'dup.ndjson'), toNdjson([a!, { ...a!, customerId: 'other' }, b!, a!]));
    const data = join(dir, 'data');
    const r = await ingestFiles(data, [join(dir, 'dup.ndjson')], { now: NOW, batchSize: 2 });
    expect(r.files[0]).toMatchObject({ rows: 4, inserted: 2, duplicates: 2 });
    const db = await openEventStore(data);
    try {
      expect(await countEvents(db)).toBe(2);
      const one = validateEvent(a!, { now: NOW });
      expect(await insertEvents(db, [one, one, { ...one, eventId: 'new' }])).toEqual({ inserted: 1, duplicates: 2 });
      expect((await eventsFor(db, String(a!.customerId))).map((e) => e.customerId)).not.toContain('other');
    } finally {
      db.close();
    }
  });

  it('eventsFor returns a customer history in event time then id order, up to a time', async () => {
    const rows = makeRaw(9, 400);
    await writeFile(join(dir, 'ev.ndjson'), toNdjson(rows));
    const data = join(dir, 'data');
    await ingestFiles(data, [join(dir, 'ev.ndjson')], { now: NOW });
    const all = rows.map((r) => validateEvent(r, { now: NOW }));
    const cutoff = T0 + 50 * 86400_000;
    const db = await openEventStore(data);
    try {
      for (const customer of ['c0', 'c7', 'c40', 'nobody']) {
        const want = all
          .filter((e) => e.customerId === customer)
          .sort((x, y) => x.eventTime - y.eventTime || (x.eventId < y.eventId ? -1 : 1));
        expect(await eventsFor(db, customer)).toEqual(want);
        expect(await eventsFor(db, customer, cutoff)).toEqual(want.filter((e) => e.eventTime <= cutoff));
      }
    } finally {
      db.close();
    }
  });

  it('reads NDJSON bytes exactly as decoding the whole text and splitting it on newlines would', async () => {
    const rows = makeRaw(21, 20_000);
    const parts: Buffer[] = rows.map((r) => Buffer.from(JSON.stringify(r) + '\n'));
    const awkward: [number, Buffer][] = [
      [0, Buffer.from('\ufeff' + JSON.stringify(rows[0]) + '\n')], // a byte-order mark: not JSON
      [5, Buffer.from(JSON.stringify({ ...rows[5], eventId: 'crlf' }) + '\r\n')],
      [9, Buffer.from('   \t \r\n')],
      [11, Buffer.from('\u00a0\n')], // blank to String.prototype.trim, not to JSON
      [13, Buffer.concat([Buffer.from('{"eventId":"bad-utf8","customerId":"c1","type":"purchase","eventTime":"2024-02-01T00:00:00Z","amount":1,"channel":"app","merchantCategory":"x'), Buffer.from([0xe2, 0x82, 0xff]), Buffer.from('y"}\n')])],
      [17, Buffer.from(JSON.stringify({ ...rows[17], eventId: 'huge', merchantCategory: 'm'.repeat(5 << 20) }) + '\n')], // longer than a read chunk
      [4_000, Buffer.from('{"eventId": 1}\r\n')],
      [9_999, Buffer.from('null\n[]\n"text"\n\n')],
      [12_345, Buffer.from(JSON.stringify(rows[3]) + '\n')], // a repeated event
      [15_000, Buffer.from('{"eventId":"cr-inside","x":"a\rb"}\n')],
    ];
    for (const [at, b] of awkward.reverse()) parts.splice(at, 0, b);
    parts.push(Buffer.from(JSON.stringify({ ...rows[1], eventId: 'no-final-newline' })));
    const bytes = Buffer.concat(parts);
    await writeFile(join(dir, 'awkward.ndjson'), bytes);

    // The reference: the whole file as text, split on newlines, each line parsed and validated.
    const expected = { rows: 0, rejected: [] as { line: number; reason: string }[], events: new Map<string, CreditEvent>() };
    bytes.toString('utf8').split('\n').forEach((text, i) => {
      const t = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (t.trim() === '') return;
      expected.rows++;
      try {
        const v: unknown = JSON.parse(t);
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('each line must be a JSON object');
        const e = validateEvent(v as Record<string, unknown>, { now: NOW });
        if (!expected.events.has(e.eventId)) expected.events.set(e.eventId, e);
      } catch (e) {
        const reason = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : (e as Error).message;
        expected.rejected.push({ line: i + 1, reason });
      }
    });
    const data = join(dir, 'data');
    const r = await ingestFiles(data, [join(dir, 'awkward.ndjson')], { now: NOW, batchSize: 7_000 });
    expect(r.files[0]).toMatchObject({ rows: expected.rows, rejectedCount: expected.rejected.length, inserted: expected.events.size, duplicates: expected.rows - expected.rejected.length - expected.events.size });
    expect(r.files[0]!.rejected).toEqual(expected.rejected);
    expect(expected.rejected.length).toBeGreaterThan(5);
    expect(await stored(data)).toEqual([...expected.events.values()].sort((a, b) => (a.eventId < b.eventId ? -1 : 1)));
  });

  it('turns NaN and infinite Parquet doubles into the same rejections as before', async () => {
    const [a, b, c] = makeRaw(17, 3);
    const db = await openDatabase(join(dir, 'scratch.duckdb'));
    const file = join(dir, 'odd.parquet');
    try {
      const row = (r: Record<string, unknown>, amount: string) => `SELECT '${String(r.eventId)}' AS eventId, '${String(r.customerId)}' AS customerId, 'bank_txn' AS type, '${String(r.eventTime)}' AS eventTime, ${amount}::DOUBLE AS amount, 10.5::DOUBLE AS balance`;
      await db.run(`COPY (${row(a!, "'nan'")} UNION ALL ${row(b!, "'-inf'")} UNION ALL ${row(c!, '-2.25')}) TO '${file}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
    const r = await ingestFiles(join(dir, 'data'), [file], { now: NOW });
    expect(r.files[0]!.rejected).toEqual([
      { line: 1, reason: 'amount must be a finite number (got NaN)' },
      { line: 2, reason: 'amount must be a finite number (got -Infinity)' },
    ]);
    expect((await stored(join(dir, 'data'))).map((e) => [e.eventId, (e as { amount: number }).amount])).toEqual([[String(c!.eventId), -2.25]]);
  });

  it('a process killed mid-ingest leaves whole batches; re-running completes the ingest exactly', async () => {
    const total = 120_000;
    const batch = 4_000;
    const file = join(dir, 'big.ndjson');
    await writeFile(file, toNdjson(makeRaw(13, total)));
    const data = join(dir, 'data');
    const root = resolve(import.meta.dirname, '../../..');
    const script = `
      import { ingestFiles } from ${JSON.stringify(join(root, 'src/credit/events/ingest.ts'))};
      await ingestFiles(${JSON.stringify(data)}, [${JSON.stringify(file)}], { now: ${NOW}, batchSize: ${batch}, progress: (p) => process.stdout.write('committed ' + p.inserted + '\\n') });
      process.stdout.write('done\\n');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('committed')) {
          child.kill('SIGKILL');
          res();
        }
      });
      child.on('exit', () => (out.includes('committed') ? res() : rej(new Error(`child exited before committing: ${err}`))));
    });
    const { signal } = await exited;
    // The killed child may leave its staging CSV behind (nothing else is left: DuckDB replays its WAL).
    for (const f of await readdir(tmpdir())) if (f.startsWith(`irisk-events-${child.pid}-`)) await rm(join(tmpdir(), f), { force: true });
    const db = await openEventStore(data);
    let partial: number;
    try {
      partial = await countEvents(db);
      // Killed in the middle (unless the machine was fast enough to finish first): whole batches only.
      expect(partial % batch === 0 || partial === total).toBe(true);
      expect(partial).toBeGreaterThanOrEqual(batch);
      if (signal === 'SIGKILL' && !out.includes('done')) expect(partial).toBeLessThan(total);
    } finally {
      db.close();
    }
    const r = await ingestFiles(data, [file], { now: NOW, batchSize: 50_000 });
    expect(r.files[0]).toMatchObject({ rows: total, inserted: total - partial, duplicates: partial, rejectedCount: 0 });
    const db2 = await openEventStore(data);
    try {
      expect(await countEvents(db2)).toBe(total);
      expect(Number((await db2.one<{ n: number }>('SELECT count(DISTINCT event_id)::BIGINT AS n FROM credit_events'))!.n)).toBe(total);
    } finally {
      db2.close();
    }
  });
});
