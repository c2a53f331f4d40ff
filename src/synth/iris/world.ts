/**
 * A seeded world of synthetic near-infrared eye captures: option validation, rendering one
 * capture deterministically from (seed, subject, eye, capture), and writing a whole world as
 * images, valid-iris masks and a ground-truth manifest, optionally with presentation attacks
 * (print, screen, lens, prosthetic) beside the live captures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkInt, usage } from '../options.js';
import { encodePng } from '../../lib/image.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { Rng } from '../../lib/rng.js';
import type { CaptureConfig, ReflectionMode } from './capture.js';
import { eyeLabel, type EyeSide } from './eye.js';
import { cachedEyeModel, renderPresentation, type IrisCapture } from './live.js';
import { MANIFEST_COLUMNS, truthToRow } from './truth.js';
import {
  prostheticEye,
  renderProstheticAttack,
  renderSubjectAttack,
  type AttackPresentation,
  type SubjectAttackSpecies,
} from './attacks/present.js';
import {
  BONA_FIDE,
  checkSpecies,
  formatAttackParams,
  resolveAttacks,
  type AttackParamRecord,
  type AttackSpecies,
  type IrisAttackOptions,
  type PresentationSpecies,
  type ResolvedAttacks,
} from './attacks/species.js';

export type { IrisCapture } from './live.js';

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
  /** Presentation attacks to add beside the live captures (docs/synthetic-iris.md). */
  attacks?: IrisAttackOptions;
}

interface ResolvedWorld {
  seed: number;
  subjects: number;
  captures: number;
  eyes: EyeSide[];
  config: CaptureConfig;
  attacks: ResolvedAttacks | null;
}

/** Validates options and fills in defaults; throws IriskError USAGE on bad options. */
export function resolveIrisWorld(options: IrisWorldOptions): ResolvedWorld {
  if (options === null || typeof options !== 'object') throw usage('options must be an object');
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
    attacks: resolveAttacks(options.attacks, subjects),
  };
}

/** File stem of a capture, CASIA style: S0001L01. */
export function irisCaptureName(subject: number, eye: EyeSide, capture: number): string {
  return `S${String(subject).padStart(4, '0')}${eye}${String(capture).padStart(2, '0')}`;
}

function renderResolved(w: ResolvedWorld, subject: number, eye: EyeSide, capture: number): IrisCapture {
  const model = cachedEyeModel(w.seed, subject, eye);
  return renderPresentation(model, w.config, new Rng(`${eyeLabel(w.seed, subject, eye)}/${capture}`));
}

/**
 * Renders capture `captureIndex` (1-based) of `eye` of `subject` (1-based). The result depends
 * only on the options' seed, size and ranges and on (subject, eye, capture), never on what was
 * rendered before.
 */
export function renderCapture(options: IrisWorldOptions, subject: number, eye: EyeSide, captureIndex: number): IrisCapture {
  const w = resolveIrisWorld(options);
  checkEye(w, subject, eye);
  checkInt('capture', captureIndex, 1, w.captures);
  return renderResolved(w, subject, eye, captureIndex);
}

/** Checks that (subject, eye) is an eye of the world. */
function checkEye(w: ResolvedWorld, subject: number, eye: EyeSide): void {
  checkInt('subject', subject, 1, w.subjects);
  if (!w.eyes.includes(eye)) throw usage(`eye must be one of ${w.eyes.join(', ')}, got ${String(eye)}`, { eye });
}

/**
 * Renders attack presentation `index` (1-based) of `species` (print, screen or lens) against
 * `eye` of `subject`. Like live captures it depends only on the options' seed, size and ranges
 * and on its arguments; `options.attacks` need not list the species.
 */
export function renderAttack(options: IrisWorldOptions, species: SubjectAttackSpecies, subject: number, eye: EyeSide, index: number): AttackPresentation {
  const w = resolveIrisWorld(options);
  if (checkSpecies(species) === 'prosthetic') throw usage('prosthetic eyes belong to no subject: use renderProsthetic', { species });
  checkEye(w, subject, eye);
  checkInt('index', index, 1, 99);
  return renderSubjectAttack(w, species, subject, eye, index);
}

/** Renders presentation `index` (1-based) of fake eye `fakeEye` (1-based), a glass or doll eye of the world. */
export function renderProsthetic(options: IrisWorldOptions, fakeEye: number, index: number): AttackPresentation {
  const w = resolveIrisWorld(options);
  checkInt('fakeEye', fakeEye, 1, 100_000);
  checkInt('index', index, 1, 99);
  return renderProstheticAttack(w, fakeEye, index);
}

/** File stem of an attack presentation: S0001L-print01, or P0003R-prosthetic01 for fake eye 3. */
export function irisAttackName(species: AttackSpecies, target: number, eye: EyeSide, index: number): string {
  const letter = species === 'prosthetic' ? 'P' : 'S';
  return `${letter}${String(target).padStart(4, '0')}${eye}-${species}${String(index).padStart(2, '0')}`;
}

