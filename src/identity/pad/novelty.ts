/**
 * How far a presentation lies outside the range of live eyes, feature by feature: the detector's
 * door to attacks it was not trained on. A supervised booster learns the cues of the species it
 * saw; an unseen species is caught only when it shares them. But most attacks, seen or not, push
 * some measurement past anything a live eye gives (a lattice in the spectrum, a regular texture,
 * a lifted black), so one summary input is added to the 80 features: how many features fall
 * outside the central 99% of the training live eyes. The ranges are fitted with the booster, on
 * its own training rows, and stored with it. Off by default: live eyes of a camera the training
 * live eyes do not cover fall outside the ranges too (docs/pad.md), so it is meant for training
 * with reference live captures of the target camera. (A second input, the summed excess in units of each
 * live range, was never split on once the count was there, and was dropped.)
 */
import { IriskError } from '../../lib/errors.js';
import type { FeatureMatrix } from '../../ml/data/dataset.js';
import { PAD_FEATURE_NAMES } from './features.js';
import type { PadTrainingData } from './train.js';

/** The input computed from the live ranges, after the 80 features. */
export const NOVELTY_FEATURE_NAMES = ['live_range_exceeded'] as const;
/** Every input of the booster, in order. */
export const PAD_MODEL_INPUTS: readonly string[] = [...PAD_FEATURE_NAMES, ...NOVELTY_FEATURE_NAMES];
/** Tail share cut from each side of the live distribution: ranges span the central 99%. */
export const LIVE_RANGE_QUANTILE = 0.005;
/** The file that stores the ranges beside a registered booster. */
export const LIVE_RANGES_FILE = 'live-ranges.json';

/** Per feature, the live eyes' lower and upper quantile (NaN: no finite live value). */
export interface LiveRanges {
  readonly quantile: number;
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

/** The ranges of the bona fide presentations among `rows`. */
export function fitLiveRanges(data: PadTrainingData, rows: readonly number[], quantile = LIVE_RANGE_QUANTILE): LiveRanges {
  const live = rows.filter((r) => data.labels[r] === 0);
  const lo: number[] = [];
  const hi: number[] = [];
  const column = new Float64Array(live.length);
  for (let j = 0; j < data.cols; j++) {
    let n = 0;
    for (const r of live) {
      const v = data.values[r * data.cols + j]!;
      if (Number.isFinite(v)) column[n++] = v;
    }
    const sorted = column.subarray(0, n).sort();
    lo.push(n === 0 ? NaN : sorted[Math.floor(quantile * (n - 1))]!);
    hi.push(n === 0 ? NaN : sorted[Math.ceil((1 - quantile) * (n - 1))]!);
  }
  return { quantile, lo, hi };
}

/** Ranges that nothing falls outside (the novelty input switched off: always 0). */
export function noLiveRanges(cols: number): LiveRanges {
  return { quantile: 0, lo: new Array<number>(cols).fill(NaN), hi: new Array<number>(cols).fill(NaN) };
}

/** Writes the novelty input of the feature vector at `x[from]` into `out[at]`: features outside their live range. */
function novelty(x: ArrayLike<number>, from: number, r: LiveRanges, out: Float32Array, at: number): void {
  let count = 0;
  for (let j = 0; j < r.lo.length; j++) {
    const v = x[from + j]!;
    if (Number.isFinite(v) && (v < r.lo[j]! || v > r.hi[j]!)) count++;
  }
  out[at] = count;
}

/** The booster's input matrix for `rows`: each row's features followed by its novelty inputs. */
export function modelInputs(data: FeatureMatrix, rows: readonly number[], r: LiveRanges): FeatureMatrix {
  const cols = data.cols + NOVELTY_FEATURE_NAMES.length;
  const values = new Float32Array(rows.length * cols);
  rows.forEach((row, i) => {
    values.set(data.values.subarray(row * data.cols, (row + 1) * data.cols), i * cols);
    novelty(data.values, row * data.cols, r, values, i * cols + data.cols);
  });
  return { rows: rows.length, cols, values, featureNames: [...data.featureNames, ...NOVELTY_FEATURE_NAMES] };
}

/** One feature vector as the booster's input row. */
export function modelInputRow(x: Float32Array, r: LiveRanges): Float32Array {
  const out = new Float32Array(x.length + NOVELTY_FEATURE_NAMES.length);
  out.set(x);
  novelty(x, 0, r, out, x.length);
  return out;
}

/** JSON of the ranges (NaN written as null). */
export function serializeLiveRanges(r: LiveRanges): string {
  const nan = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return JSON.stringify({ quantile: r.quantile, features: PAD_FEATURE_NAMES, lo: r.lo.map(nan), hi: r.hi.map(nan) });
}

/** Parses stored ranges; MODEL_INVALID when they do not describe this version's features. */
export function parseLiveRanges(text: string): LiveRanges {
  const bad = (why: string): IriskError => new IriskError('MODEL_INVALID', `${LIVE_RANGES_FILE} ${why}`);
  let o: { quantile?: unknown; features?: unknown; lo?: unknown; hi?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    throw bad('is not JSON');
  }
  if (!Array.isArray(o.features) || o.features.join() !== PAD_FEATURE_NAMES.join()) throw bad(`does not list this version's ${PAD_FEATURE_NAMES.length} PAD features`);
  const values = (a: unknown): number[] => {
    if (!Array.isArray(a) || a.length !== PAD_FEATURE_NAMES.length || !a.every((v) => v === null || Number.isFinite(v))) throw bad('has malformed lo/hi arrays');
    return a.map((v) => (v === null ? NaN : (v as number)));
  };
  if (typeof o.quantile !== 'number' || !(o.quantile >= 0 && o.quantile < 0.5)) throw bad('has no valid quantile');
  return { quantile: o.quantile, lo: values(o.lo), hi: values(o.hi) };
}
