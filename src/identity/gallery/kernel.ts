/**
 * What every whole-gallery scan kernel offers (WebAssembly, native): one probe, or several probes
 * in one pass over memory, against every template of a gallery layout, results in slot order and
 * equal to the reference matcher's; the scan options they share (the cascade); and the factory
 * that picks a kernel.
 */
import { IriskError } from '../../lib/errors.js';
import { DEFAULT_MATCH_PARAMS, type MatchParams, type MatchResult } from '../iris/matcher.js';
import type { IrisTemplate } from '../iris/template.js';
import { templateCells, type GalleryLayout } from './layout.js';

/**
 * One stage of a cascade: a partial comparison (a subset of the bits, at a subset of the shifts)
 * that must come within `ceiling` for the template to go on to the next stage, and after the last
 * one to the full comparison.
 */
export interface CascadeStage {
  /** Bands compared, counted from the pupil side (each band is 4 code rows, a quarter of the bits of a 16-row code). */
  readonly bands: number;
  /** Every `wordStep`-th 64-bit word (4 columns) of each band: 1 every column, 2 half of them, 4 a quarter. */
  readonly wordStep: number;
  /** Shifts that are multiples of `shiftStep` only: 1 (every shift), 2 or 4. */
  readonly shiftStep: number;
  /** Largest partial distance (disagreeing over common bits, at some shift) that lets a template through, to the nearest millionth. */
  readonly ceiling: number;
}

/**
 * The tuned cascade (docs/gallery.md, "Cascade"): every other column group of the first band at
 * every other shift (6% of the work of a full comparison), then every other column group of the
 * first two bands at every shift (25%, for the ~5% of impostors left), then the full comparison
 * (~0.08% of impostors). Ceilings about 0.05 above the worst of 3,000 synthetic genuine pairs
 * below 0.345; recall measured by `npm run bench -- gallery` on other pairs.
 */
export const DEFAULT_CASCADE: readonly CascadeStage[] = [
  { bands: 1, wordStep: 2, shiftStep: 2, ceiling: 0.42 },
  { bands: 2, wordStep: 2, shiftStep: 1, ceiling: 0.4 },
];

/** Options of a scan. */
export interface ScanOptions {
  /**
   * The first cascade, kept for its callers: one stage over the first band at every word and
   * shift with this ceiling, clamped to [0, 1] and rounded to the nearest thousandth, i.e.
   * `cascadeStages: [{ bands: 1, wordStep: 1, shiftStep: 1, ceiling: cascade }]`. Every kernel
   * implements it. Ignored when `cascadeStages` is given. Off when undefined.
   */
  cascade?: number;
  /**
   * A staged cascade (`DEFAULT_CASCADE` is the tuned one): a template goes through every stage in
   * order and is compared in full only when it passes them all, with exactly the exhaustive
   * scan's result; the others are reported as no match (distance 1, no common bits). Off when
   * undefined or empty. Kernels without `stagedCascade` refuse it.
   */
  cascadeStages?: readonly CascadeStage[];
}

/** The stages a scan runs with these options (none: exhaustive); USAGE when a stage is malformed. */
export function cascadeStagesOf(options: ScanOptions, bands: number): readonly CascadeStage[] {
  const stages = options.cascadeStages ?? (options.cascade === undefined ? [] : [{ bands: 1, wordStep: 1, shiftStep: 1, ceiling: Math.round(Math.min(1, Math.max(0, options.cascade)) * 1000) / 1000 }]);
  stages.forEach((s, i) => {
    const bad = (what: string): never => {
      throw new IriskError('USAGE', `cascade stage ${i}: ${what}`, { stage: { ...s } });
    };
    if (!Number.isInteger(s.bands) || s.bands < 1 || s.bands > bands) bad(`bands must be an integer from 1 to ${bands} (got ${s.bands})`);
    if (![1, 2, 4].includes(s.wordStep)) bad(`wordStep must be 1, 2 or 4 (got ${s.wordStep})`);
    if (![1, 2, 4].includes(s.shiftStep)) bad(`shiftStep must be 1, 2 or 4 (got ${s.shiftStep})`);
    if (!(s.ceiling >= 0)) bad(`ceiling must be a number >= 0 (got ${s.ceiling})`);
  });
  return stages;
}

