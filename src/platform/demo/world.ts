/**
 * The demo world behind `npm start` (`irisk demo`): built once into an empty data directory, then
 * served. It runs the real CLI commands in-process (synthetic worlds, ingestion, training and
 * promotion, evaluation reports) and then drives the real service's HTTP routes with an admin key
 * (`createService` + `app.inject`), so enrolments, duplicates, attacks and credit decisions are
 * recorded and audited exactly as live traffic would be.
 *
 * Layout under the data directory: `demo/credit-world`, `demo/iris-world` (the synthetic inputs),
 * `reports/{credit,pad,iris}`, `serve.json` (host, port and the generated admin key) and
 * `demo/world.json`, the marker written last: when it exists the world is complete and is reused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { Rng } from '../../lib/rng.js';
import { main } from '../cli/main.js';
import { loadServeConfig, type ApiKey } from '../server/config.js';
import { createService, type Service } from '../server/service.js';

/** What the demo world is built from. */
export interface DemoWorldOptions {
  seed: number;
  /** Synthetic lending customers (default 2000) over `months` (default 24). */
  customers?: number;
  months?: number;
  /** Synthetic iris subjects (default 12), captures per eye (default 3). */
  subjects?: number;
  captures?: number;
  /** Credit decisions driven through the API (default 400). */
  decisions?: number;
  /** Duplicate enrolment attempts (default 3) and attack attempts (default 4). */
  duplicates?: number;
  attacks?: number;
  /** One line per step (default: nothing). */
  log?: (line: string) => void;
  /** Progress of the long loops (default silent). */
  progress?: Progress;
}

/** What was built (also the content of `demo/world.json`). */
export interface DemoWorldSummary {
  builtAt: string;
  seed: number;
  seconds: number;
  steps: { name: string; seconds: number }[];
  credit: { customers: number; months: number; decisions: number; outcomes: Record<string, number> };
  identity: { subjects: number; enrolled: number; duplicates: number; attacks: number; rejected: number; outcomes: Record<string, number> };
}

/** The demo service settings written to `<data-dir>/serve.json`. */
export interface DemoServeFile {
  host: string;
  port: number;
  apiKeys: ApiKey[];
}

export const DEMO_ADMIN_KEY_NAME = 'demo-admin';
const SHOCK_AT = '2024-07-01T00:00:00Z';

export const markerPath = (dataDir: string): string => join(dataDir, 'demo', 'world.json');
const buildingPath = (dataDir: string): string => join(dataDir, 'demo', 'building');
export const serveFilePath = (dataDir: string): string => join(dataDir, 'serve.json');

/** The completed demo world's summary, or null when none was built. */
export async function readDemoWorld(dataDir: string): Promise<DemoWorldSummary | null> {
  if (!existsSync(markerPath(dataDir))) return null;
  return JSON.parse(await readFile(markerPath(dataDir), 'utf8')) as DemoWorldSummary;
}

/** The state of the data directory: empty (build), a demo world (serve), an interrupted demo build, or other data (serve as is). */
export function dataDirState(dataDir: string): 'empty' | 'demo' | 'interrupted' | 'other' {
  if (existsSync(markerPath(dataDir))) return 'demo';
  if (existsSync(buildingPath(dataDir))) return 'interrupted';
  if (!existsSync(dataDir)) return 'empty';
  const entries = readdirSync(dataDir).filter((e) => e !== 'serve.json' && !e.startsWith('.'));
  return entries.length === 0 ? 'empty' : 'other';
}

