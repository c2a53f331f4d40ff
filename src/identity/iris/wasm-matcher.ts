/**
 * The WebAssembly matching kernel (SIMD: 128-bit words, carry-save popcounts), loaded synchronously from the embedded
 * binary. It returns exactly what the TypeScript matchers return; tests hold it to that.
 */
import { HAMMING_WASM_BASE64 } from './hamming-wasm.generated.js';
import {
  assertCompatible,
  DEFAULT_MATCH_PARAMS,
  matchPacked,
  bestOfCounts,
  packTemplate,
  type MatchParams,
  type MatchResult,
  type PackedTemplate,
} from './matcher.js';
import type { IrisTemplate } from './template.js';

/** The kernel's exports (assembly/hamming.ts). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  rotationCounts(probe: number, gallery: number, bands: number, words: number, rot: number, out: number): void;
  preparePhases(src: number, dst: number, bands: number, cols: number): void;
  scanGallery(probe: number, gallery: number, count: number, bands: number, words: number, rot: number, out: number): void;
}

let module: WebAssembly.Module | null = null;
let kernel: KernelExports | null = null;

/** A new instance of the kernel with its own memory (the module is compiled once). */
export function instantiateKernel(): KernelExports {
  module ??= new WebAssembly.Module(Buffer.from(HAMMING_WASM_BASE64, 'base64'));
  return new WebAssembly.Instance(module, {
    env: { abort: () => { throw new Error('wasm abort'); } },
  }).exports as unknown as KernelExports;
}

function load(): KernelExports {
  kernel ??= instantiateKernel();
  return kernel;
}

/** Where the kernel's working data starts in its memory (below: the module's own data). */
export const KERNEL_BASE = 1024;
const BASE = KERNEL_BASE;

/** Grows the kernel memory, if needed, to hold `bytes` from KERNEL_BASE on. */
export function ensureKernelMemory(k: KernelExports, bytes: number): void {
  const need = BASE + bytes - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
}

let views: { buffer: ArrayBuffer; u16: Uint16Array; u32: Uint32Array } | null = null;

/** Typed views of the kernel memory, rebuilt only when the memory has grown. */
function memoryViews(k: KernelExports): { u16: Uint16Array; u32: Uint32Array } {
  const buffer = k.memory.buffer;
  if (!views || views.buffer !== buffer) views = { buffer, u16: new Uint16Array(buffer), u32: new Uint32Array(buffer) };
  return views;
}

/** Bytes of the probe area preparePhases writes: 4 phases x (code + mask) x bands x the band written twice. */
export function probePhaseBytes(bands: number, cols: number): number {
  return 4 * 2 * bands * 2 * cols * 2;
}

/** The probe whose phase copies are in the kernel memory now. */
let loadedProbe: object | null = null;

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
    this.galleryOff = BASE + probePhaseBytes(probe.bands, probe.shape.cols);
    this.outOff = this.galleryOff + 2 * this.plane * 2;
    ensureKernelMemory(this.k, probePhaseBytes(probe.bands, probe.shape.cols) + 2 * this.plane * 2 + 8 * (2 * params.rotations + 1));
    this.stage();
  }

  /**
   * Puts this probe's phase copies into the kernel memory, which all probes share: the plain
   * probe goes into the gallery slot, and the kernel builds the phase copies from it.
   */
  private stage(): void {
    loadedProbe = this;
    if (this.probe.shape.cols % 4 !== 0) return;
    const { u16 } = memoryViews(this.k);
    u16.set(this.probe.code, this.galleryOff / 2);
    u16.set(this.probe.mask, this.galleryOff / 2 + this.plane);
    this.k.preparePhases(this.galleryOff, BASE, this.probe.bands, this.probe.shape.cols);
  }

  /** Distance from the probe to one gallery template (same result as matchReference). */
  compare(b: PackedTemplate): MatchResult {
    assertCompatible(this.probe.shape, b.shape);
    if (b.shape.cols % 4 !== 0) return matchPacked(this.probe, b, this.params);
    if (loadedProbe !== this) this.stage();
    const { k, plane, params } = this;
    const { u16, u32 } = memoryViews(k);
    u16.set(b.code, this.galleryOff / 2);
    u16.set(b.mask, this.galleryOff / 2 + plane);
    k.rotationCounts(BASE, this.galleryOff, b.bands, b.shape.cols / 4, params.rotations, this.outOff);
    return bestOfCounts(u32, this.outOff / 4, params);
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