/** One image of a world as planned: its file stem, manifest identity and how to render it. */
interface PlannedImage {
  stem: string;
  subject: string;
  eye: EyeSide;
  capture: number;
  species: PresentationSpecies;
  render: () => IrisCapture & { params?: AttackParamRecord };
}

/**
 * The images of a world in manifest order: for each subject and eye its live captures, then its
 * print, screen and lens presentations; the prosthetic eyes last.
 */
function* planWorld(w: ResolvedWorld): Generator<PlannedImage> {
  const attacks = w.attacks;
  const subjectSpecies = (attacks?.species ?? []).filter((s): s is SubjectAttackSpecies => s !== 'prosthetic');
  for (let subject = 1; subject <= w.subjects; subject++) {
    for (const eye of w.eyes) {
      const id = { subject: String(subject), eye };
      for (let capture = 1; capture <= w.captures; capture++) {
        yield { ...id, stem: irisCaptureName(subject, eye, capture), capture, species: BONA_FIDE, render: () => renderResolved(w, subject, eye, capture) };
      }
      for (const species of subjectSpecies) {
        for (let k = 1; k <= attacks!.perEye; k++) {
          yield { ...id, stem: irisAttackName(species, subject, eye, k), capture: k, species, render: () => renderSubjectAttack(w, species, subject, eye, k) };
        }
      }
    }
  }
  if (!attacks?.species.includes('prosthetic')) return;
  for (let fake = 1; fake <= attacks.prosthetics; fake++) {
    const eye = prostheticEye(w.seed, fake).side;
    for (let k = 1; k <= attacks.perEye; k++) {
      yield { subject: `P${fake}`, eye, stem: irisAttackName('prosthetic', fake, eye, k), capture: k, species: 'prosthetic', render: () => renderProstheticAttack(w, fake, k) };
    }
  }
}

/** How many images a world holds: live captures and attack presentations. */
function countImages(w: ResolvedWorld): { live: number; attacks: number } {
  const live = w.subjects * w.eyes.length * w.captures;
  const a = w.attacks;
  if (!a) return { live, attacks: 0 };
  const perSubjectEye = a.species.filter((s) => s !== 'prosthetic').length * a.perEye;
  const prosthetic = a.species.includes('prosthetic') ? a.prosthetics * a.perEye : 0;
  return { live, attacks: w.subjects * w.eyes.length * perSubjectEye + prosthetic };
}

/** The manifest cells of one rendered image. */
function manifestRow(item: PlannedImage, c: IrisCapture & { params?: AttackParamRecord }): string {
  const row: Record<string, string> = {
    path: `images/${item.stem}.png`,
    subject: item.subject,
    eye: item.eye,
    ...truthToRow(c.truth),
    mask_path: `masks/${item.stem}.png`,
    capture: String(item.capture),
    difficulty: c.difficulty,
    species: item.species,
    attack_params: c.params ? formatAttackParams(c.params) : '',
  };
  return MANIFEST_COLUMNS.map((k) => row[k]).join(',');
}

/** What writeIrisWorld wrote. */
export interface IrisWorldWritten {
  manifestPath: string;
  /** Images written, live and attacks. */
  count: number;
  bonaFideCount: number;
  attackCount: number;
}

/**
 * Writes a world under `outDir`: images/S0001L01.png..., masks/S0001L01.png... and
 * manifest.csv (paths relative to outDir; for each subject and eye its live captures in capture
 * order, then its attack presentations; prosthetic eyes last). The `species` column says
 * `bona_fide` for live captures.
 */
export async function writeIrisWorld(outDir: string, options: IrisWorldOptions, progress: Progress = silentProgress): Promise<IrisWorldWritten> {
  const w = resolveIrisWorld(options);
  await mkdir(join(outDir, 'images'), { recursive: true });
  await mkdir(join(outDir, 'masks'), { recursive: true });
  const lines: string[] = [MANIFEST_COLUMNS.join(',')];
  const counts = countImages(w);
  const total = counts.live + counts.attacks;
  const pending = new Set<Promise<void>>();
  progress.start(total, 'synthetic iris');
  try {
    for (const item of planWorld(w)) {
      const c = item.render();
      lines.push(manifestRow(item, c));
      // Encode and write in the background while the next image renders.
      const job = (async () => {
        const [png, maskPng] = await Promise.all([encodePng(c.image), encodePng(c.mask)]);
        await Promise.all([writeFile(join(outDir, 'images', `${item.stem}.png`), png), writeFile(join(outDir, 'masks', `${item.stem}.png`), maskPng)]);
        progress.tick();
      })();
      pending.add(job);
      void job.finally(() => pending.delete(job)).catch(() => {});
      if (pending.size >= 4) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    progress.stop();
  }
  const manifestPath = join(outDir, 'manifest.csv');
  await writeFile(manifestPath, lines.join('\n') + '\n');
  return { manifestPath, count: total, bonaFideCount: counts.live, attackCount: counts.attacks };
}
