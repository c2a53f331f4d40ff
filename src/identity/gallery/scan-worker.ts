/**
 * Worker thread of the parallel scan: scans its slice of the shared gallery with its own
 * WebAssembly kernel and posts the results back as one transferable array.
 */
import { parentPort } from 'node:worker_threads';
import type { MatchParams } from '../iris/matcher.js';
import type { TemplateShape } from '../iris/template.js';
import { GalleryLayout } from './layout.js';
import { WasmGalleryScanner } from './scan-wasm.js';
import { packResults, type ScanJob } from './scan-parallel.js';

const scanner = new WasmGalleryScanner();

parentPort!.on('message', (job: ScanJob & { shape: TemplateShape; params: MatchParams }) => {
  const view = GalleryLayout.view(job.shape, new Uint16Array(job.buffer), job.first, job.end);
  const packed = packResults(scanner.scanCells(view, job.probe, job.params, job.options));
  parentPort!.postMessage({ id: job.id, packed }, [packed.buffer as ArrayBuffer]);
});
