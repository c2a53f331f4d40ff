/**
 * A data directory for service tests: a small synthetic lending world, its events ingested, and a
 * credit model trained and promoted, through the real CLI.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli } from './cli-harness.js';

/** Builds `<dir>/data` (world files in `<dir>/world`) and returns the data directory. */
export async function creditDataDir(dir: string, customers = 1500, seed = 4): Promise<string> {
  const data = join(dir, 'data');
  expect((await cli('synth', 'credit', '--customers', String(customers), '--months', '24', '--seed', String(seed), '--out', join(dir, 'world'))).code).toBe(0);
  expect((await cli('credit', 'ingest', join(dir, 'world', 'events.ndjson'), '--data-dir', data)).code).toBe(0);
  const train = await cli('credit', 'train', '--report', join(dir, 'report'), '--data-dir', data, '--promote');
  expect(train.code, train.stderr).toBe(0);
  return data;
}
