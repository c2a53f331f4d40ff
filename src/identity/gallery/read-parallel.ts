/**
 * Reads a large file into shared memory on several threads at once. Filling fresh memory costs
 * a page fault per 4 kB page (the kernel zeroes each page before the copy), which on one thread
 * makes reading a 4 GB gallery three to four times slower than the copy itself; threads fault
 * their own ranges in parallel.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IriskError } from '../../lib/errors.js';
import { workerSource } from '../../lib/worker-source.js';

/** Bytes per read call (below the 2 GB a single call may move). */
export const IO_CHUNK = 1 << 30;
/** Files smaller than this are read on the calling thread (a worker costs more than it saves). */
const PARALLEL_FROM = 256 * 2 ** 20;

/** One thread's share: bytes [start, end) of the file into the same offsets of `into`. */
export interface ReadJob {
  path: string;
  into: Uint8Array;
  start: number;
  end: number;
}

/** Reads bytes [start, end) of `path` into `into` at the same offsets; STORE_CORRUPT when the file is shorter. */
export function readRange(job: ReadJob): void {
  const fd = openSync(job.path, 'r');
  try {
    for (let at = job.start; at < job.end; ) {
      const n = readSync(fd, job.into, at, Math.min(IO_CHUNK, job.end - at), at);
      if (n <= 0) throw new IriskError('STORE_CORRUPT', `${job.path} ended at byte ${at} of ${job.end}`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads the first `into.length` bytes of `path` into `into` (a view of a SharedArrayBuffer from offset 0), on up to `threads` threads. */
export async function readIntoShared(path: string, into: Uint8Array, threads = Math.min(4, availableParallelism())): Promise<void> {
  const n = into.length < PARALLEL_FROM ? 1 : Math.max(1, threads);
  if (n === 1) return readRange({ path, into, start: 0, end: into.length });
  const per = Math.ceil(into.length / n / 4096) * 4096;
  const start = workerSource(import.meta.url, 'read-worker');
  await Promise.all(
    Array.from({ length: n }, (_, k) => {
      // The buffer itself, not the view: a view of a SharedArrayBuffer over 4 GiB does not reach a worker intact.
      const job = { path, buffer: into.buffer, length: into.length, start: Math.min(into.length, k * per), end: Math.min(into.length, (k + 1) * per) };
      return new Promise<void>((resolve, reject) => {
        const w = new Worker(start.source, { eval: start.eval, workerData: job });
        w.once('message', (m: { error?: { code: string; message: string } }) => {
          void w.terminate();
          if (m.error) reject(m.error.code === 'STORE_CORRUPT' ? new IriskError('STORE_CORRUPT', m.error.message) : new IriskError('INTERNAL', `reading ${path}: ${m.error.message}`));
          else resolve();
        });
        w.once('error', (e) => reject(new IriskError('INTERNAL', `reading ${path}: ${e.message}`)));
        w.once('exit', (code) => reject(new IriskError('INTERNAL', `reading ${path}: a reader thread exited (code ${code}) before it finished`)));
      });
    }),
  );
}
