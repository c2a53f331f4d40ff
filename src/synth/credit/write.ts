/**
 * Writes a synthetic lending world to disk, streamed: customers are simulated one at a time, their
 * events spilled to per-month files, and each month sorted and appended to `events.ndjson`, so
 * memory holds one month of events rather than the whole world.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENT_TYPES, type CreditEvent, type EventType } from '../../credit/events/schema.js';
import { prepareOutputDir } from '../../lib/output-dir.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { addMonthsUtc, DAY_MS } from '../../lib/time.js';
import { lendingCustomers, resolveLendingWorld, type CustomerTruth, type LendingWorldOptions, type LoanTruth, type ResolvedLendingWorld } from './world.js';

/** Columns of customers.csv (the per-customer truth). */
export const CUSTOMER_COLUMNS = ['customer_id', 'latent_risk', 'fraud', 'income', 'income_volatility', 'spend_ratio', 'tenure_start_month', 'bust_out_month'] as const;
/** Columns of loans.csv (the per-loan truth; times ISO 8601 UTC). */
export const LOAN_COLUMNS = ['loan_id', 'customer_id', 'originated_at', 'amount', 'installments', 'bust_out', 'defaulted60', 'default_time', 'matured'] as const;

/** Counts describing a written (or generated) world. */
export interface LendingWorldCounts {
  customers: number;
  fraudsters: number;
  events: number;
  eventsByType: Record<EventType, number>;
  loans: number;
  /** Loans whose 12-month horizon ends inside the world. */
  maturedLoans: number;
  /** Matured loans that went 60+ days past due within 12 months. */
  maturedDefaults: number;
  /** maturedDefaults / maturedLoans (0 when no loan matured). */
  defaultRate: number;
  /** All loans with a default observed inside the world (matured or not). */
  defaults: number;
  bustOutLoans: number;
}

/** What writeLendingWorld produced. */
export interface WrittenLendingWorld {
  dir: string;
  eventsPath: string;
  customersPath: string;
  loansPath: string;
  worldPath: string;
  options: ResolvedLendingWorld;
  counts: LendingWorldCounts;
}

