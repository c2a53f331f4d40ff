/**
 * Fitting a PAD detector to the camera it will serve. A detector learns whatever separates its
 * attacks from its live eyes; when every training live eye comes from another sensor (or from the
 * synthetic world), anything that tells that sensor from the target one makes the target's real
 * live eyes look like attacks (docs/pad.md: a detector trained on the synthetic world alone
 * rejected 88% of real live eyes). Reference live captures from the target camera, which an
 * operator has without collecting any attack, join the training set as bona fide presentations:
 * always on the training side, never scored in an evaluation, never setting the threshold.
 */
import { BONA_FIDE_SPECIES } from '../iris/dataset.js';
import { IriskError } from '../../lib/errors.js';
import type { PadTrainingData } from './train.js';

/** Group-name prefix of reference rows, so a reference subject never shares a fold group with a dataset subject. */
const REFERENCE_GROUP = 'reference:';

/** `data` followed by the reference's live presentations (attacks in the reference are refused). */
export function withReferenceLive(data: PadTrainingData, reference: PadTrainingData): PadTrainingData {
  if (reference.species.some((s) => s !== BONA_FIDE_SPECIES)) {
    throw new IriskError('DATASET_INVALID', 'reference captures must all be live eyes (bona fide); the reference dataset lists attack presentations');
  }
  if (reference.cols !== data.cols) throw new IriskError('DATASET_INVALID', `reference has ${reference.cols} features, the dataset ${data.cols}`);
  const values = new Float32Array(data.values.length + reference.values.length);
  values.set(data.values);
  values.set(reference.values, data.values.length);
  return {
    rows: data.rows + reference.rows,
    cols: data.cols,
    values,
    featureNames: data.featureNames,
    labels: Uint8Array.from([...data.labels, ...reference.labels]),
    species: [...data.species, ...reference.species],
    groups: [...data.groups, ...reference.groups.map((g) => REFERENCE_GROUP + g)],
  };
}
