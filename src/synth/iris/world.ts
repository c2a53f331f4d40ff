/**
 * A seeded world of synthetic near-infrared eye captures: option validation, rendering one
 * capture deterministically from (seed, subject, eye, capture), and writing a whole world as
 * images, valid-iris masks and a ground-truth manifest.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkInt, usage } from '../options.js';
import { encodePng, type GrayImage } from '../../lib/image.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { Rng } from '../../lib/rng.js';
import { sampleCapture, type CaptureConfig, type Difficulty, type ReflectionMode } from './capture.js';
import { buildEyeModel, eyeLabel, type EyeModel, type EyeSide } from './eye.js';
import { renderScene } from './render.js';
import { MANIFEST_COLUMNS, truthToRow, type IrisCaptureTruth } from './truth.js';

/** What world to generate. Sizes default to 640x480; both eyes unless `eyes` says otherwise. */
export interface IrisWorldOptions {
  subjects: number;
  captures: number;
  seed: number;
  width?: number;
  height?: number;
  eyes?: EyeSide[];
  /** Range of pupil/iris radius ratios, within [0.1, 0.8]; default [0.25, 0.55]. */
  pupilRatio?: [number, number];
  /** Ring of eight spots (CASIA-Iris-Interval), one spot, or a per-capture mix (default). */
  reflections?: ReflectionMode;
  /** Fraction of deliberately hard captures (heavy occlusion, defocus, motion, dim); default 0.07. */
  hardFraction?: number;
  /** Largest in-plane rotation in degrees; default 10. */
  maxRotationDeg?: number;
}

/** One rendered capture with its ground truth and valid-iris mask (255 = valid iris). */
export interface IrisCapture {
  image: GrayImage;
  truth: IrisCaptureTruth;
  mask: GrayImage;
  difficulty: Difficulty;
}

interface ResolvedWorld {
  seed: number;
  subjects: number;
  captures: number;
  eyes: EyeSide[];
  config: CaptureConfig;
}

/** Validates options and fills in defaults; throws IriskError USAGE on bad options. */
export function resolveIrisWorld(options: IrisWorldOptions): ResolvedWorld {
  const subjects = checkInt('subjects', options.subjects, 1, 1_000_000);
  const captures = checkInt('captures', options.captures, 1, 9_999);
  if (typeof options.seed !== 'number' || !Number.isInteger(options.seed)) {
    throw usage(`seed must be an integer, got ${String(options.seed)}`, { seed: options.seed });
  }
  const width = checkInt('width', options.width ?? 640, 64, 4096);
  const height = checkInt('height', options.height ?? 480, 64, 4096);
  const eyes = options.eyes ?? ['L', 'R'];
  if (eyes.length === 0 || eyes.some((e) => e !== 'L' && e !== 'R') || new Set(eyes).size !== eyes.length) {
    throw usage(`eyes must be a non-empty list of distinct 'L' and 'R', got ${JSON.stringify(eyes)}`, { eyes });
  }
  const pupilRatio = options.pupilRatio ?? [0.25, 0.55];
  const [lo, hi] = pupilRatio;
  if (!(typeof lo === 'number' && typeof hi === 'number' && lo >= 0.1 && hi <= 0.8 && lo <= hi)) {
    throw usage(`pupilRatio must be [lo, hi] with 0.1 <= lo <= hi <= 0.8, got ${JSON.stringify(pupilRatio)}`, { pupilRatio });
  }
  const reflections = options.reflections ?? 'mixed';
  if (!['ring', 'single', 'mixed'].includes(reflections)) {
    throw usage(`reflections must be 'ring', 'single' or 'mixed', got ${JSON.stringify(reflections)}`, { reflections });
  }
  const hardFraction = options.hardFraction ?? 0.07;
  if (!(typeof hardFraction === 'number' && hardFraction >= 0 && hardFraction <= 1)) {
    throw usage(`hardFraction must be between 0 and 1, got ${String(hardFraction)}`, { hardFraction });
  }
  const maxRotationDeg = options.maxRotationDeg ?? 10;
  if (!(typeof maxRotationDeg === 'number' && maxRotationDeg >= 0 && maxRotationDeg <= 45)) {
    throw usage(`maxRotationDeg must be between 0 and 45, got ${String(maxRotationDeg)}`, { maxRotationDeg });
  }
  return {
    seed: options.seed,
    subjects,
    captures,
    eyes: [...eyes],
    config: { width, height, pupilRatio: [lo, hi], reflections, hardFraction, maxRotationDeg },
  };
}

// Eye models are size-independent and cost a few milliseconds each; keep the recent ones.
const EYE_CACHE_SIZE = 16;
const eyeCache = new Map<string, EyeModel>();