/** One event as a JSON line: the schema's camelCase keys, times as ISO 8601 UTC strings. */
export function eventToJson(e: CreditEvent): string {
  // Hand-built for speed (millions of lines); equal to JSON.stringify of the event with ISO times.
  let out = `{"eventId":${JSON.stringify(e.eventId)},"customerId":${JSON.stringify(e.customerId)},"type":"${e.type}","eventTime":"${isoUtc(e.eventTime)}","ingestedAt":"${isoUtc(e.ingestedAt)}"`;
  for (const key in e) {
    if (BASE_KEYS.has(key)) continue;
    const v = (e as unknown as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out += `,"${key}":${typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v)}`;
  }
  return out + '}';
}

const BASE_KEYS = new Set(['eventId', 'customerId', 'type', 'eventTime', 'ingestedAt']);
const dayPrefixes = new Map<number, string>();
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `new Date(t).toISOString()`, several times faster for integer times (the date part is cached per day). */
export function isoUtc(t: number): string {
  if (!Number.isSafeInteger(t) || t < 0 || t >= 253_402_300_800_000) return new Date(t).toISOString();
  const day = Math.floor(t / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 50_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let r = t - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  const ms = r - sec * 1000;
  return `${prefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** The resolved options as JSON (times as ISO strings). */
export function lendingOptionsToJson(w: ResolvedLendingWorld): Record<string, unknown> {
  return {
    customers: w.customers,
    months: w.months,
    seed: w.seed,
    start: new Date(w.start).toISOString(),
    end: new Date(w.end).toISOString(),
    shock: w.shock ? { at: new Date(w.shock.at).toISOString(), severity: w.shock.severity } : null,
    fraudRate: w.fraudRate,
  };
}

function customerRow(c: CustomerTruth): string {
  return [c.customerId, c.latentRisk.toFixed(6), c.fraud ? 1 : 0, c.income, c.incomeVolatility.toFixed(6), c.spendRatio.toFixed(6), c.tenureStartMonth, c.bustOutMonth ?? ''].join(',');
}

function loanRow(l: LoanTruth): string {
  return [
    l.loanId,
    l.customerId,
    new Date(l.originatedAt).toISOString(),
    l.amount,
    l.installments,
    l.bustOut ? 1 : 0,
    l.defaulted60 ? 1 : 0,
    l.defaultTime === null ? '' : new Date(l.defaultTime).toISOString(),
    l.matured ? 1 : 0,
  ].join(',');
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** An empty count record. */
export function emptyCounts(): LendingWorldCounts {
  return {
    customers: 0,
    fraudsters: 0,
    events: 0,
    eventsByType: Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>,
    loans: 0,
    maturedLoans: 0,
    maturedDefaults: 0,
    defaultRate: 0,
    defaults: 0,
    bustOutLoans: 0,
  };
}

/** Adds one customer's truth, loans and events to running counts. */
export function addToCounts(counts: LendingWorldCounts, truth: CustomerTruth, loans: readonly LoanTruth[], events: readonly CreditEvent[]): void {
  counts.customers++;
  if (truth.fraud) counts.fraudsters++;
  counts.events += events.length;
  for (const e of events) counts.eventsByType[e.type]++;
  for (const l of loans) {
    counts.loans++;
    if (l.bustOut) counts.bustOutLoans++;
    if (l.defaulted60) counts.defaults++;
    if (l.matured) {
      counts.maturedLoans++;
      if (l.defaulted60) counts.maturedDefaults++;
    }
  }
  counts.defaultRate = counts.maturedLoans ? counts.maturedDefaults / counts.maturedLoans : 0;
}

/**
 * Writes `events.ndjson` (sorted by event time, then id), `customers.csv` and `loans.csv` (truth)
 * and `world.json` (options and counts) under `dir`. Throws USAGE on bad options or an unwritable dir.
 */
export async function writeLendingWorld(dir: string, options: LendingWorldOptions, progress: Progress = silentProgress): Promise<WrittenLendingWorld> {
  const w = resolveLendingWorld(options);
  await prepareOutputDir(dir, '--out');
  const spillDir = join(dir, '.events-by-month.tmp');
  await rm(spillDir, { recursive: true, force: true });
  await mkdir(spillDir, { recursive: true });
  const monthStarts = Array.from({ length: w.months + 1 }, (_, m) => addMonthsUtc(w.start, m));
  const spillPath = (m: number): string => join(spillDir, `m${String(m).padStart(4, '0')}.tsv`);
  // One spill stream per month, opened on first use; each customer's lines for a month go in one write.
  const spills: (WriteStream | undefined)[] = new Array(w.months);
  const spill = async (m: number, text: string): Promise<void> => {
    let s = spills[m];
    if (!s) spills[m] = s = createWriteStream(spillPath(m));
    await write(s, text);
  };

  const paths = {
    eventsPath: join(dir, 'events.ndjson'),
    customersPath: join(dir, 'customers.csv'),
    loansPath: join(dir, 'loans.csv'),
    worldPath: join(dir, 'world.json'),
  };
  const customersOut = createWriteStream(paths.customersPath);
  const loansOut = createWriteStream(paths.loansPath);
  const counts = emptyCounts();
  try {
    await write(customersOut, CUSTOMER_COLUMNS.join(',') + '\n');
    await write(loansOut, LOAN_COLUMNS.join(',') + '\n');
    progress.start(w.customers + w.months, 'synthetic credit');
    for (const c of lendingCustomers(w)) {
      await write(customersOut, customerRow(c.truth) + '\n');
      if (c.loans.length) await write(loansOut, c.loans.map((l) => loanRow(l) + '\n').join(''));
      addToCounts(counts, c.truth, c.loans, c.events);
      // A customer's events are sorted, so the month index only moves forward within a customer.
      let month = 0;
      let chunk = '';
      for (const e of c.events) {
        let m = month;
        while (m < w.months - 1 && e.eventTime >= monthStarts[m + 1]!) m++;
        if (m !== month && chunk) {
          await spill(month, chunk);
          chunk = '';
        }
        month = m;
        chunk += `${String(e.eventTime).padStart(15, '0')}${e.eventId}\t${eventToJson(e)}\n`;
      }
      if (chunk) await spill(month, chunk);
      progress.tick();
    }
    for (const s of spills) if (s) await close(s);
    await close(customersOut);
    await close(loansOut);

    const eventsOut = createWriteStream(paths.eventsPath);
    try {
      for (let m = 0; m < w.months; m++) {
        let text: string;
        try {
          text = await readFile(spillPath(m), 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
            progress.tick();
            continue;
          }
          throw e;
        }
        const lines = text.split('\n');
        lines.pop();
        lines.sort();
        const out: string[] = [];
        for (const line of lines) out.push(line.slice(line.indexOf('\t') + 1), '\n');
        await write(eventsOut, out.join(''));
        progress.tick();
      }
    } finally {
      await close(eventsOut);
    }
  } finally {
    progress.stop();
    customersOut.destroy();
    loansOut.destroy();
    for (const s of spills) s?.destroy();
    await rm(spillDir, { recursive: true, force: true });
  }
  const options_ = lendingOptionsToJson(w);
  await writeFile(paths.worldPath, JSON.stringify({ options: options_, counts }, null, 2) + '\n');
  return { dir, ...paths, options: w, counts };
}
