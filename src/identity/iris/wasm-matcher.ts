/**
 * The WebAssembly matching kernel (scalar i64 popcount), loaded synchronously from the embedded
 * binary. It returns exactly what the TypeScript matchers return; tests hold it to that.
 */
import { HAMMING_WASM_BASE64 } from './hamming-wasm.generated.js';
import {
  assertCompatible,
  DEFAULT_MATCH_PARAMS,
  matchPacked,
  NO_MATCH,
  packTemplate,
  pickBest,
  shiftOrder,
  type MatchParams,
  type MatchResult,
  type PackedTemplate,
} from './matcher.js';
import type { IrisTemplate } from './template.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  rotationCounts(probe: number, gallery: number, bands: number, words: number, rot: number, out: number): void;
}

let kernel: KernelExports | null = null;

function load(): KernelExports {
  if (!kernel) {
    const module = new WebAssembly.Module(Buffer.from(HAMMING_WASM_BASE64, 'base64'));
    kernel = new WebAssembly.Instance(module, {
      env: { abort: () => { throw new Error('wasm abort'); } },
    }).exports as unknown as KernelExports;
  }
  return kernel;
}

const BASE = 1024;

function ensureMemory(k: KernelExports, bytes: number): void {
  const need = BASE + bytes - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
}

/** Writes the probe's 4 phase copies (rolled by 0..3 cells). */
function writeProbe(view: Uint16Array, offsetWords16: number, t: PackedTemplate): void {
  const cols = t.shape.cols;
  const plane = t.bands * cols;
  for (let p = 0; p < 4; p++) {
    const base = offsetWords16 + p * 2 * plane;
    for (let band = 0; band < t.bands; band++) {
      const row = band * cols;
      for (const [src, dst] of [[t.code, base + row], [t.mask, base + plane + row]] as const) {
        // Rolled by p: out[c] = in[c - p], so the last p cells come first.
        view.set(src.subarray(row + cols - p, row + cols), dst);
        view.set(src.subarray(row, row + cols - p), dst + p);
      }
    }
  }
}

/**
 * A probe loaded into the kernel's memory once (its four phase copies), then compared with many
 * gallery templates; the one-to-many form of matchPackedWasm.
 */
export class WasmProbe {
  private readonly k = load();
  private readonly plane: number;
  private readonly galleryOff: number;
  private readonly outOff: number;

  constructor(
    private readonly probe: PackedTemplate,
    private readonly params: MatchParams = DEFAULT_MATCH_PARAMS,
  ) {
    this.plane = probe.bands * probe.shape.cols;
    const probeBytes = 8 * this.plane * 2;
    this.galleryOff = BASE + probeBytes;
    this.outOff = this.galleryOff + 2 * this.plane * 2;
    ensureMemory(this.k, probeBytes + 2 * this.plane * 2 + 8 * (2 * params.rotations + 1));
    writeProbe(new Uint16Array(this.k.memory.buffer), BASE / 2, probe);
  }

  /** Distance from the probe to one gallery template (same result as matchReference). */
  compare(b: PackedTemplate): MatchResult {
    assertCompatible(this.probe.shape, b.shape);
    if (b.shape.cols % 4 !== 0) return matchPacked(this.probe, b, this.params);
    const { k, plane, params } = this;
    const view = new Uint16Array(k.memory.buffer);
    view.set(b.code, this.galleryOff / 2);
    view.set(b.mask, this.galleryOff / 2 + plane);
    k.rotationCounts(BASE, this.galleryOff, b.bands, b.shape.cols / 4, params.rotations, this.outOff);
    const counts = new Uint32Array(k.memory.buffer, this.outOff, 2 * (2 * params.rotations + 1));
    let best: MatchResult | null = null;
    for (const shift of shiftOrder(params.rotations)) {
      const i = 2 * (shift + params.rotations);
      best = pickBest(best, counts[i]!, counts[i + 1]!, shift, params);
    }
    return best ?? NO_MATCH;
  }
}

/** Compares two packed templates with the WebAssembly kernel. */
export function matchPackedWasm(a: PackedTemplate, b: PackedTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult {
  assertCompatible(a.shape, b.shape);
  if (a.shape.cols % 4 !== 0) return matchPacked(a, b, params);
  return new WasmProbe(a, params).compare(b);
}

/** Compares two templates with the fastest available kernel (WebAssembly). */
export function compareTemplates(a: IrisTemplate, b: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS): MatchResult {
  return matchPackedWasm(packTemplate(a), packTemplate(b), params);
}
