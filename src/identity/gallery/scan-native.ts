/**
 * The native scan (native/gallery/gallery_scan.cc, a Node-API addon built at install with
 * -O3 -march=native when the machine has a compiler): the server kernel, vectorised where the CPU
 * allows (AVX-512 popcount). It reads the gallery in place from the layout's SharedArrayBuffer,
 * several probes share one pass over memory, and it runs any staged cascade with exactly the
 * WebAssembly kernel's rule and results. Optional: `loadNativeKernel` says why it is missing, and
 * callers fall back to the WebAssembly kernel. Results equal the reference matcher's exactly.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IriskError } from '../../lib/errors.js';
import { bestOfCounts, DEFAULT_MATCH_PARAMS, NO_MATCH, type MatchParams, type MatchResult } from '../iris/matcher.js';
import { cascadeStagesOf, KernelScanner, type ScanOptions } from './kernel.js';
import type { GalleryLayout } from './layout.js';

/** The addon's exports. */
interface NativeAddon {
  /** The contract's version (kApiVersion in gallery_scan.cc). */
  readonly apiVersion: number;
  /** The instruction set the inner loop was compiled for, e.g. 'avx512-vpopcntdq'. */
  readonly isa: string;
  /**
   * Templates [first, first + count) of `gallery` against the probes packed back to back in
   * `probes`; probe p's counts for template first + t at out[((p * count + t) * shifts + s) * 2]
   * (xor, then common; left as they were when not compared in full), flags[p * count + t] 1 when
   * compared in full. stages: the cascade, four int32 per stage (bands, wordStep, shiftStep,
   * ceiling in millionths), empty for none. Returns the pairs compared in full.
   */
  scan(gallery: Uint16Array, first: number, count: number, bands: number, cols: number, probes: Uint16Array, rotations: number, out: Uint32Array, flags: Uint8Array, stages: Int32Array): number;
}

/** The contract this module speaks (kApiVersion in gallery_scan.cc). */
const API_VERSION = 3;
/** Where the build puts the addon, from the package root (scripts/build-native.mjs). */
const ADDON = join('native', 'gallery', 'build', 'Release', 'gallery_scan.node');
/** Most templates per addon call (the scan reads the gallery in place: no copy to bound). */
const CHUNK = 16_384;
/** Most u32 counts per addon call (4 MB): fewer templates per call with more probes or shifts. */
const COUNTS_BUDGET = 1 << 20;

let loaded: { addon: NativeAddon } | { addon: null; reason: string } | undefined;

/** The package root: the nearest folder above this module (in src/ or dist/src/) with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new IriskError('INTERNAL', `no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

function loadAddon(): { addon: NativeAddon } | { addon: null; reason: string } {
  const root = packageRoot();
  const path = join(root, ADDON);
  if (!existsSync(path)) return { addon: null, reason: `the native gallery kernel is not built (${ADDON} is missing: no C++ compiler at install, or the build failed; npm run build:native retries)` };
  try {
    const addon = createRequire(join(root, 'package.json'))(path) as NativeAddon;
    if (addon.apiVersion !== API_VERSION) return { addon: null, reason: `${ADDON} speaks version ${addon.apiVersion}, not ${API_VERSION} (a stale build: npm run build:native)` };
    return { addon };
  } catch (e) {
    return { addon: null, reason: `${ADDON} does not load: ${(e as Error).message}` };
  }
}

/**
 * A native scanner, or why there is none (not built, or it does not load): callers fall back to
 * the WebAssembly kernel. The addon is loaded once per thread; each call makes a new scanner.
 */
export function loadNativeKernel(chunkSize = CHUNK): { kernel: NativeGalleryScanner; isa: string } | { kernel: null; reason: string } {
  loaded ??= loadAddon();
  if (loaded.addon === null) return { kernel: null, reason: loaded.reason };
  return { kernel: new NativeGalleryScanner(loaded.addon, chunkSize), isa: loaded.addon.isa };
}

/**
 * The stages as the addon takes them: four int32 each (bands, wordStep, shiftStep, ceiling in
 * millionths, rounded as the WebAssembly kernel rounds it); empty for no cascade. USAGE when a
 * stage is malformed.
 */
function stageWords(options: ScanOptions, bands: number): Int32Array {
  const stages = cascadeStagesOf(options, bands);
  const out = new Int32Array(stages.length * 4);
  stages.forEach((s, i) => out.set([s.bands, s.wordStep, s.shiftStep, Math.round(Math.min(1, s.ceiling) * 1e6)], i * 4));
  return out;
}

/** A scanner over the native addon (make one with `loadNativeKernel`); reuse it across probes. */
export class NativeGalleryScanner extends KernelScanner {
  override readonly name = 'native';
  readonly stagedCascade = true;
  private counts = new Uint32Array(0);
  private flags = new Uint8Array(0);

  /** `chunkSize`: most templates per addon call. */
  constructor(
    private readonly addon: NativeAddon,
    private readonly chunkSize = CHUNK,
  ) {
    super();
  }

  /** Several probes in one pass over the gallery (each template read once for all): result[p][t]. */
  override scanManyCells(gallery: GalleryLayout, probes: readonly Uint16Array[], params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[][] {
    const { bands, stride } = gallery;
    const stages = stageWords(options, bands);
    const packed = new Uint16Array(probes.length * stride);
    probes.forEach((p, i) => {
      if (p.length !== stride) throw new IriskError('TEMPLATE_INCOMPATIBLE', `probe ${i} has ${p.length} cells; the gallery's templates have ${stride}`);
      packed.set(p, i * stride);
    });
    const results: MatchResult[][] = probes.map(() => []);
    this.lastFullComparisons = 0;
    if (probes.length === 0) return results;
    const shifts = 2 * params.rotations + 1;
    const chunk = Math.max(1, Math.min(this.chunkSize, gallery.size, Math.floor(COUNTS_BUDGET / (probes.length * shifts * 2))));
    if (this.counts.length < probes.length * chunk * shifts * 2) this.counts = new Uint32Array(probes.length * chunk * shifts * 2);
    if (this.flags.length < probes.length * chunk) this.flags = new Uint8Array(probes.length * chunk);
    const { counts, flags } = this;
    const words = gallery.words;
    for (let first = 0; first < gallery.size; first += chunk) {
      const n = Math.min(chunk, gallery.size - first);
      this.lastFullComparisons += this.addon.scan(words, first, n, bands, gallery.shape.cols, packed, params.rotations, counts, flags, stages);
      for (let p = 0; p < probes.length; p++) {
        const into = results[p]!;
        // A pair the cascade pruned is no match (its counts are stale).
        for (let t = 0; t < n; t++) into.push(flags[p * n + t] ? bestOfCounts(counts, (p * n + t) * shifts * 2, params) : NO_MATCH);
      }
    }
    return results;
  }
}