/** Reads `<data-dir>/serve.json`, writing one with a fresh random admin key first when there is none. */
export async function ensureServeFile(dataDir: string, defaults: { host?: string; port?: number } = {}): Promise<{ path: string; file: DemoServeFile; created: boolean }> {
  const path = serveFilePath(dataDir);
  if (existsSync(path)) return { path, file: JSON.parse(await readFile(path, 'utf8')) as DemoServeFile, created: false };
  const file: DemoServeFile = {
    host: defaults.host ?? '127.0.0.1',
    port: defaults.port ?? 8080,
    apiKeys: [{ name: DEMO_ADMIN_KEY_NAME, key: `irisk_${randomBytes(24).toString('base64url')}`, roles: ['admin'] }],
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return { path, file, created: true };
}

/** The admin key of a serve file (the demo's own, else the first admin key). */
export function adminKeyOf(file: DemoServeFile): ApiKey | undefined {
  return file.apiKeys.find((k) => k.name === DEMO_ADMIN_KEY_NAME) ?? file.apiKeys.find((k) => k.roles.includes('admin'));
}

/** Runs one `irisk` command in-process; throws when it fails. */
async function irisk(args: string[]): Promise<void> {
  process.exitCode = undefined;
  const code = await main(['node', 'irisk', ...args]);
  process.exitCode = undefined;
  if (code !== 0) throw new IriskError('INTERNAL', `the demo build step \`irisk ${args.join(' ')}\` failed (exit code ${code})`);
}

/** Builds the demo world into `dataDir` (which must hold no world yet); writes the marker last. */
export async function buildDemoWorld(dataDir: string, opts: DemoWorldOptions): Promise<DemoWorldSummary> {
  const o = { customers: 2000, months: 24, subjects: 12, captures: 3, decisions: 400, duplicates: 3, attacks: 4, ...opts };
  const log = opts.log ?? ((): void => {});
  const progress = opts.progress ?? silentProgress;
  const seed = String(o.seed);
  const demo = join(dataDir, 'demo');
  const creditWorld = join(demo, 'credit-world');
  const irisWorld = join(demo, 'iris-world');
  const reports = join(dataDir, 'reports');
  await mkdir(demo, { recursive: true });
  await writeFile(buildingPath(dataDir), new Date().toISOString() + '\n');
  const started = Date.now();
  const steps: DemoWorldSummary['steps'] = [];
  const TOTAL = 9;
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    log(`[${steps.length + 1}/${TOTAL}] ${name}`);
    const t0 = Date.now();
    const r = await f();
    steps.push({ name, seconds: (Date.now() - t0) / 1000 });
    return r;
  };
  const dd = ['--data-dir', dataDir];

  await step(`synthetic lending world (${o.customers} customers, ${o.months} months, a macro shock from ${SHOCK_AT.slice(0, 10)})`, () =>
    irisk(['synth', 'credit', '--customers', String(o.customers), '--months', String(o.months), '--seed', seed, '--shock-at', SHOCK_AT, '--out', creditWorld]),
  );
  await step('ingesting its events', () => irisk(['credit', 'ingest', join(creditWorld, 'events.ndjson'), ...dd]));
  await step('training and promoting the credit model', () => irisk(['credit', 'train', '--report', join(reports, 'credit'), '--promote', '--seed', seed, ...dd]));
  await step(`synthetic iris world (${o.subjects} subjects x 2 eyes x ${o.captures} captures, print/screen/lens/prosthetic attacks)`, () =>
    irisk(['synth', 'iris', '--subjects', String(o.subjects), '--captures', String(o.captures), '--size', '320x280', '--attacks', 'print,screen,lens,prosthetic', '--attacks-per-eye', '1', '--seed', seed, '--out', irisWorld]),
  );
  await step('training and promoting the PAD detector', () => irisk(['pad', 'train', irisWorld, '--promote', '--seed', seed, ...dd]));
  await step('evaluating PAD (cross-validated, per species)', () => irisk(['pad', 'eval', irisWorld, '--report', join(reports, 'pad'), '--seed', seed, ...dd]));
  await step('evaluating iris recognition', () => irisk(['iris', 'eval', irisWorld, '--report', join(reports, 'iris'), '--bootstrap', '300', '--seed', seed]));

  // Live traffic through the real routes, with the generated admin key.
  const { path: servePath, file } = await ensureServeFile(dataDir);
  const key = adminKeyOf(file);
  if (!key) throw new IriskError('CONFIG_INVALID', `${servePath} has no admin key for the demo traffic`);
  const service = await createService(await loadServeConfig(dataDir, servePath));
  let identity: Omit<DemoWorldSummary['identity'], 'subjects'>;
  let credit: Omit<DemoWorldSummary['credit'], 'customers' | 'months'>;
  try {
    if (service.unavailable.length > 0) throw new IriskError('INTERNAL', `the demo service cannot serve: ${service.unavailable.join('; ')}`);
    identity = await step('enrolling the persons, with duplicate and attack attempts', () => enrolTraffic(service, key.key, irisWorld, o, progress));
    credit = await step(`${o.decisions} credit decisions`, () => creditTraffic(service, key.key, creditWorld, o, progress));
  } finally {
    await service.close();
  }
  const summary: DemoWorldSummary = {
    builtAt: new Date().toISOString(),
    seed: o.seed,
    seconds: (Date.now() - started) / 1000,
    steps,
    credit: { customers: o.customers, months: o.months, ...credit },
    identity: { subjects: o.subjects, ...identity },
  };
  await writeFile(markerPath(dataDir), JSON.stringify(summary, null, 2) + '\n');
  await rm(buildingPath(dataDir), { force: true });
  return summary;
}

interface ManifestRow {
  path: string;
  subject: string;
  eye: string;
  capture: string;
  species: string;
}

async function readManifest(world: string): Promise<ManifestRow[]> {
  const [header, ...lines] = (await readFile(join(world, 'manifest.csv'), 'utf8')).trim().split('\n');
  const cols = header!.split(',');
  const at = (name: string): number => cols.indexOf(name);
  return lines.map((l) => {
    const f = l.split(',');
    return { path: f[at('path')]!, subject: f[at('subject')]!, eye: f[at('eye')]!, capture: f[at('capture')]!, species: f[at('species')] ?? 'bona_fide' };
  });
}

