/** `irisk synth templates`: writes the file it reports, and refuses bad options with exit 2. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-cli-templates-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('irisk synth templates', () => {
  it('writes count templates and their genuine variants', async () => {
    const out = join(dir, 'g.ndjson');
    const r = await cli('synth', 'templates', '--out', out, '--count', '5', '--genuine', '1', '--seed', '4', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ templates: 5, genuineVariants: 1 * 5 });
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(10);
  });

  it('usage errors exit 2', async () => {
    expect((await cli('synth', 'templates', '--out', join(dir, 'x'))).code).toBe(2);
    expect((await cli('synth', 'templates', '--out', join(dir, 'x'), '--count', 'many')).code).toBe(2);
    expect((await cli('synth', 'templates', '--out', join(dir, 'x'), '--count', '3', '--flip-rate', '0.9')).code).toBe(2);
  });
});
