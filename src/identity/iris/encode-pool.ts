/**
 * Encoding many image files on every core: a pool of worker threads, each running the pipeline;
 * with one worker (or one core) the same work runs in this thread. Results come back in input
 * order, whichever worker finished first.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { IriskError, isIriskError, type ErrorCode } from '../../lib/errors.js';
import { loadGray } from '../../lib/image.js';
import { workerSource } from '../../lib/worker-source.js';
import type { PipelineConfig } from './config.js';
import type { Circle } from './geometry.js';
import { encodeImage } from './pipeline.js';
import type { IrisTemplate } from './template.js';
import { encodeWithPadFeatures } from '../pad/capture.js';

/** One file to encode. */
export interface EncodeJob {
  index: number;
  path: string;
}

/**
 * What encoding one file gave: a template and its circles, or the code of the error that rejected
 * it; with `pad`, also the capture's PAD features (rejected captures included).
 */
export type EncodeOutcome = (
  | { index: number; ok: true; ms: number; template: IrisTemplate; pupil: Circle; iris: Circle }
  | { index: number; ok: false; ms: number; code: ErrorCode | 'INTERNAL'; message: string }
) & { padFeatures?: Float32Array };

/** Default worker count: the cores available, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Encodes every path (with PAD features when `pad`); `onDone` is called once per file as it finishes. */
export async function encodeFiles(paths: string[], config: PipelineConfig, workers = defaultWorkers(), onDone: () => void = () => {}, pad = false): Promise<EncodeOutcome[]> {
  const n = Math.max(1, Math.min(workers, paths.length));
  const outcomes = n <= 1 ? await encodeInThread(paths, config, onDone, pad) : await encodeInWorkers(paths, config, n, onDone, pad);
  const internal = outcomes.find((o) => !o.ok && o.code === 'INTERNAL');
  if (internal && !internal.ok) throw new Error(`encoding ${paths[internal.index]} failed: ${internal.message}`);
  return outcomes;
}

async function encodeInThread(paths: string[], config: PipelineConfig, onDone: () => void, pad: boolean): Promise<EncodeOutcome[]> {
  const out: EncodeOutcome[] = [];
  for (const [index, path] of paths.entries()) {
    out.push(await encodeOne({ index, path }, config, pad));
    onDone();
  }
  return out;
}

/**
 * Decodes and encodes one file (with PAD features when `pad`); a typed rejection is an outcome,
 * anything else throws.
 */
export async function encodeOne(job: EncodeJob, config: PipelineConfig, pad: boolean): Promise<EncodeOutcome> {
  const t0 = performance.now();
  const { index } = job;
  try {
    const image = await loadGray(job.path);
    if (pad) {
      const c = encodeWithPadFeatures(image, config);
      const ms = performance.now() - t0;
      if (c.encoded) return { index, ok: true, ms, template: c.encoded.template, pupil: c.encoded.pupil, iris: c.encoded.iris, padFeatures: c.features };
      return { index, ok: false, ms, code: c.error!.code, message: c.error!.message, padFeatures: c.features };
    }
    const r = encodeImage(image, config);
    return { index, ok: true, ms: performance.now() - t0, template: r.template, pupil: r.pupil, iris: r.iris };
  } catch (e) {
    if (!isIriskError(e)) throw e;
    return { index, ok: false, ms: performance.now() - t0, code: e.code, message: e.message };
  }
}

function encodeInWorkers(paths: string[], config: PipelineConfig, n: number, onDone: () => void, pad: boolean): Promise<EncodeOutcome[]> {
  const start = workerSource(import.meta.url, 'encode-worker');
  const outcomes: EncodeOutcome[] = new Array(paths.length);
  let next = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let settled = false;
    const stop = (): void => {
      settled = true;
      for (const w of pool) void w.terminate();
    };
    const feed = (w: Worker): void => {
      if (next < paths.length) {
        const job: EncodeJob = { index: next, path: paths[next]! };
        next++;
        w.postMessage(job);
      }
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(start.source, { workerData: { config, pad }, eval: start.eval });
      pool.push(w);
      w.on('message', (o: EncodeOutcome) => {
        outcomes[o.index] = o;
        finished++;
        onDone();
        if (finished === paths.length) {
          stop();
          resolve(outcomes);
        } else feed(w);
      });
      w.on('error', (e) => {
        if (settled) return;
        stop();
        reject(new IriskError('INTERNAL', `an encoding worker failed: ${e.message}`));
      });
      w.on('exit', (code) => {
        if (settled) return;
        stop();
        reject(new IriskError('INTERNAL', `an encoding worker exited with code ${code} before the work was done`));
      });
      feed(w);
    }
  });
}
