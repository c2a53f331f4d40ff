/**
 * Worker thread of the encoding pool: decodes and encodes the images it is sent, one at a time,
 * and posts back each template (or the typed error that rejected the image).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isIriskError } from '../../lib/errors.js';
import { loadGray } from '../../lib/image.js';
import type { PipelineConfig } from './config.js';
import { encodeImage } from './pipeline.js';
import type { EncodeJob, EncodeOutcome } from './encode-pool.js';

const config = (workerData as { config: PipelineConfig }).config;

parentPort!.on('message', async (job: EncodeJob) => {
  const t0 = performance.now();
  let outcome: EncodeOutcome;
  try {
    const r = encodeImage(await loadGray(job.path), config);
    const { template } = r;
    outcome = { index: job.index, ok: true, ms: performance.now() - t0, template, pupil: r.pupil, iris: r.iris };
    parentPort!.postMessage(outcome, [template.code.buffer as ArrayBuffer, template.mask.buffer as ArrayBuffer]);
    return;
  } catch (e) {
    outcome = isIriskError(e)
      ? { index: job.index, ok: false, ms: performance.now() - t0, code: e.code, message: e.message }
      : { index: job.index, ok: false, ms: performance.now() - t0, code: 'INTERNAL', message: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(outcome);
});
