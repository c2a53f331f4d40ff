/**
 * The PAD detector as one pipeline stage with a typed score, whatever model sits inside: today an
 * XGBoost booster over the 80 PAD features and the (optional) novelty input (novelty.ts); a small
 * CNN could implement the same interface. A detector is registered as a version of the `pad` model line with its operating threshold in the
 * metadata, and loaded back by reference (default `pad@champion`).
 */
import { IriskError } from '../../lib/errors.js';
import { scorerFilesFor, scorerFromFiles } from '../../ml/models/scorer.js';
import { codeVersion, openRegistry, type ModelRegistry } from '../../ml/registry/index.js';
import { LIVE_RANGES_FILE, modelInputRow, PAD_MODEL_INPUTS, parseLiveRanges, serializeLiveRanges, type LiveRanges } from './novelty.js';
import type { FittedPadDetector } from './train.js';

/** The model line PAD detectors are registered under. */
export const PAD_MODEL_LINE = 'pad';
/** The reference `iris encode` loads by default. */
export const DEFAULT_PAD_MODEL_REF = `${PAD_MODEL_LINE}@champion`;

/** A PAD decision on one presentation. */
export interface PadVerdict {
  /** Probability-like attack score in [0, 1]. */
  readonly score: number;
  /** The operating threshold: attack if score >= threshold. */
  readonly threshold: number;
  readonly attack: boolean;
}

/** One PAD stage: scores a PAD feature vector. */
export interface PadDetector {
  readonly kind: string;
  /** Registry version id, or null for a detector not (yet) registered. */
  readonly version: string | null;
  readonly threshold: number;
  /** Bytes of the model files. */
  readonly sizeBytes: number;
  /** Scores one feature vector (PAD_FEATURE_NAMES order). */
  score(features: Float32Array): number;
  /** Scores and applies the threshold. */
  verdict(features: Float32Array): PadVerdict;
}

/** A detector over a scorer-like function. */
function detectorOf(kind: string, version: string | null, threshold: number, sizeBytes: number, score: (x: Float32Array) => number): PadDetector {
  return {
    kind,
    version,
    threshold,
    sizeBytes,
    score,
    verdict(features) {
      const s = score(features);
      return { score: s, threshold, attack: s >= threshold };
    },
  };
}

/** The files of a fitted detector: the booster and its live ranges. */
function detectorFiles(fitted: FittedPadDetector): Record<string, string> {
  return { ...scorerFilesFor(fitted.model, null), [LIVE_RANGES_FILE]: serializeLiveRanges(fitted.ranges) };
}

/** A detector scoring 80-feature vectors through a booster over the model inputs (features + novelty). */
function boosterDetector(version: string | null, threshold: number, files: Readonly<Record<string, Uint8Array | string>>, ranges: LiveRanges): PadDetector {
  const scorer = scorerFromFiles('xgboost', files, PAD_MODEL_INPUTS);
  return detectorOf('xgboost', version, threshold, scorer.sizeBytes, (x) => scorer.predictRow(modelInputRow(x, ranges)));
}

/** A fitted (unregistered) detector. */
export function fittedDetector(fitted: FittedPadDetector): PadDetector {
  return boosterDetector(null, fitted.threshold, detectorFiles(fitted), fitted.ranges);
}

/** What a registration records beside the model. */
export interface PadRegistration {
  fingerprint: string;
  rows: number;
  source: string;
  /** Metrics to keep with the version (e.g. the evaluation's headline figures). */
  metrics?: Record<string, unknown>;
}

/** Registers a fitted detector under the `pad` line (parent: the current champion); returns the version id. */
export async function registerPadDetector(registry: ModelRegistry, fitted: FittedPadDetector, info: PadRegistration): Promise<string> {
  const champion = (await registry.aliases(PAD_MODEL_LINE)).find((a) => a.alias === 'champion');
  const registered = await registry.register({
    files: detectorFiles(fitted),
    metadata: {
      name: PAD_MODEL_LINE,
      kind: 'xgboost',
      featureSchema: PAD_MODEL_INPUTS.map((name) => ({ name, type: 'number' as const })),
      trainingData: { fingerprint: info.fingerprint, rows: info.rows, source: info.source },
      params: { ...fitted.params, threshold: fitted.threshold, targetApcer: fitted.targetApcer, speciesSeen: fitted.speciesSeen, novelty: fitted.novelty, decisionRule: 'attack if score >= threshold' },
      metrics: info.metrics ?? {},
      codeVersion: codeVersion(),
      parent: champion?.version ?? null,
    },
  });
  return registered.version.id;
}

/** Loads a registered detector from the registry of a data directory (opened and closed here). */
export async function openPadDetector(dataDir: string, ref = DEFAULT_PAD_MODEL_REF): Promise<PadDetector> {
  const registry = await openRegistry(dataDir);
  try {
    return await loadPadDetector(registry, ref);
  } finally {
    registry.close();
  }
}

/**
 * Loads a registered detector. A missing default alias gets a message that says how to make one;
 * a version of another line or without a threshold is MODEL_INVALID.
 */
export async function loadPadDetector(registry: ModelRegistry, ref = DEFAULT_PAD_MODEL_REF): Promise<PadDetector> {
  let version;
  try {
    version = await registry.resolve(ref);
  } catch (e) {
    if (e instanceof IriskError && e.code === 'MODEL_ALIAS_NOT_FOUND' && ref === DEFAULT_PAD_MODEL_REF) {
      throw new IriskError(
        'MODEL_ALIAS_NOT_FOUND',
        `no PAD model is promoted in ${registry.dataDir}: train one with \`irisk pad train DATASET --promote\`, or skip the check with --no-pad`,
        e.details,
      );
    }
    throw e;
  }
  const { metadata } = version;
  const threshold = metadata.params.threshold;
  const names = metadata.featureSchema.map((f) => f.name);
  const hasRanges = version.files.some((f) => f.name === LIVE_RANGES_FILE);
  if (metadata.name !== PAD_MODEL_LINE || metadata.kind !== 'xgboost' || typeof threshold !== 'number' || names.join() !== PAD_MODEL_INPUTS.join() || !hasRanges) {
    throw new IriskError('MODEL_INVALID', `model ${version.id.slice(0, 12)} (${metadata.name}) is not a PAD detector for this version's ${PAD_MODEL_INPUTS.length} PAD model inputs`, { id: version.id });
  }
  const files: Record<string, Uint8Array> = {};
  for (const f of version.files) files[f.name] = await registry.readFile(version.id, f.name);
  return boosterDetector(version.id, threshold, files, parseLiveRanges(Buffer.from(files[LIVE_RANGES_FILE]!).toString('utf8')));
}
