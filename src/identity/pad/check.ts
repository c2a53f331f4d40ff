/**
 * The PAD check of an encoded capture: the detector's verdict on the image the pipeline segmented,
 * and the typed refusal `PAD_ATTACK_SUSPECTED` (with the score) when it says attack.
 */
import { IriskError } from '../../lib/errors.js';
import type { GrayImage } from '../../lib/image.js';
import type { EncodeResult, PipelineTrace } from '../iris/pipeline.js';
import { capturePadFeatures } from './capture.js';
import type { PadDetector, PadVerdict } from './detector.js';

/** The detector's verdict on a capture the pipeline encoded (its circles, and the reflection mask of its trace). */
export function padVerdictOf(detector: PadDetector, image: GrayImage, encoded: EncodeResult, trace: PipelineTrace | null): PadVerdict {
  return detector.verdict(capturePadFeatures(image, encoded, trace));
}

/** Throws PAD_ATTACK_SUSPECTED when the verdict is attack; `what` names the capture in the message. */
export function requireBonaFide(verdict: PadVerdict, what: string, detector: PadDetector): void {
  if (!verdict.attack) return;
  throw new IriskError(
    'PAD_ATTACK_SUSPECTED',
    `${what} looks like a presentation attack (PAD score ${verdict.score.toFixed(3)} >= threshold ${verdict.threshold.toFixed(3)}): present the live eye to the camera, without a printed or displayed image or a patterned lens`,
    { score: verdict.score, threshold: verdict.threshold, model: detector.version },
  );
}
