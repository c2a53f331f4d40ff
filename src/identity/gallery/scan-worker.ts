/**
 * Worker thread of the parallel scan: makes its kernel (workerData.kernel: 'auto', 'wasm' or
 * 'native'), says which it got, then scans its slice of the shared gallery for every job and
 * posts the results back as one transferable array (or the job's error, typed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createGalleryKernel, type KernelKind } from './kernel.js';
import { GalleryLayout } from './layout.js';
import { packResults, serialiseError, type ScanJob, type WorkerReply } from './scan-parallel.js';

const port = parentPort!;
const post = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

const choice = createGalleryKernel((workerData as { kernel: KernelKind }).kernel);
choice.then(
  (c) => post({ type: 'ready', kernel: c.kernel.name, fallback: c.fallback }),
  (e: unknown) => post({ type: 'failed', error: serialiseError(e) }),
);

port.on('message', async (job: ScanJob) => {
  try {
    const { kernel } = await choice;
    const view = GalleryLayout.view(job.shape, new Uint16Array(job.buffer), job.first, job.end);
    const packed = packResults(kernel.scanManyCells(view, job.probes, job.params, job.options));
    post({ type: 'result', id: job.id, packed, full: kernel.lastFullComparisons }, [packed.buffer as ArrayBuffer]);
  } catch (e) {
    post({ type: 'error', id: job.id, error: serialiseError(e) });
  }
});
