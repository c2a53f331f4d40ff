/**
 * TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized feature attribution for tree
 * ensembles", Algorithm 2): exact Shapley values of a tree ensemble's margin, in polynomial time,
 * using the training cover of every node as the background distribution. The contributions of a
 * row plus the bias (the expected margin) sum to the row's margin; they are what libxgboost's
 * `pred_contribs` returns, and what reason codes are built from.
 */
import { IriskError } from '../../../lib/errors.js';
import type { FeatureMatrix } from '../../data/dataset.js';
import type { Forest } from './model-json.js';

/**
 * The expected value (cover-weighted mean of leaf values) below every node of the forest, in the
 * same flat indexing as the forest's node arrays.
 */
export function nodeMeanValues(forest: Forest): Float64Array {
  const means = new Float64Array(forest.feature.length);
  const visit = (n: number): number => {
    if (forest.feature[n]! < 0) return (means[n] = forest.value[n]!);
    const l = forest.left[n]!, r = forest.right[n]!;
    const ml = visit(l), mr = visit(r);
    return (means[n] = (ml * forest.cover[l]! + mr * forest.cover[r]!) / forest.cover[n]!);
  };
  for (let t = 0; t < forest.roots.length; t++) visit(forest.roots[t]!);
  return means;
}

/**
 * Scratch space for one explainer: the "unique path" of the algorithm, one slice per recursion
 * depth, as parallel typed arrays (no allocation per row).
 */
class PathBuffers {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  constructor(maxDepth: number) {
    const d = maxDepth + 2;
    const size = (d * (d + 1)) / 2 + d;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }
}

/** Computes TreeSHAP contributions for rows of a matrix, reusing its scratch space. */
export class TreeExplainer {
  readonly forest: Forest;
  private readonly means: Float64Array;
  private readonly path: PathBuffers;
  /** The bias term: expected margin over the training distribution, base margin included. */
  readonly expectedMargin: number;

  constructor(forest: Forest) {
    this.forest = forest;
    this.means = nodeMeanValues(forest);
    this.path = new PathBuffers(forest.maxDepth);
    let bias = forest.baseMargin;
    for (let t = 0; t < forest.roots.length; t++) bias += this.means[forest.roots[t]!]!;
    this.expectedMargin = bias;
  }

  /**
   * Contributions of one row: `numFeatures + 1` values, the last being the bias; they sum to
   * the row's margin. `x[offset + f]` is feature f (NaN = missing).
   */
  explainRow(x: ArrayLike<number>, offset = 0, out = new Float64Array(this.forest.numFeatures + 1)): Float64Array {
    out.fill(0);
    const { roots } = this.forest;
    for (let t = 0; t < roots.length; t++) this.recurse(x, offset, out, roots[t]!, 0, 0, 1, 1, -1);
    out[this.forest.numFeatures] = this.expectedMargin;
    return out;
  }

  /** Contributions for every row: a row-major `rows x (numFeatures + 1)` array. */
  explain(m: FeatureMatrix): Float64Array {
    if (m.cols !== this.forest.numFeatures) {
      throw new IriskError('DATASET_INVALID', `the model expects ${this.forest.numFeatures} features, the data has ${m.cols}`);
    }
    const width = m.cols + 1;
    const out = new Float64Array(m.rows * width);
    for (let r = 0; r < m.rows; r++) this.explainRow(m.values, r * m.cols, out.subarray(r * width, (r + 1) * width));
    return out;
  }

  /**
   * One step of the recursion. The path of the parent occupies `[start, start + depth]`; this call
   * copies it to the next slice, extends it with the parent's split, and either credits the features
   * on the path (at a leaf) or recurses into the hot and cold children.
   */
  private recurse(
    x: ArrayLike<number>,
    offset: number,
    phi: Float64Array,
    node: number,
    start: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const p = this.path;
    const f = this.forest;
    const here = start + depth + 1;
    // Copy the parent's path to this level's slice (a plain loop: paths are a few elements long and
    // builtin calls would cost more than the copy), then extend it.
    const { feature: pf, zero: pz, one: po, weight: pw } = p;
    for (let i = 0; i <= depth; i++) {
      pf[here + i] = pf[start + i]!;
      pz[here + i] = pz[start + i]!;
      po[here + i] = po[start + i]!;
      pw[here + i] = pw[start + i]!;
    }
    extendPath(p, here, depth, zeroFraction, oneFraction, featureIndex);

    const split = f.feature[node]!;
    if (split < 0) {
      const leaf = f.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundPathSum(p, here, depth, i);
        phi[p.feature[here + i]!]! += w * (p.one[here + i]! - p.zero[here + i]!) * leaf;
      }
      return;
    }
    const v = x[offset + split]!;
    const hot = v < f.threshold[node]! ? f.left[node]! : v >= f.threshold[node]! ? f.right[node]! : f.missing[node]!;
    const cold = hot === f.left[node] ? f.right[node]! : f.left[node]!;
    const cover = f.cover[node]!;
    const hotZero = f.cover[hot]! / cover;
    const coldZero = f.cover[cold]! / cover;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is unwound and re-applied here.
    let k = 0;
    while (k <= depth && p.feature[here + k] !== split) k++;
    let d = depth;
    if (k <= depth) {
      incomingZero = p.zero[here + k]!;
      incomingOne = p.one[here + k]!;
      unwindPath(p, here, d, k);
      d -= 1;
    }
    this.recurse(x, offset, phi, hot, here, d + 1, hotZero * incomingZero, incomingOne, split);
    this.recurse(x, offset, phi, cold, here, d + 1, coldZero * incomingZero, 0, split);
  }
}

/** Adds an element to the path at `depth`, updating the permutation weights (EXTEND in the paper). */
function extendPath(p: PathBuffers, s: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[s + depth] = feature;
  p.zero[s + depth] = zero;
  p.one[s + depth] = one;
  p.weight[s + depth] = depth === 0 ? 1 : 0;
  const w = p.weight;
  for (let i = depth - 1; i >= 0; i--) {
    w[s + i + 1]! += (one * w[s + i]! * (i + 1)) / (depth + 1);
    w[s + i] = (zero * w[s + i]! * (depth - i)) / (depth + 1);
  }
}

/** Removes element `k` from the path, undoing its effect on the weights (UNWIND in the paper). */
function unwindPath(p: PathBuffers, s: number, depth: number, k: number): void {
  const one = p.one[s + k]!;
  const zero = p.zero[s + k]!;
  const w = p.weight;
  let next = w[s + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = w[s + i]!;
      w[s + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (w[s + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      w[s + i] = (w[s + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    p.feature[s + i] = p.feature[s + i + 1]!;
    p.zero[s + i] = p.zero[s + i + 1]!;
    p.one[s + i] = p.one[s + i + 1]!;
  }
}

/** Sum of the weights the path would have with element `k` unwound, without changing the path. */
function unwoundPathSum(p: PathBuffers, s: number, depth: number, k: number): number {
  const one = p.one[s + k]!;
  const zero = p.zero[s + k]!;
  const w = p.weight;
  let next = w[s + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = w[s + i]! - (tmp * zero * (depth - i)) / (depth + 1);
    } else if (zero !== 0) {
      total += w[s + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}
