/**
 * `irisk monitor report` on a decision log with known drift: two months of decisions whose
 * features come from the same distributions, except `utilisation`, shifted by half a standard
 * deviation in the second month, and a score that follows it. The report flags exactly those two.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../src/credit/underwriting/decide.js';
import { openDecisionLog } from '../src/credit/underwriting/decision-log.js';
import { DEFAULT_POLICY } from '../src/credit/underwriting/policy.js';
import { Rng } from '../src/lib/rng.js';
import { cli } from './cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'irisk-monitor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(rng: Rng, asOf: number, shift: number, i: number): DecisionRecord {
  const utilisation = rng.normal(0.4 + shift, 0.1);
  const income = rng.normal(3000, 500);
  const tenure = rng.normal(24, 6);
  return {
    decisionId: `d-${asOf}-${i}`,
    customerId: `C${i}`,
    requestedAmount: 500,
    asOf,
    decision: 'approve',
    limit: 500,
    probability: 1 / (1 + Math.exp(-(-3 + 4 * utilisation + rng.normal(0, 0.3)))),
    reasons: [],
    features: [
      { name: 'utilisation', value: utilisation, newestEventTime: null },
      { name: 'income', value: income, newestEventTime: null },
      { name: 'tenure_months', value: tenure, newestEventTime: null },
    ],
    view: { name: 'test', version: 1 },
    modelVersion: 'm',
    modelAlias: null,
    policy: DEFAULT_POLICY,
    decidedAt: new Date(asOf).toISOString(),
  };
}

describe('irisk monitor report', () => {
  it('flags the shifted feature and the score, and nothing else', async () => {
    const rng = new Rng(31);
    const log = openDecisionLog(join(dir, 'data'));
    const nov = Date.UTC(2024, 10, 1);
    const dec = Date.UTC(2024, 11, 1);
    for (let i = 0; i < 3000; i++) log.append(record(rng, nov + i * 800_000, 0, i));
    for (let i = 0; i < 3000; i++) log.append(record(rng, dec + i * 800_000, 0.05, i));
    log.close();
    const r = await cli('monitor', 'report', '--from', '2024-12-01', '--to', '2025-01-01', '--reference-from', '2024-11-01', '--data-dir', join(dir, 'data'), '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout) as { alerts: { feature: string }[]; reference: { records: number }; windows: { records: number }[] };
    expect(report.reference.records).toBe(3000);
    expect(report.windows[0]!.records).toBe(3000);
    expect(report.alerts.map((a) => a.feature).sort()).toEqual(['score', 'utilisation']);
    // Logged once: the same report again logs nothing new.
    const logged = (await readFile(join(dir, 'data', 'monitoring', 'alerts.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; subject: string });
    expect(logged.map((a) => a.subject).sort()).toEqual(['score', 'utilisation']);
    expect(logged.every((a) => a.kind === 'credit.drift')).toBe(true);
    const again = await cli('monitor', 'report', '--from', '2024-12-01', '--to', '2025-01-01', '--reference-from', '2024-11-01', '--data-dir', join(dir, 'data'), '--json');
    expect(JSON.parse(again.stdout).newAlertsLogged).toBe(0);
    const human = await cli('monitor', 'report', '--from', '2024-12-01', '--to', '2025-01-01', '--window', '7d', '--data-dir', join(dir, 'data'));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/DRIFT utilisation/);
    expect((await cli('monitor', 'report', '--from', '2024-12-01', '--to', '2025-01-01', '--window', 'soon', '--data-dir', join(dir, 'data'))).code).toBe(2);
    expect((await cli('monitor', 'report', '--from', '2020-01-01', '--to', '2020-02-01', '--data-dir', join(dir, 'data'))).code).toBe(3);
  });
});
