/**
 * `npm run bench -- credit`: event ingestion (NDJSON, CSV, Parquet) into DuckDB, offline
 * point-in-time features over 5M events, and online-store memory per customer, each against a
 * baseline measured in the same run. Data: a seeded synthetic lending world (never real data),
 * generated once and cached under the OS temp directory keyed by its options.
 */
import { benchCreditDecision } from './credit-decision.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ingestFiles } from '../src/credit/events/ingest.js';
import { columnName, EVENT_FIELDS } from '../src/credit/events/schema.js';
import { openEventStore } from '../src/credit/events/store.js';
import { EVENT_COLUMNS } from '../src/credit/events/validate.js';
import { computeOfflineFeatures, type FeaturePoint } from '../src/credit/features/offline.js';
import { OnlineFeatureStore } from '../src/credit/features/online.js';
import { UNDERWRITING_VIEW } from '../src/credit/features/views.js';
import type { Database } from '../src/lib/duckdb.js';
import { terminalProgress } from '../src/lib/progress.js';
import { Rng } from '../src/lib/rng.js';
import { creditCustomerId, eventToJson, lendingCustomers, resolveLendingWorld, writeLendingWorld, type LendingWorldOptions } from '../src/synth/credit/index.js';
import { report } from './report.js';

/** About 98 events per customer over 24 months: 51,000 customers give just over 5M events. */
const WORLD: LendingWorldOptions = { customers: 51_000, months: 24, seed: 2026 };
/** Events in the CSV and Parquet copies (the first lines of the world, by event time). */
const SUBSET_EVENTS = 500_000;
const POINTS = 100_000;
const ONLINE_CUSTOMERS = 5_000;
/** Ingestion clock: after the world ends, so no event is "in the future". */
const NOW = Date.UTC(2030, 0, 1);

const BUDGET = { ingestEventsPerSecond: 200_000, offlineSeconds: 30 };

function log(message: string): void {
  process.stderr.write(`credit: ${message}\n`);
}

/** Seconds taken by `fn`, with its result. */
async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - t0) / 1000, result };
}

/** A fresh, empty data directory (removed by the caller). */
function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `irisk-bench-credit-${label}-`));
}

/** The world's files, generated on first use and reused while its options stay the same. */
async function cachedWorld(): Promise<{ dir: string; eventsPath: string }> {
  const dir = join(tmpdir(), `irisk-bench-credit-world-c${WORLD.customers}-m${WORLD.months}-s${WORLD.seed}`);
  const eventsPath = join(dir, 'events.ndjson');
  // world.json is written last: its presence means a complete world.
  if (existsSync(join(dir, 'world.json')) && existsSync(eventsPath)) {
    log(`using cached world ${dir}`);
    return { dir, eventsPath };
  }
  log(`generating ${WORLD.customers} customers x ${WORLD.months} months into ${dir} (once; about 100 s on 2 cores)`);
  await writeLendingWorld(dir, WORLD, terminalProgress());
  return { dir, eventsPath };
}

/** read_json columns of an event file: the schema's camelCase fields, times as text. */
function jsonColumns(): string {
  const kinds = new Map(Object.values(EVENT_FIELDS).flatMap((fs) => fs.map((f) => [f.name, f.type] as const)));
  const sql = (field: string): string => {
    const k = kinds.get(field);
    return k?.kind === 'number' ? (k.integer ? 'BIGINT' : 'DOUBLE') : 'VARCHAR';
  };
  return `{${EVENT_COLUMNS.map((c) => `'${c}': '${sql(c)}'`).join(', ')}}`;
}

const sqlPath = (p: string): string => `'${p.replace(/'/g, "''")}'`;

