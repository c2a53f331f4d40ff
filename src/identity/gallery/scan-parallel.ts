/**
 * The whole-gallery scan on every core: worker threads that each scan a contiguous slice of the
 * gallery, read in place from its SharedArrayBuffer, with their own kernel (native or
 * WebAssembly, `createGalleryKernel`). Results come back in slot order and equal the
 * single-thread scan's. A worker that dies fails the scans waiting on it with a typed error.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IriskError, isIriskError, type ErrorCode } from '../../lib/errors.js';
import { workerSource } from '../../lib/worker-source.js';
import { DEFAULT_MATCH_PARAMS, NO_MATCH, type MatchParams, type MatchResult } from '../iris/matcher.js';
import type { IrisTemplate, TemplateShape } from '../iris/template.js';
import type { KernelKind, ScanOptions } from './kernel.js';
import { templateCells, type GalleryLayout } from './layout.js';

/** One worker's share of a scan: templates [first, end) of the gallery in `buffer`, against every probe. */
export interface ScanJob {
  id: number;
  buffer: ArrayBufferLike;
  shape: TemplateShape;
  first: number;
  end: number;
  probes: Uint16Array[];
  params: MatchParams;
  options: ScanOptions;
}

/** What a worker posts back. */
export type WorkerReply =
  | { type: 'ready'; kernel: string; fallback?: string }
  | { type: 'failed'; error: SerialisedError }
  | { type: 'result'; id: number; packed: Float64Array; full: number }
  | { type: 'error'; id: number; error: SerialisedError };

/** An error as it crosses the thread boundary. */
export interface SerialisedError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** `e` as a worker posts it (IriskErrors keep their code; anything else is INTERNAL). */
export function serialiseError(e: unknown): SerialisedError {
  if (isIriskError(e)) return { code: e.code, message: e.message, details: e.details };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), details: {} };
}

/** Options of the pool. */
export interface ParallelScannerOptions {
  /** Worker threads (default: the available cores, at most 8). */
  workers?: number;
  /** Kernel of every worker (default 'auto': native when it loads, WebAssembly otherwise). */
  kernel?: KernelKind;
}

const FIELDS = 4;

/** Results of several probes as one Float64Array (distance, raw distance, rotation, overlap per result, probe by probe), to transfer. */
export function packResults(results: readonly (readonly MatchResult[])[]): Float64Array {
  const out = new Float64Array(results.reduce((n, r) => n + r.length, 0) * FIELDS);
  let i = 0;
  for (const probe of results) {
    for (const r of probe) {
      out[i] = r.distance;
      out[i + 1] = r.rawDistance;
      out[i + 2] = r.rotation;
      out[i + 3] = r.overlapBits;
      i += FIELDS;
    }
  }
  return out;
}

/** Appends results [from, from + n) of a packed array to `into` (no match shares NO_MATCH). */
function unpackResults(packed: Float64Array, from: number, n: number, into: MatchResult[]): void {
  for (let i = from * FIELDS, end = (from + n) * FIELDS; i < end; i += FIELDS) {
    const overlapBits = packed[i + 3]!;
    into.push(overlapBits === 0 && packed[i] === 1 ? NO_MATCH : { distance: packed[i]!, rawDistance: packed[i + 1]!, rotation: packed[i + 2]!, overlapBits });
  }
}

interface Pending {
  resolve: (r: { packed: Float64Array; full: number }) => void;
  reject: (e: Error) => void;
}

/** A pool of scan workers; `close()` when done. */
export class ParallelGalleryScanner {
  private readonly workers: Worker[];
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly started: Promise<string>;
  private rejectStart: (e: Error) => void = () => undefined;
  /** Each worker's kernel name, once it has said. */
  private readonly kernels: (string | undefined)[];
  private fallback: string | undefined;
  /** Set once the pool cannot scan any more (a worker died, or close()). */
  private failure: IriskError | null = null;
  /** Templates compared in full by the last scan, summed over workers and probes. */
  lastFullComparisons = 0;

