/**
 * The plain TreeSHAP recursion (Lundberg, Erion and Lee 2018, Algorithm 2), tuned for the trees the
 * table method of `shap-table.ts` does not take (deep trees, zero covers): the cover fractions of
 * both children are precomputed per node, the path lives in preallocated typed arrays, the row is
 * held in fields instead of being passed down, and the leaf's unwound sums are inlined.
 */
import type { Forest } from './model-json.js';

const NO_ROW = new Float64Array(0);

export class PathShap {
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly defaultLeft: Uint8Array;
  private readonly value: Float64Array;
  /** cover(left) / cover(node) and cover(right) / cover(node). */
  private readonly zeroLeft: Float64Array;
  private readonly zeroRight: Float64Array;
  // The unique path, one slice per recursion depth.
  private readonly pf: Int32Array;
  private readonly pz: Float64Array;
  private readonly po: Float64Array;
  private readonly pw: Float64Array;
  // The row being explained.
  private x: ArrayLike<number> = NO_ROW;
  private offset = 0;
  private phi: Float64Array = NO_ROW;
  private phiOffset = 0;

  constructor(f: Forest, roots: Int32Array) {
    this.roots = roots;
    const n = f.feature.length;
    this.feature = f.feature;
    this.threshold = Float64Array.from(f.threshold);
    this.left = f.left;
    this.right = f.right;
    this.defaultLeft = new Uint8Array(n);
    this.value = Float64Array.from(f.value);
    this.zeroLeft = new Float64Array(n);
    this.zeroRight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (f.feature[i]! < 0) continue;
      this.defaultLeft[i] = f.missing[i] === f.left[i] ? 1 : 0;
      this.zeroLeft[i] = f.cover[f.left[i]!]! / f.cover[i]!;
      this.zeroRight[i] = f.cover[f.right[i]!]! / f.cover[i]!;
    }
    const d = f.maxDepth + 2;
    const size = (d * (d + 1)) / 2 + d;
    this.pf = new Int32Array(size);
    this.pz = new Float64Array(size);
    this.po = new Float64Array(size);
    this.pw = new Float64Array(size);
  }

  /** Adds the contributions of this object's trees for row `x[offset..]` to `phi[phiOffset + feature]`. */
  accumulate(x: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number): void {
    if (this.roots.length === 0) return;
    this.x = x;
    this.offset = offset;
    this.phi = phi;
    this.phiOffset = phiOffset;
    const roots = this.roots;
    for (let t = 0; t < roots.length; t++) this.recurse(roots[t]!, 0, 0, 1, 1, -1);
    this.x = NO_ROW;
    this.phi = NO_ROW;
  }

  /**
   * The parent's path occupies `[start, start + depth]`; it is copied to the next slice and extended
   * with (zero, one, feature); then the leaf credits its path, or the children are visited.
   */
  private recurse(node: number, start: number, depth: number, zero: number, one: number, feature: number): void {
    const { pf, pz, po, pw } = this;
    const s = start + depth + 1;
    for (let i = 0; i < depth; i++) {
      pf[s + i] = pf[start + i]!;
      pz[s + i] = pz[start + i]!;
      po[s + i] = po[start + i]!;
      pw[s + i] = pw[start + i]!;
    }
    // EXTEND.
    pf[s + depth] = feature;
    pz[s + depth] = zero;
    po[s + depth] = one;
    pw[s + depth] = depth === 0 ? 1 : 0;
    const inv = 1 / (depth + 1);
    for (let i = depth - 1; i >= 0; i--) {
      const wi = pw[s + i]!;
      pw[s + i + 1]! += one * wi * (i + 1) * inv;
      pw[s + i] = zero * wi * (depth - i) * inv;
    }

    const split = this.feature[node]!;
    if (split < 0) {
      this.creditLeaf(s, depth, this.value[node]!);
      return;
    }
    const v = this.x[this.offset + split]!;
    const thr = this.threshold[node]!;
    const goLeft = v < thr ? true : v >= thr ? false : this.defaultLeft[node] === 1;
    const hot = goLeft ? this.left[node]! : this.right[node]!;
    const cold = goLeft ? this.right[node]! : this.left[node]!;
    const hotZero = goLeft ? this.zeroLeft[node]! : this.zeroRight[node]!;
    const coldZero = goLeft ? this.zeroRight[node]! : this.zeroLeft[node]!;

    // A feature already on the path is unwound and re-applied here.
    let k = 1;
    while (k <= depth && pf[s + k] !== split) k++;
    let d = depth;
    let inZero = 1;
    let inOne = 1;
    if (k <= depth) {
      inZero = pz[s + k]!;
      inOne = po[s + k]!;
      this.unwind(s, d, k);
      d -= 1;
    }
    this.recurse(hot, s, d + 1, hotZero * inZero, inOne, split);
    this.recurse(cold, s, d + 1, coldZero * inZero, 0, split);
  }

  /** UNWIND element `k` of the path at `s` (length `depth + 1`). */
  private unwind(s: number, depth: number, k: number): void {
    const { pf, pz, po, pw } = this;
    const one = po[s + k]!;
    const zero = pz[s + k]!;
    let next = pw[s + depth]!;
    if (one !== 0) {
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = pw[s + i]!;
        const wi = (next * (depth + 1)) / ((i + 1) * one);
        pw[s + i] = wi;
        next = tmp - (wi * zero * (depth - i)) / (depth + 1);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) pw[s + i] = (pw[s + i]! * (depth + 1)) / (zero * (depth - i));
    }
    for (let i = k; i < depth; i++) {
      pf[s + i] = pf[s + i + 1]!;
      pz[s + i] = pz[s + i + 1]!;
      po[s + i] = po[s + i + 1]!;
    }
  }

  /** At a leaf: every path element gets its unwound weight sum times (one - zero) times the value. */
  private creditLeaf(s: number, depth: number, leaf: number): void {
    const { pf, pz, po, pw, phi, phiOffset } = this;
    const d1 = depth + 1;
    for (let k = 1; k <= depth; k++) {
      const one = po[s + k]!;
      const zero = pz[s + k]!;
      let total = 0;
      if (one !== 0) {
        let next = pw[s + depth]!;
        for (let i = depth - 1; i >= 0; i--) {
          const tmp = (next * d1) / ((i + 1) * one);
          total += tmp;
          next = pw[s + i]! - (tmp * zero * (depth - i)) / d1;
        }
      } else if (zero !== 0) {
        for (let i = depth - 1; i >= 0; i--) total += pw[s + i]! / zero / ((depth - i) / d1);
      }
      phi[phiOffset + pf[s + k]!]! += total * (one - zero) * leaf;
    }
  }
}