type Post = (url: string, body: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

function poster(service: Service, key: string): Post {
  return async (url, body) => {
    const res = await service.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    return { status: res.statusCode, json: res.json() as Record<string, unknown> };
  };
}

/** Enrols every subject (first captures that pass the gates), then duplicate attempts (another capture, another id) and attack attempts. */
async function enrolTraffic(service: Service, key: string, world: string, o: Required<Omit<DemoWorldOptions, 'log' | 'progress'>>, progress: Progress): Promise<Omit<DemoWorldSummary['identity'], 'subjects'>> {
  const post = poster(service, key);
  const rows = await readManifest(world);
  const image = async (p: string): Promise<{ image: string }> => ({ image: (await readFile(join(world, p))).toString('base64') });
  const live = rows.filter((r) => r.species === 'bona_fide');
  const liveOf = (subject: string, eye: string): ManifestRow[] => live.filter((r) => r.subject === subject && r.eye === eye).sort((a, b) => Number(a.capture) - Number(b.capture));
  const subjects = [...new Set(live.map((r) => r.subject))];
  const outcomes: Record<string, number> = {};
  const count = (k: string): void => void (outcomes[k] = (outcomes[k] ?? 0) + 1);
  const codeOf = (j: Record<string, unknown>): string => String(j.code ?? j.title ?? 'error');
  const enrolledCapture = new Map<string, number>();
  progress.start(subjects.length + o.duplicates + o.attacks, 'enrolment traffic');
  for (const s of subjects) {
    const [ls, rs] = [liveOf(s, 'L'), liveOf(s, 'R')];
    for (let c = 0; c < Math.min(ls.length, rs.length); c++) {
      const r = await post('/v1/identity/enroll', { personId: `person-${s.padStart(4, '0')}`, left: await image(ls[c]!.path), right: await image(rs[c]!.path) });
      if (r.status === 200) {
        count('enrolled');
        enrolledCapture.set(s, c);
        break;
      }
      count(`rejected:${codeOf(r.json)}`);
    }
    progress.tick();
  }
  // Duplicates: the same eyes, another capture, another id.
  const enrolled = [...enrolledCapture.keys()];
  for (let i = 0; i < o.duplicates && i < enrolled.length; i++) {
    const s = enrolled[(i * 5) % enrolled.length]!;
    const c = (enrolledCapture.get(s)! + 1) % Math.min(liveOf(s, 'L').length, liveOf(s, 'R').length);
    const r = await post('/v1/identity/enroll', { personId: `applicant-dup-${i + 1}`, left: await image(liveOf(s, 'L')[c]!.path), right: await image(liveOf(s, 'R')[c]!.path) });
    count(r.status === 409 ? 'duplicate' : r.status === 200 ? 'enrolled' : `rejected:${codeOf(r.json)}`);
    progress.tick();
  }
  // Attacks: one presentation of each species in turn as the left eye, a live right eye.
  const species = [...new Set(rows.map((r) => r.species).filter((x) => x !== 'bona_fide'))].sort();
  for (let i = 0; i < o.attacks && species.length > 0; i++) {
    const kind = species[i % species.length]!;
    const candidates = rows.filter((r) => r.species === kind);
    const attack = candidates[(i * 7) % candidates.length]!;
    const right = liveOf(subjects[(i * 3 + 1) % subjects.length]!, 'R')[0]!;
    const r = await post('/v1/identity/enroll', { personId: `applicant-attack-${i + 1}`, left: await image(attack.path), right: await image(right.path) });
    count(r.status === 422 && codeOf(r.json) === 'PAD_ATTACK_SUSPECTED' ? 'attack' : r.status === 200 ? 'enrolled' : r.status === 409 ? 'duplicate' : `rejected:${codeOf(r.json)}`);
    progress.tick();
  }
  progress.stop();
  const rejected = Object.entries(outcomes).filter(([k]) => k.startsWith('rejected:')).reduce((a, [, n]) => a + n, 0);
  return { enrolled: outcomes.enrolled ?? 0, duplicates: outcomes.duplicate ?? 0, attacks: outcomes.attack ?? 0, rejected, outcomes };
}

/** Credit decisions for random customers and amounts, their points in time spread over the world's second year (across the shock). */
async function creditTraffic(service: Service, key: string, world: string, o: Required<Omit<DemoWorldOptions, 'log' | 'progress'>>, progress: Progress): Promise<{ decisions: number; outcomes: Record<string, number> }> {
  const post = poster(service, key);
  const meta = JSON.parse(await readFile(join(world, 'world.json'), 'utf8')) as { options: { start: string; end: string } };
  const ids = (await readFile(join(world, 'customers.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]!);
  const end = Date.parse(meta.options.end);
  const from = Math.max(Date.parse(meta.options.start), end - 365 * 86_400_000);
  const rng = new Rng(o.seed ^ 0x5eed);
  const outcomes: Record<string, number> = {};
  progress.start(o.decisions, 'credit decisions');
  for (let i = 0; i < o.decisions; i++) {
    const asOf = new Date(from + ((end - 1 - from) * (i + rng.next())) / o.decisions).toISOString();
    const customerId = ids[Math.floor(rng.next() * ids.length)]!;
    const amount = Math.round(200 + rng.next() * 4800);
    const r = await post('/v1/credit/decisions', { customerId, amount, asOf });
    const k = r.status === 200 ? String(r.json.decision) : `error:${String(r.json.code ?? r.status)}`;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
    progress.tick();
  }
  progress.stop();
  return { decisions: o.decisions, outcomes };
}
