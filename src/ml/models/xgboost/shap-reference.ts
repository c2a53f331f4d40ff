/**
 * The plain TreeSHAP recursion (Lundberg, Erion and Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2), written as close to the paper as practical. It is
 * the oracle the fast paths of `shap.ts` are tested against, not what serving runs.
 */
import type { Forest } from './model-json.js';

/** Scratch for the reference recursion: one path slice per depth, as parallel arrays. */
class ReferencePath {
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

/**
 * Adds the TreeSHAP contributions of every tree of `forest` for the row `x[offset..]` to
 * `phi[0..numFeatures)` (the bias is not touched). Allocates its scratch on every call: it is a
 * reference, kept simple on purpose.
 */
export function treeShapReference(forest: Forest, x: ArrayLike<number>, offset: number, phi: Float64Array): void {
  const p = new ReferencePath(forest.maxDepth);
  for (let t = 0; t < forest.roots.length; t++) recurse(forest, p, x, offset, phi, forest.roots[t]!, 0, 0, 1, 1, -1);
}

/**
 * One step of the recursion. The path of the parent occupies `[start, start + depth]`; this call
 * copies it to the next slice, extends it with the parent's split, and either credits the features
 * on the path (at a leaf) or recurses into the hot and cold children.
 */
function recurse(
  f: Forest,
  p: ReferencePath,
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
  const here = start + depth + 1;
  for (let i = 0; i <= depth; i++) {
    p.feature[here + i] = p.feature[start + i]!;
    p.zero[here + i] = p.zero[start + i]!;
    p.one[here + i] = p.one[start + i]!;
    p.weight[here + i] = p.weight[start + i]!;
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
  recurse(f, p, x, offset, phi, hot, here, d + 1, hotZero * incomingZero, incomingOne, split);
  recurse(f, p, x, offset, phi, cold, here, d + 1, coldZero * incomingZero, 0, split);
}

/** Adds an element to the path at `depth`, updating the permutation weights (EXTEND in the paper). */
function extendPath(p: ReferencePath, s: number, depth: number, zero: number, one: number, feature: number): void {
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
function unwindPath(p: ReferencePath, s: number, depth: number, k: number): void {
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
function unwoundPathSum(p: ReferencePath, s: number, depth: number, k: number): number {
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
