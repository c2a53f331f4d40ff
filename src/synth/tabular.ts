/**
 * A seeded synthetic binary-classification world for the model lifecycle's tests and benchmarks:
 * numeric features with non-linear effects, an interaction, a skewed count, a pure-noise column and
 * informative missingness, and a label drawn from a known probability. Same seed, same rows.
 */
import { Rng } from '../lib/rng.js';
import type { LabelledData } from '../ml/data/dataset.js';

export interface TabularWorldOptions {
  rows: number;
  /** Number of features (>= 4); columns beyond the structured ones are weak linear signals or noise. */
  cols?: number;
  seed?: number;
  /** Share of values set missing (NaN), per cell. */
  missingRate?: number;
  /** Shift of the intercept (log-odds): negative values make positives rarer. */
  intercept?: number;
}

/** A labelled world plus the true probability of every row (for calibration checks). */
export interface TabularWorld extends LabelledData {
  readonly trueProbability: Float64Array;
}

/** Generates the world; see the module comment for its structure. */
export function tabularWorld(options: TabularWorldOptions): TabularWorld {
  const { rows, cols = 10, seed = 1, missingRate = 0.05, intercept = -2 } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError('rows must be a positive integer');
  if (!Number.isInteger(cols) || cols < 4) throw new RangeError('cols must be an integer >= 4');
  const rng = new Rng(seed);
  const values = new Float32Array(rows * cols);
  const labels = new Uint8Array(rows);
  const trueProbability = new Float64Array(rows);
  const featureNames = Array.from({ length: cols }, (_, j) => `x${j}`);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) row[j] = rng.normal();
    row[2] = Math.floor(-Math.log(1 - rng.next()) * 2); // a skewed count
    let logit = intercept + 0.9 * row[0]! + 0.6 * row[1]! ** 2 - 0.35 * row[2]! + 0.7 * row[0]! * row[3]! + (row[1]! > 1 ? 0.8 : 0);
    for (let j = 4; j < cols - 1; j++) logit += (0.25 / (j - 2)) * row[j]!;
    // column cols-1 is pure noise
    const o = r * cols;
    for (let j = 0; j < cols; j++) values[o + j] = row[j]!;
    // Missingness of x1 is informative: more likely for high-risk rows, and the risk is added.
    if (rng.chance(missingRate * (logit > intercept + 1 ? 2 : 0.5))) {
      values[o + 1] = Number.NaN;
      logit += 0.3;
    }
    for (let j = 3; j < cols; j++) if (rng.chance(missingRate)) values[o + j] = Number.NaN;
    const p = 1 / (1 + Math.exp(-logit));
    trueProbability[r] = p;
    labels[r] = rng.chance(p) ? 1 : 0;
  }
  return { rows, cols, values, labels, featureNames, trueProbability };
}
