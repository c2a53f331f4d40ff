/**
 * The WebAssembly scan (the portable default kernel, WebAssembly SIMD): one probe, or several
 * sharing one pass, against a whole gallery, one kernel call per chunk of templates. The kernel
 * instance has its own memory: the probes' phase copies, the cascade stages, a chunk of gallery
 * templates copied in as they are laid out (the copy is shared by every probe of the pass), then
 * the counts and the compared-in-full flags. Results equal the reference matcher's exactly.
 */
import { IriskError } from '../../lib/errors.js';
import { bestOfCounts, DEFAULT_MATCH_PARAMS, NO_MATCH, type MatchParams, type MatchResult } from '../iris/matcher.js';
import { ensureKernelMemory, instantiateKernel, KERNEL_BASE as BASE, probePhaseBytes, type KernelExports } from '../iris/wasm-matcher.js';
import { cascadeStagesOf, KernelScanner, type ScanOptions } from './kernel.js';
import type { GalleryLayout } from './layout.js';

export type { ScanOptions } from './kernel.js';

/** The gallery exports of assembly/hamming.ts beyond those wasm-matcher.ts declares. */
interface GalleryKernelExports extends KernelExports {
  scanGalleryMany(probes: number, probeCount: number, gallery: number, count: number, bands: number, words: number, rot: number, out: number, flags: number, stages: number, stageCount: number): number;
}

/**
 * Templates copied into kernel memory per call: 256 x 4 kB = 1 MB for the default shape, small
 * enough that the chunk is still in cache when the kernel reads it, probe after probe.
 */
const CHUNK = 256;
/** Bytes of one stage descriptor in kernel memory (STAGE_BYTES in assembly/hamming.ts). */
const STAGE_BYTES = 16;

/** A scanner with its own kernel instance; reuse it across probes. */
export class WasmGalleryScanner extends KernelScanner {
  override readonly name = 'wasm';
  readonly stagedCascade = true;
  private readonly k = instantiateKernel() as GalleryKernelExports;

  /** `chunkSize`: templates per kernel call (default 256). */
  constructor(private readonly chunkSize = CHUNK) {
    super();
  }

  /**
   * Several probes in one pass over the gallery: each chunk of templates is copied into kernel
   * memory once and scanned by every probe. result[p][t] = scanCells(gallery, probes[p])[t].
   */
  override scanManyCells(gallery: GalleryLayout, probes: readonly Uint16Array[], params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): MatchResult[][] {
    const { bands, stride } = gallery;
    const cols = gallery.shape.cols;
    const stages = cascadeStagesOf(options, bands);
    const shifts = 2 * params.rotations + 1;
    const count = probes.length;
    const chunk = Math.min(this.chunkSize, Math.max(1, gallery.size));
    // Kernel memory: probe phase copies | stage descriptors | gallery chunk (first the plain probes) | counts | flags.
    const phaseBytes = probePhaseBytes(bands, cols);
    const stagesOff = BASE + count * phaseBytes;
    const galleryOff = stagesOff + stages.length * STAGE_BYTES;
    const chunkBytes = Math.max(chunk, count) * stride * 2;
    const outOff = galleryOff + chunkBytes;
    const flagsOff = outOff + count * chunk * shifts * 8;
    ensureKernelMemory(this.k, flagsOff - BASE + count * chunk);
    const mem = this.k.memory.buffer;
    probes.forEach((p, i) => {
      if (p.length !== stride) throw new IriskError('TEMPLATE_INCOMPATIBLE', `probe ${i} has ${p.length} cells; the gallery's templates have ${stride}`);
      new Uint16Array(mem).set(p, galleryOff / 2 + i * stride);
    });
    for (let i = 0; i < count; i++) this.k.preparePhases(galleryOff + i * stride * 2, BASE + i * phaseBytes, bands, cols);
    const stageWords = new Int32Array(mem, stagesOff, stages.length * 4);
    stages.forEach((s, i) => stageWords.set([s.bands, s.wordStep, s.shiftStep, Math.round(Math.min(1, s.ceiling) * 1e6)], i * 4));
    const results: MatchResult[][] = probes.map(() => []);
    const words = gallery.words;
    const u16 = new Uint16Array(mem);
    const counts = new Uint32Array(mem, outOff, count * chunk * shifts * 2);
    const flags = new Uint8Array(mem, flagsOff, count * chunk);
    this.lastFullComparisons = 0;
    for (let first = 0; first < gallery.size; first += chunk) {
      const n = Math.min(chunk, gallery.size - first);
      u16.set(words.subarray(first * stride, (first + n) * stride), galleryOff / 2);
      this.lastFullComparisons += this.k.scanGalleryMany(BASE, count, galleryOff, n, bands, cols / 4, params.rotations, outOff, flagsOff, stagesOff, stages.length);
      for (let p = 0; p < count; p++) {
        const into = results[p]!;
        for (let t = 0; t < n; t++) into.push(flags[p * n + t] ? bestOfCounts(counts, (p * n + t) * shifts * 2, params) : NO_MATCH);
      }
    }
    return results;
  }
}