  /** `options`: a number is the worker count (the earlier signature). */
  constructor(options: number | ParallelScannerOptions = {}) {
    const o = typeof options === 'number' ? { workers: options } : options;
    const count = o.workers ?? Math.max(1, Math.min(8, availableParallelism()));
    if (!Number.isInteger(count) || count < 1) throw new IriskError('USAGE', `a scan pool needs a whole number of workers >= 1 (got ${count})`);
    const start = workerSource(import.meta.url, 'scan-worker');
    let ready!: (name: string) => void;
    this.started = new Promise<string>((resolve, reject) => {
      ready = resolve;
      this.rejectStart = reject;
    });
    this.started.catch(() => undefined); // observed through ready() and scans
    this.kernels = new Array<string | undefined>(count).fill(undefined);
    this.workers = Array.from({ length: count }, (_, k) => {
      const w = new Worker(start.source, { eval: start.eval, workerData: { kernel: o.kernel ?? 'auto' } });
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          this.kernels[k] = m.kernel;
          this.fallback ??= m.fallback;
          const name = this.kernelName;
          if (name !== undefined) ready(name);
        } else if (m.type === 'failed') {
          this.fail(deserialiseError(m.error)); // the worker could not make its kernel: the pool cannot scan
        } else {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.type === 'result') p?.resolve(m);
          else p?.reject(deserialiseError(m.error));
        }
      });
      w.on('error', (e) => this.fail(new IriskError('INTERNAL', `a gallery scan worker failed: ${e.message}`, { worker: k })));
      w.on('exit', (code) => this.fail(new IriskError('INTERNAL', `a gallery scan worker exited unexpectedly (exit code ${code})`, { worker: k, exitCode: code })));
      return w;
    });
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.workers.length;
  }

  /** Resolves to the kernel's name once every worker has made its kernel; rejects (typed) when one could not. */
  ready(): Promise<string> {
    return this.started;
  }

  /** The workers' kernel ('native', 'wasm'); undefined until ready. */
  get kernelName(): string | undefined {
    if (this.kernels.includes(undefined)) return undefined;
    return [...new Set(this.kernels)].join('+');
  }

  /** Why 'auto' fell back to WebAssembly (undefined when it did not). */
  get kernelFallback(): string | undefined {
    return this.fallback;
  }

  /** `probe` against every gallery template, in slot order (as `matchReference(probe, t)`; `options` as every kernel's). */
  async scan(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): Promise<MatchResult[]> {
    return (await this.scanManyCells(gallery, [templateCells(probe)], params, options))[0]!;
  }

  /** Several probes in one pass over the gallery (each worker reads its slice once for all): result[p][t]. */
  async scanMany(gallery: GalleryLayout, probes: readonly IrisTemplate[], params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): Promise<MatchResult[][]> {
    return this.scanManyCells(gallery, probes.map(templateCells), params, options);
  }

  /** scanMany with the probes already packed as the gallery stores templates (`templateCells`). */
  async scanManyCells(gallery: GalleryLayout, probes: readonly Uint16Array[], params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): Promise<MatchResult[][]> {
    await this.started;
    const n = gallery.size;
    const per = Math.ceil(n / this.workers.length);
    const buffer = gallery.words.buffer;
    const slices = this.workers.map((w, k) => {
      const first = Math.min(n, k * per);
      const end = Math.min(n, first + per);
      if (first >= end) return Promise.resolve({ first, end, packed: new Float64Array(0), full: 0 });
      return this.post(w, { buffer, shape: gallery.shape, first, end, probes: [...probes], params, options }).then((r) => ({ first, end, ...r }));
    });
    const parts = await Promise.all(slices);
    this.lastFullComparisons = parts.reduce((s, p) => s + p.full, 0);
    return probes.map((_, p) => {
      const results: MatchResult[] = [];
      for (const part of parts) unpackResults(part.packed, p * (part.end - part.first), part.end - part.first, results);
      return results;
    });
  }

  /** Stops the workers; scans still waiting are rejected. */
  async close(): Promise<void> {
    this.fail(new IriskError('INTERNAL', 'the gallery scanner was closed', { closed: true }));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private post(w: Worker, job: Omit<ScanJob, 'id'>): Promise<{ packed: Float64Array; full: number }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, ...job } satisfies ScanJob);
    });
  }

  /** Marks the pool failed (the first failure wins: a closed pool's workers exit too) and rejects every waiting scan with it. */
  private fail(e: IriskError): void {
    this.failure ??= e;
    this.rejectStart(this.failure);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

function deserialiseError(e: SerialisedError): IriskError {
  return new IriskError(e.code, e.message, e.details);
}