/**
 * A scan kernel instance; reuse it across probes (it keeps its buffers). A kernel refuses (USAGE)
 * options it cannot honour exactly rather than give other results.
 */
export interface GalleryKernel {
  /** 'wasm' or 'native'. */
  readonly name: string;
  /** True when the kernel runs any `ScanOptions.cascadeStages` (without it, at most the first cascade). */
  readonly stagedCascade?: boolean;
  /** Templates compared in full by the last scan, summed over its probes (all of them without a cascade). */
  lastFullComparisons: number;
  /** One probe (packed as `templateCells` packs it) against every template, in slot order. */
  scanCells(gallery: GalleryLayout, probeCells: Uint16Array, params?: MatchParams, options?: ScanOptions): MatchResult[];
  /** Several probes in one pass over the gallery: result[p][t] = scanCells(gallery, probes[p])[t]. */
  scanManyCells(gallery: GalleryLayout, probes: readonly Uint16Array[], params?: MatchParams, options?: ScanOptions): MatchResult[][];
}

/** What the kernels share: single-probe scans as one-probe passes of `scanManyCells`. */
export abstract class KernelScanner implements GalleryKernel {
  abstract readonly name: string;
  lastFullComparisons = 0;

  /** `probe` against every gallery template, in slot order (as `matchReference(probe, t)`). */
  scan(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[] {
    return this.scanCells(gallery, templateCells(probe), params, options);
  }

  /** The same with the probe already packed as the gallery stores templates (`templateCells`). */
  scanCells(gallery: GalleryLayout, probeCells: Uint16Array, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[] {
    return this.scanManyCells(gallery, [probeCells], params, options)[0]!;
  }

  abstract scanManyCells(gallery: GalleryLayout, probes: readonly Uint16Array[], params?: MatchParams, options?: ScanOptions): MatchResult[][];
}

/** Which kernel to use: the native addon, the WebAssembly one, or the native when it loads and WebAssembly otherwise. */
export type KernelKind = 'auto' | 'wasm' | 'native';

/** A kernel, and why it is not the one asked for (`auto` without the native addon). */
export interface KernelChoice {
  kernel: GalleryKernel;
  /** Why 'auto' fell back to WebAssembly; undefined when the kernel is the one asked for. */
  fallback?: string;
}

/**
 * A new kernel instance of `kind`. 'native' throws INTERNAL (with the reason) when the addon is
 * not built or does not load; 'auto' then falls back to WebAssembly and says why.
 */
export async function createGalleryKernel(kind: KernelKind = 'auto'): Promise<KernelChoice> {
  if (kind !== 'wasm') {
    const native = await loadNative();
    if (native.kernel) return { kernel: native.kernel };
    if (kind === 'native') throw new IriskError('INTERNAL', `the native gallery kernel is unavailable: ${native.reason}`, { kernel: 'native', reason: native.reason });
    const { WasmGalleryScanner } = await import('./scan-wasm.js');
    return { kernel: new WasmGalleryScanner(), fallback: native.reason };
  }
  const { WasmGalleryScanner } = await import('./scan-wasm.js');
  return { kernel: new WasmGalleryScanner() };
}

/** The native kernel, or why there is none (also when its module fails to import). */
async function loadNative(): Promise<{ kernel: GalleryKernel; reason?: undefined } | { kernel: null; reason: string }> {
  try {
    const { loadNativeKernel } = await import('./scan-native.js');
    return loadNativeKernel();
  } catch (e) {
    return { kernel: null, reason: `the native kernel module does not load: ${(e as Error).message}` };
  }
}
