/**
 * Renders attack presentations: prints and screens re-captured from a photo of a subject's
 * eye, a subject's eye wearing a cosmetic lens, and glass eyes that belong to nobody. Each
 * presentation draws only from its own random stream (see attackRng), so it is a pure function
 * of (world seed, frame options, species, target, eye, index).
 */
import type { Rng } from '../../../lib/rng.js';
import type { CaptureConfig } from '../capture.js';
import type { EyeSide } from '../eye.js';
import { cachedEyeModel, renderPresentation, type IrisCapture } from '../live.js';
import type { Glare } from './glare.js';
import { LENS_PRODUCTS, lensOverlay, sampleLensDesign, sampleLensFit } from './lens.js';
import { PRINT_RECAPTURE, printRadiance, printSourceHooks, samplePrint, sampleSheen } from './print.js';
import { prostheticHooks, prostheticModel, sampleProsthetic, type ProstheticParams } from './prosthetic.js';
import { recapture, sampleRecapture, type Radiance, type RecaptureParams } from './recapture.js';
import { RecaptureGeometry } from './recapture-geometry.js';
import { SCREEN_RECAPTURE, sampleScreen, sampleScreenGlare, screenRadiance } from './screen.js';
import { attackRng, type AttackParamRecord, type AttackSpecies } from './species.js';

/** What attacks need to know about the world. */
export interface AttackWorld {
  seed: number;
  config: CaptureConfig;
}

/** An attack presentation: the capture, its species and the parameters that made it. */
export interface AttackPresentation extends IrisCapture {
  species: AttackSpecies;
  params: AttackParamRecord;
}

/** Species made from a subject's own eye (one presentation per subject eye and index). */
export type SubjectAttackSpecies = Exclude<AttackSpecies, 'prosthetic'>;

/**
 * Flattens nested parameters into `a.b=value` entries: numbers, strings and booleans as they
 * are, numeric arrays joined with '/', null and undefined left out.
 */
export function flattenParams(value: Record<string, unknown>, prefix = ''): AttackParamRecord {
  const out: AttackParamRecord = {};
  for (const [k, v] of Object.entries(value)) {
    const key = prefix + k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out[key] = v.map((x) => Number(x.toPrecision(4))).join('/');
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>, `${key}.`));
  }
  return out;
}

/** Attackers pick a good photo: the source of an artefact is an ordinary (never hard) capture. */
function sourceConfig(w: AttackWorld): CaptureConfig {
  return { ...w.config, hardFraction: 0 };
}

/** A flat artefact in front of the camera: what it shows, what it mirrors, what made it. */
interface Artefact {
  radiance: Radiance;
  glare: Glare[];
  params: Record<string, unknown>;
  source: IrisCapture;
}

function printArtefact(w: AttackWorld, subject: number, eye: EyeSide, rng: Rng): Artefact {
  const params = samplePrint(rng.fork('params'));
  const source = renderPresentation(cachedEyeModel(w.seed, subject, eye), sourceConfig(w), rng.fork('source'), printSourceHooks(params));
  const glare = sampleSheen(rng.fork('glare'), params, w.config.width, w.config.height);
  return { radiance: printRadiance(source, params, rng.fork('medium')), glare, params: { ...params }, source };
}

function screenArtefact(w: AttackWorld, subject: number, eye: EyeSide, rng: Rng, pose: RecaptureParams): Artefact {
  const params = sampleScreen(rng.fork('params'));
  const source = renderPresentation(cachedEyeModel(w.seed, subject, eye), sourceConfig(w), rng.fork('source'));
  const glare = sampleScreenGlare(rng.fork('glare'), params, w.config.width, w.config.height);
  const footprint = 1 / (pose.supersample * pose.zoom); // photo pixels per camera sample
  return { radiance: screenRadiance(source, params, footprint), glare, params: { ...params }, source };
}

/** A print or screen: photograph the artefact, carry the photo's truth and mask through the pose. */
function recaptured(species: 'print' | 'screen', w: AttackWorld, subject: number, eye: EyeSide, index: number): AttackPresentation {
  const rng = attackRng(w.seed, species, String(subject), eye, index);
  const { width, height } = w.config;
  const pose = sampleRecapture(rng.fork('recapture'), species === 'print' ? PRINT_RECAPTURE : SCREEN_RECAPTURE, width, height);
  const a = species === 'print' ? printArtefact(w, subject, eye, rng) : screenArtefact(w, subject, eye, rng, pose);
  const geometry = new RecaptureGeometry(width, height, pose);
  const data = recapture(geometry, pose, a.radiance, a.glare, rng.fork('sensor'));
  const mask = geometry.mask(a.source.mask);
  const glare = a.glare.map((g) => g.shape).join('+') || 'none';
  return {
    image: { width, height, data },
    mask,
    truth: geometry.truth(a.source.truth, mask),
    difficulty: 'normal',
    species,
    params: flattenParams({ ...a.params, glare, recapture: pose }),
  };
}

/** The subject's eye wearing a textured cosmetic lens, captured live. */
function lensAttack(w: AttackWorld, subject: number, eye: EyeSide, index: number): AttackPresentation {
  const rng = attackRng(w.seed, 'lens', String(subject), eye, index);
  const fit = rng.fork('params');
  const product = fit.int(1, LENS_PRODUCTS);
  const params = sampleLensFit(fit, product, sampleLensDesign(attackRng(w.seed, 'lens', `product${product}`, '-', 0)));
  const capture = renderPresentation(cachedEyeModel(w.seed, subject, eye), sourceConfig(w), rng.fork('source'), { overlay: lensOverlay(params) });
  return { ...capture, species: 'lens', params: flattenParams({ ...params }) };
}

/**
 * Presentation `index` (1-based) of `species` against `eye` of `subject`: a print or screen
 * re-capture of a photo of that eye, or the eye wearing a cosmetic lens.
 */
export function renderSubjectAttack(w: AttackWorld, species: SubjectAttackSpecies, subject: number, eye: EyeSide, index: number): AttackPresentation {
  return species === 'lens' ? lensAttack(w, subject, eye, index) : recaptured(species, w, subject, eye, index);
}

/** Fake eye number `fakeEye` (1-based) of the world: the same eye in all its presentations. */
export function prostheticEye(seed: number, fakeEye: number): ProstheticParams {
  return sampleProsthetic(attackRng(seed, 'prosthetic', `P${fakeEye}`, 'eye', 0).fork('params'));
}

/** Presentation `index` (1-based) of fake eye `fakeEye`. */
export function renderProstheticAttack(w: AttackWorld, fakeEye: number, index: number): AttackPresentation {
  const params = prostheticEye(w.seed, fakeEye);
  const model = prostheticModel(w.seed, fakeEye, params, attackRng(w.seed, 'prosthetic', `P${fakeEye}`, 'eye', 0).fork('texture'));
  const rng = attackRng(w.seed, 'prosthetic', `P${fakeEye}`, params.side, index);
  const capture = renderPresentation(model, sourceConfig(w), rng.fork('source'), prostheticHooks(params, rng.fork('gloss')));
  return { ...capture, species: 'prosthetic', params: flattenParams({ ...params }) };
}
