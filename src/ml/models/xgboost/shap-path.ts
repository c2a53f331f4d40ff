/**
 * The plain TreeSHAP recursion (Lundberg, Erion and Lee 2018, Algorithm 2), tuned for the trees the
 * table method of `shap-table.ts` does not take (deep trees, zero covers): the cover fractions of
 * both children are precomputed per node, the ratios of the EXTEND and UNWIND recurrences are
 * precomputed per depth (multiplications instead of divisions), the path lives in preallocated
 * typed arrays, and the recursion is a plain function of its arrays (no closures, no allocation).
 */
import type { Forest } from './model-json.js';

/** Everything the recursion reads, gathered once per explainer. */
interface PathContext {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly value: Float64Array;
  /** cover(left) / cover(node) and cover(right) / cover(node). */
  readonly zeroLeft: Float64Array;
  readonly zeroRight: Float64Array;
  /**
   * Per depth d (row d * stride), for i < d: up[i] = (i + 1) / (d + 1), down[i] = (d - i) / (d + 1)
   * and their reciprocals.
   */
  readonly stride: number;
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly upInv: Float64Array;
  readonly downInv: Float64Array;
  // The unique path, one slice per recursion depth.
  readonly pf: Int32Array;
  readonly pz: Float64Array;
  readonly po: Float64Array;
  readonly pw: Float64Array;
}

export class PathShap {
  private readonly roots: Int32Array;
  private readonly ctx: PathContext;

  constructor(f: Forest, roots: Int32Array) {
    this.roots = roots;
    const n = f.feature.length;
    const defaultLeft = new Uint8Array(n);
    const zeroLeft = new Float64Array(n);
    const zeroRight = new Float64Array(n);
    if (roots.length > 0) {
      for (let i = 0; i < n; i++) {
        if (f.feature[i]! < 0) continue;
        defaultLeft[i] = f.missing[i] === f.left[i] ? 1 : 0;
        zeroLeft[i] = f.cover[f.left[i]!]! / f.cover[i]!;
        zeroRight[i] = f.cover[f.right[i]!]! / f.cover[i]!;
      }
    }
    const maxDepth = roots.length > 0 ? f.maxDepth : 0;
    const stride = maxDepth + 2;
    const up = new Float64Array(stride * stride);
    const down = new Float64Array(stride * stride);
    const upInv = new Float64Array(stride * stride);
    const downInv = new Float64Array(stride * stride);
    for (let d = 0; d < stride; d++) {
      for (let i = 0; i < d; i++) {
        up[d * stride + i] = (i + 1) / (d + 1);
        down[d * stride + i] = (d - i) / (d + 1);
        upInv[d * stride + i] = (d + 1) / (i + 1);
        downInv[d * stride + i] = (d + 1) / (d - i);
      }
    }
    const d = maxDepth + 2;
    const size = (d * (d + 1)) / 2 + d;
    this.ctx = {
      feature: f.feature,
      threshold: Float64Array.from(f.threshold),
      left: f.left,
      right: f.right,
      defaultLeft,
      value: Float64Array.from(f.value),
      zeroLeft,
      zeroRight,
      stride,
      up,
      down,
      upInv,
      downInv,
      pf: new Int32Array(size),
      pz: new Float64Array(size),
      po: new Float64Array(size),
      pw: new Float64Array(size),
    };
  }

  /** Adds the contributions of this object's trees for row `x[offset..]` to `phi[phiOffset + feature]`. */
  accumulate(x: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number): void {
    const roots = this.roots;
    for (let t = 0; t < roots.length; t++) recurse(this.ctx, x, offset, phi, phiOffset, roots[t]!, 0, 0, 1, 1, -1);
  }
}

/**
 * One step: the parent's path occupies `[start, start + depth]`; it is copied to the next slice and
 * extended with (zero, one, feature) (EXTEND); then the leaf credits its path, or the hot and cold
 * children are visited, a feature already on the path being unwound first (UNWIND).
 */
