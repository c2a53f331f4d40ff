/**
 * The whole-gallery scan on every core: worker threads that each scan a contiguous slice of the
 * gallery, read in place from its SharedArrayBuffer, with their own WebAssembly kernel. Results
 * come back in slot order and equal the single-thread scan's.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IriskError } from '../../lib/errors.js';
import { workerSource } from '../../lib/worker-source.js';
import { DEFAULT_MATCH_PARAMS, type MatchParams, type MatchResult } from '../iris/matcher.js';
import type { IrisTemplate } from '../iris/template.js';
import { templateCells, type GalleryLayout } from './layout.js';
import type { ScanOptions } from './scan-wasm.js';

/** One worker's share of a scan. */
export interface ScanJob {
  id: number;
  buffer: ArrayBufferLike;
  first: number;
  end: number;
  probe: Uint16Array;
  options: ScanOptions;
}

const FIELDS = 4;

/** Results as one Float64Array (distance, raw distance, rotation, overlap per template), to transfer. */
export function packResults(results: readonly MatchResult[]): Float64Array {
  const out = new Float64Array(results.length * FIELDS);
  results.forEach((r, i) => out.set([r.distance, r.rawDistance, r.rotation, r.overlapBits], i * FIELDS));
  return out;
}

function unpackResults(packed: Float64Array, into: MatchResult[]): void {
  for (let i = 0; i < packed.length; i += FIELDS) into.push({ distance: packed[i]!, rawDistance: packed[i + 1]!, rotation: packed[i + 2]!, overlapBits: packed[i + 3]! });
}

/** A pool of scan workers; `close()` when done. */
export class ParallelGalleryScanner {
  private readonly workers: Worker[];
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (p: Float64Array) => void; reject: (e: Error) => void }>();

  /** `workers`: threads (default: the available cores, at most 8). */
  constructor(workers = Math.max(1, Math.min(8, availableParallelism()))) {
    const start = workerSource(import.meta.url, 'scan-worker');
    this.workers = Array.from({ length: workers }, () => {
      const w = new Worker(start.source, { eval: start.eval });
      w.on('message', (m: { id: number; packed: Float64Array }) => {
        this.pending.get(m.id)?.resolve(m.packed);
        this.pending.delete(m.id);
      });
      w.on('error', (e) => this.failAll(new IriskError('INTERNAL', `a gallery scan worker failed: ${e.message}`)));
      return w;
    });
  }

  /** `probe` against every gallery template, in slot order (as `matchReference(probe, t)`; `options` as WasmGalleryScanner's). */
  async scan(gallery: GalleryLayout, probe: IrisTemplate, params: MatchParams = DEFAULT_MATCH_PARAMS, options: ScanOptions = {}): Promise<MatchResult[]> {
    const cells = templateCells(probe);
    const n = gallery.size;
    const per = Math.ceil(n / this.workers.length);
    const buffer = gallery.words.buffer;
    const parts = this.workers.map((w, k) => {
      const first = Math.min(n, k * per);
      const end = Math.min(n, first + per);
      if (first >= end) return Promise.resolve(new Float64Array(0));
      const id = this.nextId++;
      return new Promise<Float64Array>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.postMessage({ id, buffer, first, end, probe: cells, options, shape: gallery.shape, params });
      });
    });
    const results: MatchResult[] = [];
    for (const packed of await Promise.all(parts)) unpackResults(packed, results);
    return results;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
