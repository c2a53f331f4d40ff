/** Worker thread of readIntoShared: reads its byte range into the shared buffer, then says so. */
import { parentPort, workerData } from 'node:worker_threads';
import { isIriskError } from '../../lib/errors.js';
import { readRange, type ReadJob } from './read-parallel.js';

try {
  const job = workerData as Omit<ReadJob, 'into'> & { buffer: SharedArrayBuffer; length: number };
  readRange({ ...job, into: new Uint8Array(job.buffer, 0, job.length) });
  parentPort!.postMessage({});
} catch (e) {
  parentPort!.postMessage({ error: { code: isIriskError(e) ? e.code : 'INTERNAL', message: (e as Error).message } });
}
