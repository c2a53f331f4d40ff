/**
 * The WebAssembly scan (the portable default kernel, scalar i64 popcount): one probe against a
 * whole gallery in one kernel call per chunk of templates. The kernel instance has its own memory:
 * the probe's four phase copies, then a chunk of gallery templates copied in as they are laid out,
 * then the counts. Results equal the reference matcher's exactly.
 */
import { bestOfCounts, DEFAULT_MATCH_PARAMS, type MatchParams, type MatchResult } from '../iris/matcher.js';
import type { IrisTemplate } from '../iris/template.js';
import { ensureKernelMemory, instantiateKernel, KERNEL_BASE as BASE, probePhaseBytes, type KernelExports } from '../iris/wasm-matcher.js';
import { templateCells, type GalleryLayout } from './layout.js';

/** Templates copied into kernel memory per call: 16,384 x 4 kB = 64 MB for the default shape. */
const CHUNK = 16_384;

/** Options of a scan. */
export interface ScanOptions {
  /**
   * Cascade: compare each template on its first band (a quarter of the bits) first, and in full
   * only when some rotation brings that partial distance to at most this value; the others are
   * reported as no match (distance 1, no common bits). Off when undefined.
   */
  cascade?: number;
}

/** A scanner with its own kernel instance; reuse it across probes. */
export class WasmGalleryScanner {
  private readonly k: KernelExports = instantiateKernel();
  /** Templates compared in full by the last scan (all of them without a cascade). */
  lastFullComparisons = 0;

  /** `chunk`: templates per kernel call (default 16,384). */
  constructor(private readonly chunkSize = CHUNK) {}

  /** `probe` against every gallery template, in slot order (as `matchReference(probe, t)`). */
  scan(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[] {
    return this.scanCells(gallery, templateCells(probe), params, options);
  }

  /** The same with the probe already packed as the gallery stores templates (`templateCells`). */
  scanCells(gallery: GalleryLayout, probeCells: Uint16Array, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[] {
    const { bands, stride } = gallery;
    const cols = gallery.shape.cols;
    const words = cols / 4;
    const shifts = 2 * params.rotations + 1;
    const chunk = Math.min(this.chunkSize, Math.max(1, gallery.size));
    const galleryOff = BASE + probePhaseBytes(bands, cols);
    const outOff = galleryOff + chunk * stride * 2;
    ensureKernelMemory(this.k, outOff - BASE + chunk * shifts * 8);
    let u16 = new Uint16Array(this.k.memory.buffer);
    // The plain probe goes where the gallery chunk will be; the kernel writes its phase copies at BASE.
    u16.set(probeCells, galleryOff / 2);
    this.k.preparePhases(galleryOff, BASE, bands, cols);
    const results: MatchResult[] = [];
    const all = gallery.words;
    const cascade = options.cascade === undefined ? -1 : Math.round(Math.min(1, Math.max(0, options.cascade)) * 1000);
    this.lastFullComparisons = 0;
    for (let first = 0; first < gallery.size; first += chunk) {
      const n = Math.min(chunk, gallery.size - first);
      u16 = new Uint16Array(this.k.memory.buffer);
      u16.set(all.subarray(first * stride, (first + n) * stride), galleryOff / 2);
      if (cascade < 0) {
        this.k.scanGallery(BASE, galleryOff, n, bands, words, params.rotations, outOff);
        this.lastFullComparisons += n;
      } else {
        this.lastFullComparisons += this.k.scanGalleryCascade(BASE, galleryOff, n, bands, words, params.rotations, outOff, cascade);
      }
      const counts = new Uint32Array(this.k.memory.buffer, outOff, n * shifts * 2);
      for (let t = 0; t < n; t++) results.push(bestOfCounts(counts, t * shifts * 2, params));
    }
    return results;
  }
}
