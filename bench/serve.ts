/**
 * `npm run bench -- serve`: `irisk serve` in a child process on loopback, load from this process
 * (keep-alive connections, a fixed number in flight): `POST /v1/credit/decisions` throughput and
 * latency (budget >= 1,000 requests/s with p99 <= 20 ms on 2 cores), against `GET /healthz` in the
 * same run as the baseline (what the HTTP stack alone costs); and enrolment throughput and p99
 * against a gallery of 100,000 templates. The data directory is a small synthetic lending world
 * with a trained champion model and a synthetic gallery.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGalleryStore } from '../src/identity/gallery/store.js';
import { serializeTemplate } from '../src/identity/iris/template.js';
import { buildSyntheticGallery } from '../src/synth/templates/gallery.js';
import { syntheticTemplate } from '../src/synth/templates/index.js';
import { percentile, report } from './report.js';

const BIN = fileURLToPath(new URL('../src/platform/cli/bin.js', import.meta.url));
const KEY = 'bench-decide-key-0123456789';
const PORT = 18_080 + (process.pid % 1000);
const SECONDS = 10;
const IN_FLIGHT = 16;
const CUSTOMERS = 3_000;
const GALLERY_TEMPLATES = 100_000;
const GALLERY_SEED = 2027;

/** Runs the service benchmarks. */
export async function benchServe(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'irisk-bench-serve-'));
  let server: ChildProcess | null = null;
  try {
    const data = join(dir, 'data');
    const irisk = (...args: string[]): void => void execFileSync(process.execPath, [BIN, ...args], { stdio: 'ignore' });
    irisk('synth', 'credit', '--customers', String(CUSTOMERS), '--months', '24', '--seed', '11', '--out', join(dir, 'world'));
    irisk('credit', 'ingest', join(dir, 'world', 'events.ndjson'), '--data-dir', data);
    irisk('credit', 'train', '--report', join(dir, 'report'), '--data-dir', data, '--promote');
    await enrolledGallery(data);
    server = spawn(process.execPath, [BIN, 'serve', '--data-dir', data, '--port', String(PORT)], { env: { ...process.env, IRISK_API_KEYS: `${KEY}:decide+enroll` }, stdio: 'ignore' });
    await waitForHealth();
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const health = await load(agent, () => ({ method: 'GET', path: '/healthz', body: null }), 3);
    let n = 0;
    const decisions = await load(agent, () => {
      const customer = `C${String(1 + (n++ % CUSTOMERS)).padStart(7, '0')}`;
      return { method: 'POST', path: '/v1/credit/decisions', body: JSON.stringify({ customerId: customer, amount: 500 + (n % 7) * 250 }) };
    }, SECONDS);
    let k = 0;
    const enrolments = await load(agent, () => {
      const i = GALLERY_TEMPLATES + 2 * k++;
      const eye = (j: number): unknown => ({ template: serializeTemplate(syntheticTemplate(j, { seed: GALLERY_SEED })) });
      return { method: 'POST', path: '/v1/identity/enroll', body: JSON.stringify({ personId: `new-${i}`, left: eye(i), right: eye(i + 1) }) };
    }, SECONDS, 2);
    agent.destroy();
    report({
      bench: 'serve',
      metric: 'enrolments_per_second_100k',
      value: enrolments.rate,
      unit: '1/s',
      note: `POST /v1/identity/enroll (template JSON, both eyes) against a gallery of ${GALLERY_TEMPLATES} templates: exhaustive duplicate search on every core (AND rule, mirror check), durable commit, audit; 2 in flight, ${SECONDS} s; p50 ${percentile(enrolments.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(enrolments.latencies, 0.99).toFixed(1)} ms; ${enrolments.errors} errors`,
    });
    if (decisions.errors > 0) process.stderr.write(`bench serve: ${decisions.errors} decision requests failed\n`);
    const p99 = percentile(decisions.latencies, 0.99);
    report({
      bench: 'serve',
      metric: 'credit_decisions_per_second',
      value: decisions.rate,
      unit: '1/s',
      budget: 1000,
      withinBudget: decisions.rate >= 1000 && p99 <= 20,
      baseline: 'GET /healthz, same server, same load (the HTTP stack alone)',
      baselineValue: health.rate,
      ratio: decisions.rate / health.rate,
      note: `POST /v1/credit/decisions, ${IN_FLIGHT} in flight on keep-alive connections from a second process, ${SECONDS} s; p50 ${percentile(decisions.latencies, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (budget 20 ms); ${decisions.errors} errors; each decision recorded in the decision log and audited`,
    });
    report({ bench: 'serve', metric: 'credit_decision_p99_ms', value: p99, unit: 'ms', budget: 20, withinBudget: p99 <= 20, note: `p50 ${percentile(decisions.latencies, 0.5).toFixed(2)} ms over ${decisions.latencies.length} requests` });
  } finally {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForHealth(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('irisk serve did not answer /healthz within 30 s');
}

/** A gallery of GALLERY_TEMPLATES synthetic templates (persons of consecutive slots) written into the data directory. */
async function enrolledGallery(data: string): Promise<void> {
  const layout = await buildSyntheticGallery({ count: GALLERY_TEMPLATES, seed: GALLERY_SEED, distinct: GALLERY_TEMPLATES / 4 });
  const { store } = await openGalleryStore(join(data, 'gallery'), layout.shape);
  try {
    const words = layout.words;
    const cells = (slot: number): Uint16Array => words.subarray(slot * layout.stride, (slot + 1) * layout.stride);
    for (let first = 0; first < GALLERY_TEMPLATES / 2; first += 5000) {
      const persons = Array.from({ length: Math.min(5000, GALLERY_TEMPLATES / 2 - first) }, (_, j) => ({ personId: `p${first + j}`, left: cells(2 * (first + j)), right: cells(2 * (first + j) + 1) }));
      await store.commitMany(2 * first, persons);
    }
  } finally {
    store.close();
  }
}

/** Keeps `inFlight` requests going for `seconds`; returns the rate, each latency (ms) and the failures. */
async function load(agent: Agent, next: () => { method: string; path: string; body: string | null }, seconds: number, inFlight = IN_FLIGHT): Promise<{ rate: number; latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const { method, path, body } = next();
      const t0 = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const req = request({ host: '127.0.0.1', port: PORT, method, path, agent, headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
        req.end(body ?? undefined);
      });
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { rate: latencies.length / ((performance.now() - t0) / 1000), latencies, errors };
}
