/**
 * A PAD dataset: every presentation of an iris dataset folder (live eyes and attacks, from the
 * manifest's `species` column) run through the pipeline on every core, with its PAD features and
 * whether the pipeline itself rejected it.
 */
import { createHash } from 'node:crypto';
import { IriskError } from '../../lib/errors.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineConfig } from '../iris/config.js';
import { BONA_FIDE_SPECIES, loadIrisDataset, type DatasetItem } from '../iris/dataset.js';
import { defaultWorkers, encodeFiles, type EncodeOutcome } from '../iris/encode-pool.js';
import { PAD_FEATURE_NAMES } from './features.js';
import type { PadTrainingData } from './train.js';

/** Options of `loadPadDataset`. */
export interface PadDatasetOptions {
  config?: PipelineConfig;
  workers?: number;
  progress?: Progress;
  /** Require attack presentations (training and evaluation do; scoring live eyes alone does not). */
  requireAttacks?: boolean;
}

/** The presentations of a dataset with their features (`data` rows follow `items`). */
export interface PadDataset {
  readonly dir: string;
  readonly items: readonly DatasetItem[];
  /** The pipeline's outcome per item (ok = a template was made). */
  readonly outcomes: readonly EncodeOutcome[];
  readonly data: PadTrainingData;
  /** Attack species present, sorted. */
  readonly species: readonly string[];
}

/** Loads and featurises every presentation of a dataset folder. Throws DATASET_INVALID when it has no bona fide (or, if required, no attack) presentation. */
export async function loadPadDataset(dir: string, options: PadDatasetOptions = {}): Promise<PadDataset> {
  const items = await loadIrisDataset(dir, { attacks: true });
  const species = [...new Set(items.map((i) => i.species))].filter((s) => s !== BONA_FIDE_SPECIES).sort();
  if (!items.some((i) => i.species === BONA_FIDE_SPECIES)) throw new IriskError('DATASET_INVALID', `${dir} has no bona fide (live) presentations`, { dir });
  if (options.requireAttacks && species.length === 0) {
    throw new IriskError('DATASET_INVALID', `${dir} has no attack presentations: its manifest.csv needs a species column (make one with \`irisk synth iris --attacks print,screen,lens,prosthetic\`)`, { dir });
  }
  const progress = options.progress ?? silentProgress;
  progress.start(items.length, 'encoding + PAD features');
  const outcomes = await encodeFiles(
    items.map((i) => i.path),
    options.config ?? DEFAULT_PIPELINE_CONFIG,
    options.workers ?? defaultWorkers(),
    () => progress.tick(),
    true,
  );
  progress.stop();
  const cols = PAD_FEATURE_NAMES.length;
  const values = new Float32Array(items.length * cols);
  outcomes.forEach((o, i) => values.set(o.padFeatures!, i * cols));
  const data: PadTrainingData = {
    rows: items.length,
    cols,
    values,
    featureNames: PAD_FEATURE_NAMES,
    labels: Uint8Array.from(items, (i) => (i.species === BONA_FIDE_SPECIES ? 0 : 1)),
    species: items.map((i) => i.species),
    groups: items.map((i) => i.subject),
  };
  return { dir, items, outcomes, data, species };
}

/** SHA-256 over the rows' names, species and feature bytes, then the reference's (the registry's training-data fingerprint). */
export function padDataFingerprint(ds: PadDataset, rows: readonly number[], reference: PadDataset | null = null): string {
  const h = createHash('sha256');
  const add = (d: PadDataset, r: number): void => {
    const cols = d.data.cols;
    h.update(`${d.items[r]!.name}\u0000${d.data.species[r]}\n`);
    h.update(new Uint8Array(d.data.values.buffer, d.data.values.byteOffset + r * cols * 4, cols * 4));
  };
  for (const r of rows) add(ds, r);
  if (reference) for (let r = 0; r < reference.data.rows; r++) add(reference, r);
  return h.digest('hex');
}
