/**
 * Rendering one presentation of an eye in front of the camera: draw the capture's variation
 * from a random stream, render the scene, and package the image with its ground truth. Live
 * captures and the attacks that need a live-looking eye (the photo behind a print or a screen,
 * an eye wearing a cosmetic lens, a glass eye) all go through here.
 */
import type { GrayImage } from '../../lib/image.js';
import type { Rng } from '../../lib/rng.js';
import { sampleCapture, type CaptureConfig, type CaptureParams, type Difficulty } from './capture.js';
import { buildEyeModel, eyeLabel, type EyeModel, type EyeSide } from './eye.js';
import { renderScene, type SceneOverlay } from './render.js';
import type { IrisCaptureTruth } from './truth.js';

/** One rendered capture with its ground truth and valid-iris mask (255 = valid iris). */
export interface IrisCapture {
  image: GrayImage;
  truth: IrisCaptureTruth;
  mask: GrayImage;
  difficulty: Difficulty;
}

/** Optional changes to a presentation: edit the sampled parameters, draw over the open eye. */
export interface PresentationHooks {
  /** Receives the sampled capture parameters and returns the ones to render. */
  tweak?: (p: CaptureParams) => CaptureParams;
  overlay?: SceneOverlay;
}

// Eye models are size-independent and cost a few milliseconds each; keep the recent ones.
const EYE_CACHE_SIZE = 16;
const eyeCache = new Map<string, EyeModel>();

/** The eye of (seed, subject, side), built once and kept in a small LRU cache. */
export function cachedEyeModel(seed: number, subject: number, eye: EyeSide): EyeModel {
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

/**
 * Renders one presentation of `model` from the random stream `rng` (its 'capture' fork draws the
 * variation, its 'pixels' fork the pixel noise). Without hooks this is exactly a live capture.
 */
export function renderPresentation(model: EyeModel, config: CaptureConfig, rng: Rng, hooks: PresentationHooks = {}): IrisCapture {
  const sampled = sampleCapture(model, config, rng.fork('capture'));
  const params = hooks.tweak ? hooks.tweak(sampled) : sampled;
  const { image, mask, validPixels } = renderScene(params, model.texture, rng.fork('pixels'), hooks.overlay);
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
