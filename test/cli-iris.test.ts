/**
 * The `irisk` command in-process: exit codes (0 ok, 2 usage, 3 rejected input), typed errors for
 * every kind of bad image, and the encode -> compare path on synthetic captures.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../src/lib/image.js';
import { Rng } from '../src/lib/rng.js';
import { cli } from './cli-harness.js';
import { renderCapture } from '../src/synth/iris/index.js';

let dir: string;


const world = { subjects: 2, captures: 2, seed: 99 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-cli-'));
  for (const [name, s, eye, c] of [['a1', 1, 'L', 1], ['a2', 1, 'L', 2], ['b1', 2, 'R', 1]] as const) {
    await writeFile(join(dir, `${name}.png`), await encodePng(renderCapture(world, s, eye, c).image));
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('irisk iris encode / compare', () => {
  it('encodes an eye image into a template file and writes debug images', async () => {
    const r = await cli('iris', 'encode', join(dir, 'a1.png'), '--out', join(dir, 'a1.json'), '--debug-dir', join(dir, 'debug'), '--json', '--no-pad');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.quality.visibleFraction).toBeGreaterThan(0.3);
    const template = JSON.parse(await readFile(join(dir, 'a1.json'), 'utf8'));
    expect(Object.keys(template).sort()).toEqual(['iris_code_version', 'iris_codes', 'mask_codes', 'shape']);
    for (const f of ['segmentation.png', 'normalized.png', 'code.png']) expect(existsSync(join(dir, 'debug', f))).toBe(true);
  });

  it('matches two captures of one eye (template against image) and not two different eyes', async () => {
    const same = await cli('iris', 'compare', join(dir, 'a1.json'), join(dir, 'a2.png'), '--json');
    expect(same.code).toBe(0);
    const s = JSON.parse(same.stdout);
    expect(s.match).toBe(true);
    expect(s.overlapBits).toBeGreaterThan(4000);
    const other = JSON.parse((await cli('iris', 'compare', join(dir, 'a1.png'), join(dir, 'b1.png'), '--json')).stdout);
    expect(other.match).toBe(false);
    expect(other.distance).toBeGreaterThan(0.4);
  });

  it('refuses to skip the PAD check silently: without a promoted PAD model it says how to get one', async () => {
    const r = await cli('iris', 'encode', join(dir, 'a1.png'), '--json', '--data-dir', join(dir, 'empty-data'));
    expect(r.code).toBe(3);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('MODEL_ALIAS_NOT_FOUND');
    expect(err.message).toMatch(/irisk pad train .*--no-pad/);
  });

  it('prints the default config, which parses back', async () => {
    const r = await cli('iris', 'config');
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg.stages.map((s: { stage: string }) => s.stage)).toEqual(['specular', 'pupil', 'limbus', 'normalize', 'occlusion', 'encode', 'quality']);
  });
});

describe('usage errors exit 2', () => {
  it('missing argument', async () => expect((await cli('iris', 'compare', 'x.png')).code).toBe(2));
  it('unknown option', async () => expect((await cli('iris', 'encode', 'x.png', '--bogus')).code).toBe(2));
  it('bad threshold', async () => expect((await cli('iris', 'compare', 'a', 'b', '--threshold', 'high')).code).toBe(2));
  it('bad size', async () => expect((await cli('synth', 'iris', '--out', join(dir, 'w'), '--size', 'big')).code).toBe(2));
  it('help exits 0', async () => expect((await cli('iris', 'encode', '--help')).code).toBe(0));
  it('no subcommand', async () => expect((await cli('iris')).code).toBe(2));
  it('a template given to encode', async () => {
    await cli('iris', 'encode', join(dir, 'a2.png'), '--out', join(dir, 'a2.json'), '--no-pad');
    const r = await cli('iris', 'encode', join(dir, 'a2.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already a template/);
  });
});

describe('bad input exits 3 with a typed error', () => {
  const cases: [string, () => Promise<Buffer>, string][] = [
    ['not an image', async () => Buffer.from('hello, I am text'), 'IMAGE_UNREADABLE'],
    ['an empty file', async () => Buffer.alloc(0), 'IMAGE_EMPTY'],
    ['a truncated image', async () => (await readFile(join(dir, 'a1.png'))).subarray(0, 3000), 'IMAGE_UNREADABLE'],
    ['a 1x1 image', () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#777' } }).png().toBuffer(), 'IMAGE_TOO_SMALL'],
    ['a 16-bit image', () => sharp({ create: { width: 320, height: 280, channels: 3, background: '#777' } }).toColourspace('grey16').png().toBuffer(), 'IMAGE_BIT_DEPTH'],
    ['an RGB image', () => sharp({ create: { width: 320, height: 280, channels: 3, background: { r: 220, g: 90, b: 60 } } }).png().toBuffer(), 'IMAGE_NOT_GRAYSCALE'],
    ['an image with no eye (noise)', () => noiseImage(640, 480), ''],
    ['an image with no eye (flat)', () => sharp({ create: { width: 640, height: 480, channels: 3, background: '#a0a0a0' } }).png().toBuffer(), ''],
    ['a closed eye', () => closedEye(), ''],
  ];
  for (const [name, make, code] of cases) {
    it(name, async () => {
      const path = join(dir, `bad-${name.replace(/\W+/g, '-')}.png`);
      await writeFile(path, await make());
      const r = await cli('iris', 'encode', path, '--json');
      expect(r.code).toBe(3);
      const err = JSON.parse(r.stdout).error;
      if (code) expect(err.code).toBe(code);
      else expect(err.code).toMatch(/^(IRIS_|IMAGE_)/);
      expect(err.message.length).toBeGreaterThan(15);
    });
  }

  it('a missing file', async () => {
    const r = await cli('iris', 'encode', join(dir, 'nope.png'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/FILE_NOT_FOUND/);
  });

  it('a config with fractional rotations', async () => {
    await writeFile(join(dir, 'bad-config.json'), JSON.stringify({ stages: ['pupil', 'limbus', 'normalize', 'occlusion', 'encode'].map((stage) => ({ stage })), match: { rotations: 2.5 } }));
    const r = await cli('iris', 'compare', join(dir, 'a1.png'), join(dir, 'a2.png'), '--config', join(dir, 'bad-config.json'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CONFIG_INVALID.*match.rotations/);
  });

  it('a malformed template', async () => {
    await writeFile(join(dir, 'bad.json'), '{"iris_codes": 5}');
    const r = await cli('iris', 'compare', join(dir, 'bad.json'), join(dir, 'a1.png'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TEMPLATE_INVALID/);
  });
});

function noiseImage(w: number, h: number): Promise<Buffer> {
  const rng = new Rng(5);
  const data = Buffer.alloc(w * h);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  return sharp(data, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}

/** Skin with a closed lid: a bright field and a thin dark curved lash line, no pupil or iris. */
function closedEye(): Promise<Buffer> {
  const w = 640;
  const h = 480;
  const data = Buffer.alloc(w * h);
  const rng = new Rng(6);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const lid = 240 + 0.0006 * (x - 320) ** 2;
      const d = Math.abs(y - lid);
      data[y * w + x] = Math.max(0, Math.min(255, 185 + rng.normal(0, 4) - (d < 3 ? 120 : d < 8 ? 40 : 0)));
    }
  }
  return sharp(data, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}
