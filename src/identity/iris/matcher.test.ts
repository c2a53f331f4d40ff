import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { matchPacked, matchReference, normaliseDistance, packTemplate, type MatchParams } from './matcher.js';
import { TEMPLATE_VERSION, type IrisTemplate } from './template.js';
import { matchPackedWasm, WasmProbe } from './wasm-matcher.js';

function randomTemplate(rng: Rng, maskRate = 0.8, rows = 16, cols = 256): IrisTemplate {
  const n = rows * cols * 4;
  const code = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    code[i] = rng.chance(0.5) ? 1 : 0;
    mask[i] = rng.chance(maskRate) ? 1 : 0;
  }
  return { rows, cols, filters: 2, code, mask, version: TEMPLATE_VERSION };
}

function filled(bit: number, maskBit: number): IrisTemplate {
  const n = 16 * 256 * 4;
  return { rows: 16, cols: 256, filters: 2, code: new Uint8Array(n).fill(bit), mask: new Uint8Array(n).fill(maskBit), version: TEMPLATE_VERSION };
}

/** Rolls a template's columns by `shift` (numpy roll convention). */
function roll(t: IrisTemplate, shift: number): IrisTemplate {
  const code = new Uint8Array(t.code.length);
  const mask = new Uint8Array(t.mask.length);
  for (let r = 0; r < t.rows; r++)
    for (let c = 0; c < t.cols; c++)
      for (let k = 0; k < 4; k++) {
        const dst = (r * t.cols + ((c + shift + t.cols) % t.cols)) * 4 + k;
        const src = (r * t.cols + c) * 4 + k;
        code[dst] = t.code[src]!;
        mask[dst] = t.mask[src]!;
      }
  return { ...t, code, mask };
}

const kernels = {
  packed: (a: IrisTemplate, b: IrisTemplate, p?: MatchParams) => matchPacked(packTemplate(a), packTemplate(b), p),
  wasm: (a: IrisTemplate, b: IrisTemplate, p?: MatchParams) => matchPackedWasm(packTemplate(a), packTemplate(b), p),
};

describe('matcher kernels', () => {
  const rng = new Rng(7);
  for (const [name, kernel] of Object.entries(kernels)) {
    it(`${name} equals the reference on random templates`, () => {
      for (let i = 0; i < 6; i++) {
        const a = randomTemplate(rng, 0.5 + 0.08 * i);
        const b = randomTemplate(rng, 0.9 - 0.08 * i);
        expect(kernel(a, b)).toEqual(matchReference(a, b));
      }
    });

    it(`${name} equals the reference on adversarial templates`, () => {
      const cases: [IrisTemplate, IrisTemplate][] = [
        [filled(0, 0), filled(1, 1)],
        [filled(1, 1), filled(1, 1)],
        [filled(0, 1), filled(1, 1)],
        [filled(1, 1), filled(0, 0)],
        [filled(0, 1), filled(0, 1)],
      ];
      for (const [a, b] of cases) expect(kernel(a, b)).toEqual(matchReference(a, b));
    });

    it(`${name} finds every rotation of a rolled template`, () => {
      const a = randomTemplate(rng, 0.9);
      for (let s = -15; s <= 15; s++) {
        const r = kernel(roll(a, s), a);
        expect(r.distance).toBe(0);
        expect(r.rotation).toBe(s === 0 ? 0 : -s);
        expect(r).toEqual(matchReference(roll(a, s), a));
      }
    });

    it(`${name} applies normalisation exactly like the reference`, () => {
      const a = randomTemplate(rng, 0.3);
      const b = randomTemplate(rng, 0.4);
      for (const p of [
        { rotations: 8, normalisation: { kind: 'daugman', typicalBits: 5000 }, minOverlapBits: 1 },
        { rotations: 15, normalisation: { kind: 'linear', mean: 0.45, gradient: 0.00005 }, minOverlapBits: 1 },
      ] as MatchParams[]) {
        expect(kernel(a, b, p)).toEqual(matchReference(a, b, p));
      }
    });
  }

  it('an empty mask gives distance 1 with no overlap', () => {
    const r = matchReference(filled(1, 0), randomTemplate(rng));
    expect(r).toEqual({ distance: 1, rawDistance: 1, rotation: 0, overlapBits: 0 });
  });

  it('independent random codes sit near 0.5 and identical codes at 0', () => {
    const a = randomTemplate(rng, 1);
    const b = randomTemplate(rng, 1);
    const d = matchReference(a, b).distance;
    expect(d).toBeGreaterThan(0.45);
    expect(d).toBeLessThan(0.5);
    expect(matchReference(a, a).distance).toBe(0);
  });

  for (const [rows, cols] of [[16, 200], [16, 24], [8, 36], [4, 20], [16, 30]] as const) {
    it(`every kernel equals the reference for ${rows}x${cols} templates`, () => {
      for (let i = 0; i < 3; i++) {
        const a = randomTemplate(rng, 0.7, rows, cols);
        const b = randomTemplate(rng, 0.8, rows, cols);
        const ref = matchReference(a, b);
        for (const kernel of Object.values(kernels)) expect(kernel(a, b)).toEqual(ref);
      }
    });
  }

  it('two loaded probes interleaved each keep their own results', () => {
    const pa = packTemplate(randomTemplate(rng));
    const pb = packTemplate(randomTemplate(rng));
    const g = packTemplate(randomTemplate(rng));
    const first = new WasmProbe(pa);
    const second = new WasmProbe(pb);
    expect(first.compare(g)).toEqual(matchPacked(pa, g));
    expect(second.compare(g)).toEqual(matchPacked(pb, g));
    matchPackedWasm(pb, pa);
    expect(first.compare(g)).toEqual(matchPacked(pa, g));
  });

  it('a loaded probe compares against many galleries like one-off calls', () => {
    const probe = packTemplate(randomTemplate(rng));
    const loaded = new WasmProbe(probe);
    for (let i = 0; i < 5; i++) {
      const g = packTemplate(randomTemplate(rng));
      expect(loaded.compare(g)).toEqual(matchPacked(probe, g));
    }
  });

  it('normalisation formulas match their published forms', () => {
    expect(normaliseDistance(0.3, 911, { kind: 'daugman', typicalBits: 911 })).toBeCloseTo(0.3, 12);
    expect(normaliseDistance(0.3, 3644, { kind: 'daugman', typicalBits: 911 })).toBeCloseTo(0.1, 12);
    expect(normaliseDistance(0.3, 10000, { kind: 'linear', mean: 0.45, gradient: 0.00005 })).toBeCloseTo(0.45 - 0.15 * 1.0, 12);
  });

  it('rejects templates of different shapes', () => {
    expect(() => matchReference(randomTemplate(rng), randomTemplate(rng, 0.8, 16, 200))).toThrowError(/different shapes/);
  });
});