/** CSV and Parquet copies of the first SUBSET_EVENTS events, cached beside the world. */
async function cachedSubsets(world: { dir: string; eventsPath: string }): Promise<{ csv: string; parquet: string }> {
  const csv = join(world.dir, `events-${SUBSET_EVENTS}.csv`);
  const parquet = join(world.dir, `events-${SUBSET_EVENTS}.parquet`);
  if (existsSync(csv) && existsSync(parquet)) return { csv, parquet };
  log(`writing CSV and Parquet copies of ${SUBSET_EVENTS} events`);
  const dir = scratchDir('convert');
  const db = await openEventStore(dir);
  try {
    const source = `(SELECT * FROM read_json(${sqlPath(world.eventsPath)}, format = 'newline_delimited', columns = ${jsonColumns()}) LIMIT ${SUBSET_EVENTS})`;
    await db.run(`COPY ${source} TO ${sqlPath(csv)} (HEADER true)`);
    await db.run(`COPY ${source} TO ${sqlPath(parquet)} (FORMAT parquet)`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { csv, parquet };
}

/**
 * The baseline of an ingest: DuckDB alone inserting the same file into the same table, one
 * INSERT ... SELECT with no validation, no idempotency check and no line numbers.
 */
async function plainInsert(source: string): Promise<{ seconds: number; rows: number }> {
  const dir = scratchDir('baseline');
  try {
    const { seconds, result } = await timed(async () => {
      const db = await openEventStore(dir);
      try {
        const time = (f: string): string => `CAST(CAST(${f} AS TIMESTAMPTZ) AS TIMESTAMP)`;
        const values = EVENT_COLUMNS.map((f) => (f === 'eventTime' ? time(f) : f === 'ingestedAt' ? `coalesce(${time(f)}, epoch_ms(${NOW}))` : `"${f}"`));
        return await db.run(`INSERT INTO credit_events (${EVENT_COLUMNS.map(columnName).join(', ')}) SELECT ${values.join(', ')} FROM ${source}`);
      } finally {
        db.close();
      }
    });
    return { seconds, rows: result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One ingest measurement and its line; returns the filled data directory (the caller removes it). */
async function benchIngest(format: 'ndjson' | 'csv' | 'parquet', file: string, baselineSource: string): Promise<string> {
  const dir = scratchDir(`ingest-${format}`);
  log(`ingesting ${format} ${file}`);
  const ours = await timed(() => ingestFiles(dir, [file], { now: NOW }));
  const totals = ours.result.totals;
  if (totals.rejected > 0 || totals.inserted !== totals.rows) throw new Error(`credit bench: ${format} ingest rejected ${totals.rejected} of ${totals.rows} rows`);
  log(`baseline: plain DuckDB insert of the same ${format} file`);
  const base = await plainInsert(baselineSource);
  const rate = totals.rows / ours.seconds;
  const baseRate = base.rows / base.seconds;
  report({
    bench: 'credit',
    metric: `ingest_${format}_events_per_second`,
    value: rate,
    unit: 'events/s',
    baseline: `DuckDB INSERT INTO credit_events SELECT FROM read_${format === 'ndjson' ? 'json' : format}(same file), no validation`,
    baselineValue: baseRate,
    ratio: rate / baseRate,
    ...(format === 'ndjson' ? { budget: BUDGET.ingestEventsPerSecond, withinBudget: rate >= BUDGET.ingestEventsPerSecond } : {}),
    note: `${totals.rows} events into an empty store in ${ours.seconds.toFixed(1)} s (validation, idempotency and line numbers included); ratio = ours / baseline`,
  });
  return dir;
}

/** Random (customer, time) points over the world's customers and span. */
function randomPoints(n: number): FeaturePoint[] {
  const w = resolveLendingWorld(WORLD);
  const rng = new Rng(7);
  return Array.from({ length: n }, () => ({ customerId: creditCustomerId(rng.int(1, w.customers)), at: w.start + Math.floor(rng.next() * (w.end - w.start)) }));
}

/** The offline baseline: one plain aggregate (a count per point) over the same point-in-time join. */
async function simpleJoinSeconds(db: Database, points: readonly FeaturePoint[]): Promise<number> {
  const dir = scratchDir('points');
  try {
    const file = join(dir, 'points.csv');
    writeFileSync(file, 'point_id,customer_id,at_ms\n' + points.map((p, i) => `${i},${p.customerId},${p.at}`).join('\n') + '\n');
    const { seconds } = await timed(() =>
      db.all(`WITH p AS (SELECT * FROM read_csv(${sqlPath(file)}, header = true, columns = {'point_id': 'INTEGER', 'customer_id': 'VARCHAR', 'at_ms': 'BIGINT'}))
SELECT p.point_id, count(e.event_id) AS n FROM p LEFT JOIN credit_events e ON e.customer_id = p.customer_id AND epoch_ms(e.event_time) < p.at_ms
GROUP BY p.point_id ORDER BY p.point_id`),
    );
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Offline features for POINTS points over the store in `dataDir`, against the simple join. */
async function benchOffline(dataDir: string, events: number): Promise<void> {
  const db = await openEventStore(dataDir);
  try {
    const points = randomPoints(POINTS);
    log(`offline features: ${POINTS} points over ${events} events`);
    const rssBefore = process.memoryUsage().rss;
    const ours = await timed(() => computeOfflineFeatures(db, UNDERWRITING_VIEW, points));
    const rss = process.memoryUsage().rss;
    log('baseline: one COUNT over the same join');
    const base = await simpleJoinSeconds(db, points);
    report({
      bench: 'credit',
      metric: 'offline_features_seconds',
      value: ours.seconds,
      unit: 's',
      baseline: 'one COUNT per point over the same point-in-time join',
      baselineValue: base,
      ratio: ours.seconds / base,
      budget: BUDGET.offlineSeconds,
      withinBudget: ours.seconds <= BUDGET.offlineSeconds,
      note: `${UNDERWRITING_VIEW.features.length} features x ${POINTS} points over ${events} events; process RSS ${(rssBefore / 1e6).toFixed(0)} -> ${(rss / 1e6).toFixed(0)} MB; ratio = ours / baseline (time)`,
    });
  } finally {
    db.close();
  }
}

/** A function forcing a full garbage collection, with or without --expose-gc. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use after full collections. */
function settledHeap(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Online-store heap per customer for a realistic world, against the NDJSON size of the same events. */
function benchOnlineMemory(): void {
  const gc = collector();
  const world = { ...WORLD, customers: ONLINE_CUSTOMERS };
  log(`online store: ${ONLINE_CUSTOMERS} customers`);
  const before = settledHeap(gc);
  const store = new OnlineFeatureStore(UNDERWRITING_VIEW);
  let ndjsonBytes = 0;
  for (const c of lendingCustomers(world)) {
    for (const e of c.events) if (store.ingest(e)) ndjsonBytes += Buffer.byteLength(eventToJson(e)) + 1;
  }
  const bytes = settledHeap(gc) - before;
  const perCustomer = bytes / store.customers;
  report({
    bench: 'credit',
    metric: 'online_store_bytes_per_customer',
    value: perCustomer,
    unit: 'bytes',
    baseline: 'NDJSON bytes of the same stored events',
    baselineValue: ndjsonBytes / store.customers,
    ratio: bytes / ndjsonBytes,
    note: `${store.customers} customers, ${store.size} events kept (${(bytes / store.size).toFixed(0)} bytes per event); heap after full GCs; ratio = heap / NDJSON`,
  });
}

/** Runs `fn` on a data directory, then removes the directory. */
async function using(dir: Promise<string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const d = await dir;
  try {
    await fn(d);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

/** Runs the credit group: ingest of the 5M-event world, offline features over it, then CSV, Parquet, online memory and one decision. */
export async function benchCredit(): Promise<void> {
  const world = await cachedWorld();
  const subsets = await cachedSubsets(world);
  const ndjsonSource = `read_json(${sqlPath(world.eventsPath)}, format = 'newline_delimited', columns = ${jsonColumns()})`;
  await using(benchIngest('ndjson', world.eventsPath, ndjsonSource), async (store) => {
    const db = await openEventStore(store);
    const events = Number((await db.one<{ n: number }>('SELECT count(*)::BIGINT AS n FROM credit_events'))!.n);
    db.close();
    await benchOffline(store, events);
  });
  await using(benchIngest('csv', subsets.csv, `read_csv(${sqlPath(subsets.csv)}, header = true)`), async () => {});
  await using(benchIngest('parquet', subsets.parquet, `read_parquet(${sqlPath(subsets.parquet)})`), async () => {});
  benchOnlineMemory();
  await benchCreditDecision();
}
