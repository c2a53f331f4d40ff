import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

let dir: string;
let out: string;
let err: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-credit-cli-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.exitCode = undefined;
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

const good = (i: number): string =>
  JSON.stringify({ eventId: `e${i}`, customerId: 'c1', type: 'purchase', eventTime: '2024-03-01T12:00:00Z', amount: 10 + i, merchantCategory: 'grocery', channel: 'app' });

describe('irisk credit ingest', () => {
  it('exits 0 with rejected rows, reports them, and inserts nothing the second time', async () => {
    const file = join(dir, 'ev.ndjson');
    await writeFile(file, [good(1), '{"eventId":"e2","type":"purchase"}', good(3)].join('\n'));
    const args = ['node', 'irisk', 'credit', 'ingest', file, '--data-dir', join(dir, 'data')];
    expect(await main(args)).toBe(0);
    expect(out).toMatch(/ev\.ndjson\s+ndjson\s+3\s+2\s+0\s+1/);
    expect(out).toContain('line 2: missing field customerId for type purchase');
    expect(out).toContain('rejected rows were skipped');
    out = '';
    expect(await main([...args, '--json'])).toBe(0);
    const report = JSON.parse(out) as { totals: Record<string, number>; files: { rejected: unknown[] }[] };
    expect(report.totals).toEqual({ files: 1, rows: 3, inserted: 0, duplicates: 2, rejected: 1 });
    expect(report.files[0]!.rejected).toEqual([{ line: 2, reason: 'missing field customerId for type purchase' }]);
  });

  it('exits 3 for an unknown format or a missing file', async () => {
    await writeFile(join(dir, 'ev.xml'), '<events/>');
    expect(await main(['node', 'irisk', 'credit', 'ingest', join(dir, 'ev.xml'), '--data-dir', join(dir, 'data')])).toBe(3);
    expect(err).toContain('error EVENT_FILE_FORMAT');
    process.exitCode = undefined;
    out = '';
    expect(await main(['node', 'irisk', 'credit', 'ingest', join(dir, 'nope.csv'), '--data-dir', join(dir, 'data'), '--json'])).toBe(3);
    expect(JSON.parse(out).error.code).toBe('EVENT_FILE_UNREADABLE');
  });
});