function recurse(
  c: PathContext,
  x: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  phiOffset: number,
  node: number,
  start: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  const { pf, pz, po, pw } = c;
  const s = start + depth + 1;
  for (let i = 0; i < depth; i++) {
    pf[s + i] = pf[start + i]!;
    pz[s + i] = pz[start + i]!;
    po[s + i] = po[start + i]!;
    pw[s + i] = pw[start + i]!;
  }
  pf[s + depth] = feature;
  pz[s + depth] = zero;
  po[s + depth] = one;
  pw[s + depth] = depth === 0 ? 1 : 0;
  const row = depth * c.stride;
  for (let i = depth - 1; i >= 0; i--) {
    const wi = pw[s + i]!;
    pw[s + i + 1]! += one * wi * c.up[row + i]!;
    pw[s + i] = zero * wi * c.down[row + i]!;
  }

  const split = c.feature[node]!;
  if (split < 0) {
    creditLeaf(c, phi, phiOffset, s, depth, c.value[node]!);
    return;
  }
  const v = x[offset + split]!;
  const thr = c.threshold[node]!;
  const goLeft = v < thr ? true : v >= thr ? false : c.defaultLeft[node] === 1;
  const hot = goLeft ? c.left[node]! : c.right[node]!;
  const cold = goLeft ? c.right[node]! : c.left[node]!;
  const hotZero = goLeft ? c.zeroLeft[node]! : c.zeroRight[node]!;
  const coldZero = goLeft ? c.zeroRight[node]! : c.zeroLeft[node]!;

  // Index 0 is the root's placeholder (feature -1), never a match.
  let k = 1;
  while (k <= depth && pf[s + k] !== split) k++;
  let d = depth;
  let inZero = 1;
  let inOne = 1;
  if (k <= depth) {
    inZero = pz[s + k]!;
    inOne = po[s + k]!;
    unwind(c, s, d, k);
    d -= 1;
  }
  recurse(c, x, offset, phi, phiOffset, hot, s, d + 1, hotZero * inZero, inOne, split);
  recurse(c, x, offset, phi, phiOffset, cold, s, d + 1, coldZero * inZero, 0, split);
}

/** UNWIND element `k` of the path at `s` (length `depth + 1`). */
function unwind(c: PathContext, s: number, depth: number, k: number): void {
  const { pf, pz, po, pw } = c;
  const one = po[s + k]!;
  const zero = pz[s + k]!;
  const row = depth * c.stride;
  let next = pw[s + depth]!;
  if (one !== 0) {
    const oneInv = 1 / one;
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = pw[s + i]!;
      const wi = next * c.upInv[row + i]! * oneInv;
      pw[s + i] = wi;
      next = tmp - wi * zero * c.down[row + i]!;
    }
  } else {
    const zeroInv = 1 / zero;
    for (let i = depth - 1; i >= 0; i--) pw[s + i] = pw[s + i]! * c.downInv[row + i]! * zeroInv;
  }
  for (let i = k; i < depth; i++) {
    pf[s + i] = pf[s + i + 1]!;
    pz[s + i] = pz[s + i + 1]!;
    po[s + i] = po[s + i + 1]!;
  }
}

/** At a leaf: every path element gets its unwound weight sum times (one - zero) times the value. */
function creditLeaf(c: PathContext, phi: Float64Array, phiOffset: number, s: number, depth: number, leaf: number): void {
  const { pf, pz, po, pw, upInv, downInv, down } = c;
  const row = depth * c.stride;
  for (let k = 1; k <= depth; k++) {
    const one = po[s + k]!;
    const zero = pz[s + k]!;
    let total = 0;
    if (one !== 0) {
      const oneInv = 1 / one;
      let next = pw[s + depth]!;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = next * upInv[row + i]! * oneInv;
        total += tmp;
        next = pw[s + i]! - tmp * zero * down[row + i]!;
      }
    } else if (zero !== 0) {
      const zeroInv = 1 / zero;
      for (let i = depth - 1; i >= 0; i--) total += pw[s + i]! * zeroInv * downInv[row + i]!;
    }
    phi[phiOffset + pf[s + k]!]! += total * (one - zero) * leaf;
  }
}
