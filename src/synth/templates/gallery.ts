/**
 * Synthetic galleries at scale, for benchmarks of 1:N search: templates generated on worker
 * threads straight into a SharedArrayBuffer in the gallery layout, and, past a number of distinct
 * templates, exact derivations of them that are independent impostors for any probe (cyclic rolls
 * by a quarter turn, code complements). Also genuine (probe, variant) pairs, for recall.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { workerSource } from '../../lib/worker-source.js';
import { DEFAULT_SHAPE, type TemplateShape } from '../../identity/iris/template.js';
import { GalleryLayout, templateCells } from '../../identity/gallery/layout.js';
import { genuineVariant, syntheticTemplate } from './generate.js';

/** Work for one generator thread: templates [from, to) of a world, packed into shared buffers. */
export interface GenerateJob {
  seed: number;
  shape: TemplateShape;
  smoothing?: number;
  from: number;
  to: number;
  /** Template i's cells go to slot i - `first` of `out`. */
  first: number;
  out: SharedArrayBuffer;
  /** Genuine variants: template i's goes to slot i - `first` of `buffer`, key `${key}:${i}`, flip rate and rotation at [i - first]. */
  genuine?: { buffer: SharedArrayBuffer; key: string; flipRates: Float64Array; rotations: Int32Array };
}

/** Runs a job in this thread (the generator worker runs the same). */
export function runGenerateJob(job: GenerateJob): void {
  const out = new Uint16Array(job.out);
  const variants = job.genuine ? new Uint16Array(job.genuine.buffer) : null;
  const stride = strideOf(job.shape);
  for (let i = job.from; i < job.to; i++) {
    const t = syntheticTemplate(i, { seed: job.seed, shape: job.shape, smoothing: job.smoothing });
    const slot = i - job.first;
    out.set(templateCells(t), slot * stride);
    if (job.genuine && variants) {
      const v = genuineVariant(t, `${job.genuine.key}:${i}`, { flipRate: job.genuine.flipRates[slot]!, rotation: job.genuine.rotations[slot]! });
      variants.set(templateCells(v), slot * stride);
    }
  }
}

/** 16-bit words per template in the gallery layout. */
function strideOf(shape: TemplateShape): number {
  return GalleryLayout.wordsFor(shape, 1);
}

function sharedWords(n: number): Uint16Array {
  return new Uint16Array(new SharedArrayBuffer(n * 2));
}

/** Templates per job handed to a worker (small enough to balance a busy machine). */
const BLOCK = 512;

/** Runs `job` split into blocks over `workers` threads (0: this thread). */
async function generate(job: GenerateJob, workers: number): Promise<void> {
  const n = job.to - job.from;
  const threads = Math.min(workers, Math.ceil(n / BLOCK));
  if (threads < 1) return runGenerateJob(job);
  const start = workerSource(import.meta.url, 'gallery-worker');
  let next = job.from;
  const run = (w: Worker): Promise<void> =>
    new Promise((resolve, reject) => {
      const send = (): void => {
        if (next >= job.to) {
          resolve();
          return;
        }
        const from = next;
        next = Math.min(job.to, from + BLOCK);
        w.postMessage({ ...job, from, to: next } satisfies GenerateJob);
      };
      w.on('message', send);
      w.on('error', (e) => reject(new IriskError('INTERNAL', `a template generator worker failed: ${e.message}`)));
      w.on('exit', (code) => reject(new IriskError('INTERNAL', `a template generator worker exited (code ${code})`)));
      send();
    });
  const pool = Array.from({ length: threads }, () => new Worker(start.source, { eval: start.eval }));
  try {
    await Promise.all(pool.map(run));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** Default generator threads: the available cores, at most 8. */
function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** What buildSyntheticGallery builds. */
export interface SyntheticGalleryOptions {
  count: number;
  seed: number;
  /** Distinct templates (indices 0..distinct-1 of the world, in slots 0..distinct-1); the rest are derived. Default: count. */
  distinct?: number;
  shape?: TemplateShape;
  /** Generator threads (default: the available cores, at most 8; 0: this thread). */
  workers?: number;
  /** Packed templates (`templateCells`) written over distinct slots before the derivations are made (e.g. genuine variants of probes). */
  overrides?: ReadonlyMap<number, Uint16Array>;
}

/** Derivations of a distinct template, in order: slot d * distinct + i holds derivation d of template i. */
export const DERIVATIONS: readonly { readonly quarterTurns: number; readonly complement: boolean }[] = [0, 1, 2, 3, 4, 5, 6, 7].map((d) => ({ quarterTurns: d % 4, complement: d >= 4 }));

/** The search window plus the code's correlation length a quarter turn must exceed (2 x 15 + 16 columns). */
const MIN_QUARTER_TURN = 47;

/**
 * A gallery of `count` synthetic templates: template i of the world in slot i for i < distinct;
 * past that, slot d * distinct + i holds DERIVATIONS[d] of template i: its code and mask rolled
 * by d % 4 quarter turns (64 columns for 256-column codes) and, for d >= 4, its code complemented.
 * Each is an exact bijection of a distinct template and, for any probe searched over +-15
 * columns, an impostor: a roll puts every compared alignment at least 64 - 2 x 15 = 34 columns
 * from the original's, beyond the synthetic code's 16-column correlation length (also when the
 * probe is a genuine variant of the original, rotated by up to 15 columns); a complement turns a
 * distance x into 1 - x at every shift (for a genuine probe, about 0.9). Complements mirror the
 * originals' impostor distances, so the two are not independent of each other.
 */
export async function buildSyntheticGallery(options: SyntheticGalleryOptions): Promise<GalleryLayout> {
  const shape = options.shape ?? DEFAULT_SHAPE;
  const distinct = options.distinct ?? options.count;
  if (!Number.isInteger(options.count) || options.count < 0 || !Number.isInteger(distinct) || distinct < 1 || options.count > distinct * DERIVATIONS.length) {
    throw new IriskError('USAGE', `a synthetic gallery of ${options.count} templates needs 1 to 8 times as many distinct ones (got ${distinct})`);
  }
  if (options.count > distinct && shape.cols / 4 < MIN_QUARTER_TURN) throw new IriskError('USAGE', `derived templates need codes of at least ${4 * MIN_QUARTER_TURN} columns (got ${shape.cols})`);
  const words = sharedWords(strideOf(shape) * Math.max(1, options.count));
  const made = Math.min(distinct, options.count);
  await generate({ seed: options.seed, shape, from: 0, to: made, first: 0, out: words.buffer as SharedArrayBuffer }, options.workers ?? defaultWorkers());
  const stride = strideOf(shape);
  for (const [slot, cells] of options.overrides ?? []) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= made || cells.length !== stride) throw new IriskError('USAGE', `an override needs a distinct slot below ${made} and ${stride} cells (got slot ${slot}, ${cells.length} cells)`);
    words.set(cells, slot * stride);
  }
  for (let slot = made; slot < options.count; slot++) {
    const i = slot % distinct;
    derive(words.subarray(i * stride, (i + 1) * stride), words.subarray(slot * stride, (slot + 1) * stride), shape, DERIVATIONS[Math.floor(slot / distinct)]!);
  }
  return GalleryLayout.view(shape, words, 0, options.count);
}

