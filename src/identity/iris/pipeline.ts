/**
 * The iris pipeline: image -> reflections removed -> pupil -> limbus -> normalised iris ->
 * occlusion mask -> template -> quality gates. Each stage is timed, and with `trace` its
 * intermediate results are kept for debug images and the error gallery.
 */
import type { GrayImage } from '../../lib/image.js';
import { toFloat, type FloatImage } from '../../lib/imageops.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineConfig } from './config.js';
import { encodeIris } from './gabor.js';
import type { Circle } from './geometry.js';
import { locateLimbus } from './limbus.js';
import { normalizeIris, type NormalizedIris } from './normalize.js';
import { occlusionMask, type OcclusionResult } from './occlusion.js';
import { locatePupil } from './pupil.js';
import { applyQualityGates, geometryMetrics, sharpness, type QualityMetrics } from './quality.js';
import { removeSpecular } from './specular.js';
import { WorkingImage } from './working-image.js';
import { maskedFraction, type IrisTemplate } from './template.js';

/** Intermediate results kept when tracing. */
export interface PipelineTrace {
  image?: GrayImage;
  inpainted?: FloatImage;
  specularMask?: Uint8Array;
  pupil?: Circle;
  iris?: Circle;
  normalized?: NormalizedIris;
  occlusion?: OcclusionResult;
  template?: IrisTemplate;
  metrics?: QualityMetrics;
  timings: { stage: string; ms: number }[];
}

/** What encoding an image yields. */
export interface EncodeResult {
  readonly template: IrisTemplate;
  readonly pupil: Circle;
  readonly iris: Circle;
  readonly metrics: QualityMetrics;
  /** Milliseconds spent in each stage. */
  readonly timings: { stage: string; ms: number }[];
  readonly trace?: PipelineTrace;
}

/** Options of one run. */
export interface RunOptions {
  /** Keep intermediate results (for debug images). */
  readonly trace?: boolean;
  /** Optional sink that receives the trace even when a stage throws. */
  readonly onTrace?: (trace: PipelineTrace) => void;
}

/** Runs the pipeline on a decoded grayscale image. Throws typed errors on quality failures. */
export function encodeImage(image: GrayImage, config: PipelineConfig = DEFAULT_PIPELINE_CONFIG, options: RunOptions = {}): EncodeResult {
  const trace: PipelineTrace = { timings: [] };
  const keep = options.trace === true || options.onTrace !== undefined;
  const p = config.params;
  const has = (s: string): boolean => config.stages.includes(s as never);
  const timed = <T>(stage: string, fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    trace.timings.push({ stage, ms: performance.now() - t0 });
    return out;
  };
  if (keep) trace.image = image;
  try {
    const raw = toFloat(image);
    let work = raw;
    let specularMask: Uint8Array = new Uint8Array(raw.data.length);
    if (has('specular')) {
      const s = timed('specular', () => removeSpecular(raw, p.specular));
      work = s.inpainted;
      specularMask = s.mask;
      if (keep) { trace.inpainted = work; trace.specularMask = specularMask; }
    }
    const shared = new WorkingImage(work);
    const pupil = timed('pupil', () => locatePupil(shared, p.pupil)).circle;
    if (keep) trace.pupil = pupil;
    const iris = timed('limbus', () => locateLimbus(shared, pupil, p.limbus)).circle;
    if (keep) trace.iris = iris;
    const geometry = geometryMetrics(pupil, iris);
    const normalized = timed('normalize', () => normalizeIris(work, pupil, iris, p.normalize));
    if (keep) trace.normalized = normalized;
    const occlusion = timed('occlusion', () => occlusionMask(normalized, excludedSamples(normalized, specularMask, image.width), p.occlusion));
    if (keep) trace.occlusion = occlusion;
    const template = timed('encode', () => encodeIris(normalized, occlusion.valid, p.encode));
    if (keep) trace.template = template;
    const metrics: QualityMetrics = {
      ...geometry,
      visibleFraction: occlusion.visibleFraction,
      sharpness: sharpness(normalized.image, occlusion.valid, normalized.rows, normalized.cols, occlusion.irisSpread),
      unmaskedBitFraction: maskedFraction(template),
    };
    if (keep) trace.metrics = metrics;
    if (has('quality')) timed('quality', () => applyQualityGates(metrics, p.quality));
    return { template, pupil, iris, metrics, timings: trace.timings, ...(keep ? { trace } : {}) };
  } finally {
    options.onTrace?.(trace);
  }
}

/** Normalised samples that cannot be used: outside the image, or on a specular reflection. */
function excludedSamples(norm: NormalizedIris, specularMask: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(norm.rows * norm.cols);
  const height = specularMask.length / width;
  for (let k = 0; k < out.length; k++) {
    if (!norm.inside[k]) { out[k] = 1; continue; }
    const x = Math.round(norm.xs[k]!);
    const y = Math.round(norm.ys[k]!);
    if (x < 0 || y < 0 || x >= width || y >= height || specularMask[y * width + x]) out[k] = 1;
  }
  return out;
}