function eyeModel(seed: number, subject: number, eye: EyeSide): EyeModel {
  const key = eyeLabel(seed, subject, eye);
  let model = eyeCache.get(key);
  if (model) {
    eyeCache.delete(key);
  } else {
    model = buildEyeModel(seed, subject, eye);
    if (eyeCache.size >= EYE_CACHE_SIZE) eyeCache.delete(eyeCache.keys().next().value!);
  }
  eyeCache.set(key, model);
  return model;
}

/** File stem of a capture, CASIA style: S0001L01. */
export function irisCaptureName(subject: number, eye: EyeSide, capture: number): string {
  return `S${String(subject).padStart(4, '0')}${eye}${String(capture).padStart(2, '0')}`;
}

function renderResolved(w: ResolvedWorld, subject: number, eye: EyeSide, capture: number): IrisCapture {
  const model = eyeModel(w.seed, subject, eye);
  const rng = new Rng(`${eyeLabel(w.seed, subject, eye)}/${capture}`);
  const params = sampleCapture(model, w.config, rng.fork('capture'));
  const { image, mask, validPixels } = renderScene(params, model.texture, rng.fork('pixels'));
  const { pupil, iris } = params;
  const annulus = Math.PI * (iris.r * iris.r - pupil.r * pupil.r);
  return {
    image,
    mask,
    difficulty: params.difficulty,
    truth: {
      pupil: { ...pupil },
      iris: { ...iris },
      upperLid: { ...params.upperLid },
      lowerLid: { ...params.lowerLid },
      rotationDeg: (params.rotationRad * 180) / Math.PI,
      pupilRatio: pupil.r / iris.r,
      visibleFraction: Math.min(1, validPixels / annulus),
    },
  };
}

/**
 * Renders capture `captureIndex` (1-based) of `eye` of `subject` (1-based). The result depends
 * only on the options' seed, size and ranges and on (subject, eye, capture), never on what was
 * rendered before.
 */
export function renderCapture(options: IrisWorldOptions, subject: number, eye: EyeSide, captureIndex: number): IrisCapture {
  const w = resolveIrisWorld(options);
  checkInt('subject', subject, 1, w.subjects);
  checkInt('capture', captureIndex, 1, w.captures);
  if (!w.eyes.includes(eye)) throw usage(`eye must be one of ${w.eyes.join(', ')}, got ${String(eye)}`, { eye });
  return renderResolved(w, subject, eye, captureIndex);
}

/**
 * Writes a world under `outDir`: images/S0001L01.png..., masks/S0001L01.png... and
 * manifest.csv (paths relative to outDir, one row per capture in subject, eye, capture order).
 */
export async function writeIrisWorld(
  outDir: string,
  options: IrisWorldOptions,
  progress: Progress = silentProgress,
): Promise<{ manifestPath: string; count: number }> {
  const w = resolveIrisWorld(options);
  await mkdir(join(outDir, 'images'), { recursive: true });
  await mkdir(join(outDir, 'masks'), { recursive: true });
  const lines: string[] = [MANIFEST_COLUMNS.join(',')];
  const total = w.subjects * w.eyes.length * w.captures;
  const pending = new Set<Promise<void>>();
  progress.start(total, 'synthetic iris');
  try {
    for (let subject = 1; subject <= w.subjects; subject++) {
      for (const eye of w.eyes) {
        for (let capture = 1; capture <= w.captures; capture++) {
          const c = renderResolved(w, subject, eye, capture);
          const name = irisCaptureName(subject, eye, capture);
          const imagePath = `images/${name}.png`;
          const maskPath = `masks/${name}.png`;
          const truth = truthToRow(c.truth);
          const row: Record<string, string> = {
            path: imagePath,
            subject: String(subject),
            eye,
            ...truth,
            mask_path: maskPath,
            capture: String(capture),
            difficulty: c.difficulty,
          };
          lines.push(MANIFEST_COLUMNS.map((k) => row[k]).join(','));
          // Encode and write in the background while the next capture renders.
          const job = (async () => {
            const [png, maskPng] = await Promise.all([encodePng(c.image), encodePng(c.mask)]);
            await Promise.all([writeFile(join(outDir, imagePath), png), writeFile(join(outDir, maskPath), maskPng)]);
            progress.tick();
          })();
          pending.add(job);
          void job.finally(() => pending.delete(job)).catch(() => {});
          if (pending.size >= 4) await Promise.race(pending);
        }
      }
    }
    await Promise.all(pending);
  } finally {
    progress.stop();
  }
  const manifestPath = join(outDir, 'manifest.csv');
  await writeFile(manifestPath, lines.join('\n') + '\n');
  return { manifestPath, count: total };
}