/** Writes `d` of the packed template `src` (code cells then mask cells, band by band) into `dst`. */
function derive(src: Uint16Array, dst: Uint16Array, shape: TemplateShape, d: { quarterTurns: number; complement: boolean }): void {
  const { cols } = shape;
  const roll = d.quarterTurns * (cols / 4);
  const plane = src.length / 2;
  // Column c of the derived template holds column c - roll of the original (genuineVariant's convention).
  for (let row = 0; row < src.length; row += cols) {
    dst.set(src.subarray(row + cols - roll, row + cols), row);
    dst.set(src.subarray(row, row + cols - roll), row + roll);
  }
  if (d.complement) for (let k = 0; k < plane; k++) dst[k] = ~dst[k]! & 0xffff;
}

/** What syntheticGenuinePairs makes. */
export interface GenuinePairsOptions {
  count: number;
  seed: number;
  /** Index of the first template of the world used as a probe (default 0). */
  first?: number;
  /** Flip rates drawn uniformly from [lo, hi] (default [0.05, 0.33]). */
  flipRates?: readonly [number, number];
  /** Rotations drawn uniformly from the integers in [-maxRotation, maxRotation] (default 15). */
  maxRotation?: number;
  /** Correlation length of the codes along the circle, in columns (syntheticTemplate's, default 16). */
  smoothing?: number;
  shape?: TemplateShape;
  workers?: number;
}

/** Genuine pairs: probe j is template first + j of the world, variants slot j its genuine variant. */
export interface GenuinePairs {
  /** The probes, packed back to back (`templateCells`). */
  probes: GalleryLayout;
  variants: GalleryLayout;
  flipRates: Float64Array;
  rotations: Int32Array;
}

/** `count` genuine (probe, variant) pairs with flip rates and rotations drawn from the given ranges, made on worker threads. */
export async function syntheticGenuinePairs(options: GenuinePairsOptions): Promise<GenuinePairs> {
  const shape = options.shape ?? DEFAULT_SHAPE;
  const first = options.first ?? 0;
  const [lo, hi] = options.flipRates ?? [0.05, 0.33];
  const maxRotation = options.maxRotation ?? 15;
  const rng = new Rng(`genuine-pairs:${options.seed}:${first}:${options.count}`);
  const flipRates = Float64Array.from({ length: options.count }, () => rng.uniform(lo, hi));
  const rotations = Int32Array.from({ length: options.count }, () => rng.int(-maxRotation, maxRotation));
  const probes = sharedWords(strideOf(shape) * Math.max(1, options.count));
  const variants = sharedWords(strideOf(shape) * Math.max(1, options.count));
  await generate(
    {
      seed: options.seed,
      shape,
      smoothing: options.smoothing,
      from: first,
      to: first + options.count,
      first,
      out: probes.buffer as SharedArrayBuffer,
      genuine: { buffer: variants.buffer as SharedArrayBuffer, key: `pairs:${options.seed}`, flipRates, rotations },
    },
    options.workers ?? defaultWorkers(),
  );
  return { probes: GalleryLayout.view(shape, probes, 0, options.count), variants: GalleryLayout.view(shape, variants, 0, options.count), flipRates, rotations };
}
