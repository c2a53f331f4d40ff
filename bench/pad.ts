/**
 * `npm run bench -- pad`: what presentation-attack detection adds to encoding one 640x480 image
 * (budget: at most 10 ms p50), against encoding alone measured in the same run on the same
 * images, interleaved image by image; the PAD feature extraction and the scoring on their own;
 * the model's size. The detector is trained on a seeded synthetic world with every attack
 * species (generated once and cached under the OS temp directory).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeImage, type PipelineTrace } from '../src/identity/iris/pipeline.js';
import { capturePadFeatures } from '../src/identity/pad/capture.js';
import { padVerdictOf } from '../src/identity/pad/check.js';
import { loadPadDataset } from '../src/identity/pad/dataset.js';
import { fittedDetector } from '../src/identity/pad/detector.js';
import { fitPadDetector } from '../src/identity/pad/train.js';
import { decodeGray, type GrayImage } from '../src/lib/image.js';
import { terminalProgress } from '../src/lib/progress.js';
import { writeIrisWorld, type IrisWorldOptions } from '../src/synth/iris/index.js';
import { percentile, report } from './report.js';

const WORLD: IrisWorldOptions = { subjects: 16, captures: 3, seed: 2026, attacks: { species: ['print', 'screen', 'lens', 'prosthetic'] } };
const BUDGET_ADDED_MS = 10;

function log(message: string): void {
  process.stderr.write(`pad: ${message}\n`);
}

/** The training world, generated on first use. */
async function cachedWorld(): Promise<string> {
  const dir = join(tmpdir(), `irisk-bench-pad-world-s${WORLD.subjects}-c${WORLD.captures}-seed${WORLD.seed}`);
  if (existsSync(join(dir, 'manifest.csv'))) return dir;
  log(`generating the training world into ${dir} (once)`);
  await writeIrisWorld(dir, WORLD, terminalProgress());
  return dir;
}

/** Runs the PAD benchmarks. */
export async function benchPad(): Promise<void> {
  const world = await cachedWorld();
  log('featurising and training the detector');
  const ds = await loadPadDataset(world, { requireAttacks: true, progress: terminalProgress() });
  const rows = [...Array(ds.data.rows).keys()];
  const fitted = fitPadDetector(ds.data, rows, { seed: 1 });
  const detector = fittedDetector(fitted);

  // The live 640x480 captures, decoded: what a service holds before encoding.
  const live = ds.items.filter((i) => i.species === 'bona_fide');
  const images: GrayImage[] = [];
  for (const item of live) images.push(await decodeGray(await readFile(item.path)));

  const plain = (img: GrayImage): void => {
    try {
      encodeImage(img);
    } catch {
      // a rejection still costs its time
    }
  };
  const withPad = (img: GrayImage): void => {
    let trace: PipelineTrace | null = null;
    try {
      const r = encodeImage(img, undefined, { onTrace: (t) => (trace = t) });
      padVerdictOf(detector, img, r, trace);
    } catch {
      // rejected before PAD
    }
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const img of images) {
      plain(img);
      withPad(img);
    }
  }

  const plainMs: number[] = [];
  const padMs: number[] = [];
  const addedMs: number[] = [];
  for (const img of images) {
    let t0 = performance.now();
    plain(img);
    const a = performance.now() - t0;
    t0 = performance.now();
    withPad(img);
    const b = performance.now() - t0;
    plainMs.push(a);
    padMs.push(b);
    addedMs.push(b - a);
  }
  const featureMs: number[] = [];
  const scoreMs: number[] = [];
  for (const img of images) {
    let trace: PipelineTrace | null = null;
    let r;
    try {
      r = encodeImage(img, undefined, { onTrace: (t) => (trace = t) });
    } catch {
      continue;
    }
    let t0 = performance.now();
    const x = capturePadFeatures(img, r, trace);
    featureMs.push(performance.now() - t0);
    t0 = performance.now();
    detector.score(x);
    scoreMs.push(performance.now() - t0);
  }
  const added = percentile(padMs, 0.5) - percentile(plainMs, 0.5);
  report({
    bench: 'pad',
    metric: 'pad_added_ms_p50',
    value: added,
    unit: 'ms',
    budget: BUDGET_ADDED_MS,
    withinBudget: added <= BUDGET_ADDED_MS,
    baseline: 'encoding alone (p50, same images, interleaved)',
    baselineValue: percentile(plainMs, 0.5),
    ratio: percentile(padMs, 0.5) / percentile(plainMs, 0.5),
    note: `${images.length} live 640x480 captures; encode+PAD p50 ${percentile(padMs, 0.5).toFixed(1)} ms; per-image added time p50 ${percentile(addedMs, 0.5).toFixed(1)} ms, p95 ${percentile(addedMs, 0.95).toFixed(1)} ms; ratio = (encode+PAD) / encode`,
  });
  report({ bench: 'pad', metric: 'pad_features_ms_p50', value: percentile(featureMs, 0.5), unit: 'ms', note: `p95 ${percentile(featureMs, 0.95).toFixed(2)} ms; 80 features from the pipeline's circles and reflection mask` });
  report({ bench: 'pad', metric: 'pad_score_us_p50', value: 1000 * percentile(scoreMs, 0.5), unit: 'us', note: `${fitted.params.rounds} trees of depth <= ${fitted.params.maxDepth}` });
  report({ bench: 'pad', metric: 'pad_model_bytes', value: detector.sizeBytes, unit: 'bytes', note: `XGBoost JSON, ${fitted.params.rounds} trees, trained on ${rows.length} presentations` });
}
