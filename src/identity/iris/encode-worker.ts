/**
 * Worker thread of the encoding pool: decodes and encodes the images it is sent, one at a time,
 * and posts back each template (or the typed error that rejected the image), with PAD features
 * when the pool asked for them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineConfig } from './config.js';
import { encodeOne, type EncodeJob, type EncodeOutcome } from './encode-pool.js';

const { config, pad } = workerData as { config: PipelineConfig; pad?: boolean };

parentPort!.on('message', async (job: EncodeJob) => {
  let outcome: EncodeOutcome;
  try {
    outcome = await encodeOne(job, config, pad === true);
  } catch (e) {
    outcome = { index: job.index, ok: false, ms: 0, code: 'INTERNAL', message: (e as Error).stack ?? String(e) };
  }
  const transfer: ArrayBuffer[] = [];
  if (outcome.ok) transfer.push(outcome.template.code.buffer as ArrayBuffer, outcome.template.mask.buffer as ArrayBuffer);
  if (outcome.padFeatures) transfer.push(outcome.padFeatures.buffer as ArrayBuffer);
  parentPort!.postMessage(outcome, transfer);
});
