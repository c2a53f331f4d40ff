/**
 * One capture through the iris pipeline and the PAD feature extractor together: the pipeline's
 * circles and reflection mask feed the features, and a capture the pipeline rejects still gets a
 * feature vector (from the circles it found before failing, or the default ones), because a
 * rejection is itself a cue and a detector must score every presentation.
 */
import { isIriskError, type IriskError } from '../../lib/errors.js';
import type { GrayImage } from '../../lib/image.js';
import type { PipelineConfig } from '../iris/config.js';
import { encodeImage, type EncodeResult, type PipelineTrace } from '../iris/pipeline.js';
import { padFeatures } from './features.js';

/** The pipeline's outcome on one capture and the PAD features of that capture. */
export interface PadCapture {
  /** The encoded template and its measurements; null when the pipeline rejected the capture. */
  readonly encoded: EncodeResult | null;
  /** The typed error that rejected the capture, or null. */
  readonly error: IriskError | null;
  /** The PAD feature vector (PAD_FEATURE_NAMES order). */
  readonly features: Float32Array;
}

/** Encodes `image` and computes its PAD features; only errors that are not typed rejections escape. */
export function encodeWithPadFeatures(image: GrayImage, config: PipelineConfig): PadCapture {
  let trace: PipelineTrace | null = null;
  let encoded: EncodeResult | null = null;
  let error: IriskError | null = null;
  try {
    encoded = encodeImage(image, config, { onTrace: (t) => (trace = t) });
  } catch (e) {
    if (!isIriskError(e)) throw e;
    error = e;
  }
  return { encoded, error, features: capturePadFeatures(image, encoded, trace) };
}

/**
 * The PAD features of a capture given what the pipeline found: its circles (from the result, or
 * from the trace of a run that failed after segmenting; default circles without either) and the
 * reflection mask of its trace.
 */
export function capturePadFeatures(image: GrayImage, encoded: EncodeResult | null, trace: PipelineTrace | null): Float32Array {
  const pupil = encoded?.pupil ?? trace?.pupil;
  const iris = encoded?.iris ?? trace?.iris;
  return padFeatures(image, pupil && iris ? { pupil, iris } : null, trace?.specularMask);
}
