/**
 * Prediction from a Forest in plain TypeScript, so serving needs no native library. Margins are
 * summed in float32 in libxgboost's order (base margin, then tree by tree), which makes them equal
 * to libxgboost's own predictions, not merely close. Forests whose trees have at most 32 leaves
 * are compiled once into leaf bitvectors (compiled.ts); others are traversed node by node.
 */
import { IriskError } from '../../../lib/errors.js';
import type { FeatureMatrix } from '../../data/dataset.js';
import { compileForest, compiledMarginRow, compiledMargins, compiledScratch, type CompiledForest } from './compiled.js';
import type { Forest } from './model-json.js';

interface Compiled {
  forest: CompiledForest;
  scratch: ReturnType<typeof compiledScratch>;
}
const compiledCache = new WeakMap<Forest, Compiled | null>();

/** The compiled form of a forest (built on first use), or null when it cannot be compiled. */
function compiled(forest: Forest): Compiled | null {
  let c = compiledCache.get(forest);
  if (c === undefined) {
    const cf = compileForest(forest);
    c = cf === null ? null : { forest: cf, scratch: compiledScratch(cf) };
    compiledCache.set(forest, c);
  }
  return c;
}

const fround = Math.fround;

/** The leaf a row reaches in the tree rooted at `root` (NaN follows the default direction). */
export function leafFor(forest: Forest, root: number, x: ArrayLike<number>, offset = 0): number {
  const { feature, threshold, left, right, missing } = forest;
  let node = root;
  let f = feature[node]!;
  while (f >= 0) {
    const v = x[offset + f]!;
    // NaN fails both comparisons and takes the default branch.
    node = v < threshold[node]! ? left[node]! : v >= threshold[node]! ? right[node]! : missing[node]!;
    f = feature[node]!;
  }
  return node;
}

/** The margin (log-odds for the logistic objectives) of one row. */
export function predictMarginRow(forest: Forest, x: ArrayLike<number>, offset = 0): number {
  const c = compiled(forest);
  return c === null ? traverseMarginRow(forest, x, offset) : compiledMarginRow(c.forest, x, offset, c.scratch);
}

/** The margin of one row by walking every tree from its root (the reference the fast path must equal). */
export function traverseMarginRow(forest: Forest, x: ArrayLike<number>, offset = 0): number {
  const { roots, value } = forest;
  let sum = fround(forest.baseMargin);
  for (let t = 0; t < roots.length; t++) sum = fround(sum + value[leafFor(forest, roots[t]!, x, offset)]!);
  return sum;
}

function checkWidth(forest: Forest, cols: number): void {
  if (cols !== forest.numFeatures) {
    throw new IriskError('DATASET_INVALID', `the model expects ${forest.numFeatures} features, the data has ${cols}`);
  }
}

/** Margins for every row of a matrix. */
export function predictMargins(forest: Forest, m: FeatureMatrix, out = new Float64Array(m.rows)): Float64Array {
  checkWidth(forest, m.cols);
  const c = compiled(forest);
  if (c !== null) return compiledMargins(c.forest, m.values, m.rows, m.cols, out);
  for (let r = 0; r < m.rows; r++) out[r] = traverseMarginRow(forest, m.values, r * m.cols);
  return out;
}

/** Turns a margin into the objective's prediction (probability for the logistic objectives). */
export function marginToPrediction(forest: Forest, margin: number): number {
  switch (forest.objective) {
    case 'binary:logistic':
    case 'reg:logistic':
      return 1 / (1 + Math.exp(-margin));
    default:
      return margin;
  }
}

/** Predictions (probabilities for the logistic objectives) for every row of a matrix. */
export function predictValues(forest: Forest, m: FeatureMatrix, out = new Float64Array(m.rows)): Float64Array {
  predictMargins(forest, m, out);
  for (let r = 0; r < m.rows; r++) out[r] = marginToPrediction(forest, out[r]!);
  return out;
}

/** The prediction for one row given as an array of feature values. */
export function predictRow(forest: Forest, x: ArrayLike<number>): number {
  checkWidth(forest, x.length);
  // libxgboost compares float32 feature values; round other inputs the same way.
  const row = x instanceof Float32Array ? x : Float32Array.from(x);
  return marginToPrediction(forest, predictMarginRow(forest, row));
}
