/**
 * TreeSHAP with per-leaf precomputed tables, in the spirit of Fast TreeSHAP v2 (Yang 2021, "Fast
 * TreeSHAP: Accelerating SHAP Value Computation for Trees"): everything that does not depend on
 * the row is computed once per leaf, so that explaining a row costs O(leaves x depth) per tree
 * instead of the O(leaves x depth^2) of the plain recursion.
 *
 * The derivation (ours, from the definition of path-dependent TreeSHAP). Take a leaf with value v
 * whose root path splits on the D distinct features P. For feature j in P let z_j be the product of
 * the cover fractions (cover(child) / cover(parent)) of the path's edges that split on j, and let
 * the row "satisfy" j when it follows every one of those edges; O is the set of satisfied features.
 * TreeSHAP credits the leaf's contribution to P as the Shapley values of the game
 *   f(S) = v * [S ∩ P ⊆ O] * prod_{j in P \ S} z_j,
 * with the Shapley weights w(s) = s! (D - 1 - s)! / D!. Let, for T ⊆ P,
 *   N(T) = sum_{U ⊆ T} w(|U|) * v * prod_{j in P \ U} z_j      (independent of the row).
 * Then:
 *   - for j in P \ O, adding j to any coalition zeroes the game, so phi_j = -N(O);
 *   - for j in O, f(U + j) - f(U) = (1 - z_j) f(U + j) = ((1 - z_j) / z_j) f(U) for U ⊆ O \ {j},
 *     so phi_j = ((1 - z_j) / z_j) * N(O \ {j}).
 * Every leaf therefore stores N for the 2^D subsets of its path features (the one for T = P is
 * never read) and the D factors (1 - z_j) / z_j. Per row the only work is finding each leaf's O,
 * as a bit mask, in one pass over the tree's nodes, then D table reads per leaf.
 *
 * N(T) is a sum of terms of one sign, and the factors are a division and a subtraction, so the
 * values agree with the plain recursion to a few units in the last place. A tree with a zero cover
 * fraction (z_j = 0) cannot use the division and is left to the plain recursion, as is a tree whose
 * tables would be too large (deep trees: a leaf at depth D costs 2^D numbers).
 */
import type { Forest } from './model-json.js';

/** Limits on the memory the precomputed tables (with their node and leaf indexes) may take. */
export interface TableLimits {
  /** Largest footprint one tree may have, in bytes; bigger trees use the plain recursion. */
  readonly maxBytesPerTree: number;
  /** Largest footprint of all table trees together, in bytes. */
  readonly maxBytesTotal: number;
}

// Index bytes: per internal node feature, threshold, default, bit, two children; per leaf depth
// and two offsets; per path element feature and factor.
const BYTES_PER_NODE = 4 + 8 + 1 + 4 + 4 + 4;
const BYTES_PER_LEAF = 4 + 4 + 4;
const BYTES_PER_PATH_ELEMENT = 4 + 8;

/** One tree, prepared: BFS-ordered internal nodes and leaves, with the paths' distinct features. */
interface TreePlan {
  readonly internal: number[];
  readonly leaves: number[];
  /** For every node of the tree (forest index): the bit of its split feature on its root path. */
  readonly bit: Map<number, number>;
  /** Per leaf: the distinct features of its path (first-occurrence order) and their z. */
  readonly leafFeatures: number[][];
  readonly leafZero: number[][];
  readonly entries: number;
  /** Bytes the tree takes once laid out: tables, per-leaf and per-node indexes. */
  readonly bytes: number;
  readonly usable: boolean;
}

/** Walks one tree: BFS order of its nodes, and the distinct features and cover fractions of each path. */
function planTree(f: Forest, root: number): TreePlan {
  const internal: number[] = [];
  const leaves: number[] = [];
  const bit = new Map<number, number>();
  const leafFeatures: number[][] = [];
  const leafZero: number[][] = [];
  let entries = 0;
  let usable = true;
  // BFS carrying each node's path state (distinct features and their products of cover fractions).
  const queue: { node: number; feats: number[]; zs: number[] }[] = [{ node: root, feats: [], zs: [] }];
  for (let q = 0; q < queue.length; q++) {
    const { node, feats, zs } = queue[q]!;
    const split = f.feature[node]!;
    if (split < 0) {
      leaves.push(node);
      leafFeatures.push(feats);
      leafZero.push(zs);
      entries += 2 ** feats.length;
      continue;
    }
    internal.push(node);
    let k = feats.indexOf(split);
    if (k < 0) k = feats.length;
    bit.set(node, k);
    const cover = f.cover[node]!;
    for (const child of [f.left[node]!, f.right[node]!]) {
      const e = f.cover[child]! / cover;
      if (!(e > 0 && Number.isFinite(e))) usable = false;
      const cf = feats.slice();
      const cz = zs.slice();
      if (k < feats.length) cz[k] = e * cz[k]!;
      else {
        cf.push(split);
        cz.push(e);
      }
      queue.push({ node: child, feats: cf, zs: cz });
    }
  }
  // More than 30 distinct features on a path would overflow the 32-bit masks (and the tables).
  let pathLength = 0;
  for (const fs of leafFeatures) {
    if (fs.length > 30) usable = false;
    pathLength += fs.length;
  }
  const bytes = 8 * entries + BYTES_PER_LEAF * leaves.length + BYTES_PER_PATH_ELEMENT * pathLength + BYTES_PER_NODE * internal.length;
  return { internal, leaves, bit, leafFeatures, leafZero, entries, bytes, usable };
}

/**
 * Fills `out[base + T]` with N(T) for every subset T (bit j = the j-th path feature) of a leaf with
 * value `v` and path fractions `z`. The polynomial prod_{j in T} (y + z_j) * prod_{j not in T} z_j
 * has as coefficient of y^s the sum over |U| = s, U ⊆ T of prod_{j in P \ U} z_j; N(T) weighs those
 * coefficients with w(s). The subsets are enumerated depth first so prefixes share their products.
 */
function fillLeafTable(out: Float64Array, base: number, v: number, z: readonly number[], weights: Float64Array, scratch: Float64Array[]): void {
  const d = z.length;
  // scratch[j] holds the coefficients (degree <= j) of the product over the first j features.
  const first = scratch[0]!;
  first[0] = 1;
  const visit = (j: number, mask: number): void => {
    const c = scratch[j]!;
    if (j === d) {
      let s = 0;
      for (let k = 0; k < d; k++) s += weights[k]! * c[k]!;
      out[base + mask] = v * s;
      return;
    }
    const n = scratch[j + 1]!;
    const zj = z[j]!;
    // j not in T: multiply by z_j.
    for (let k = 0; k <= j; k++) n[k] = c[k]! * zj;
    n[j + 1] = 0;
    visit(j + 1, mask);
    // j in T: multiply by (y + z_j).
    n[0] = c[0]! * zj;
    for (let k = 1; k <= j; k++) n[k] = c[k - 1]! + c[k]! * zj;
    n[j + 1] = c[j]!;
    visit(j + 1, mask | (1 << j));
  };
  visit(0, 0);
  // T = P is never read (some feature of P would have to be outside O); keep it inert.
  out[base + (2 ** d - 1)] = 0;
}

/** Shapley weights s! (D - 1 - s)! / D! for s = 0..D-1. */
function shapleyWeights(d: number): Float64Array {
  const w = new Float64Array(Math.max(d, 1));
  for (let s = 0; s < d; s++) {
    // s! (D-1-s)! / D! = 1 / (D * C(D-1, s)), with the binomial built exactly in float64.
    let binom = 1;
    for (let i = 1; i <= s; i++) binom = (binom * (d - i)) / i;
    w[s] = 1 / (d * binom);
  }
  return w;
}

/** The trees that the table method handles, prepared; and the roots of those it leaves to the recursion. */
export class TableShap {
  /** Roots (forest indices) of the trees left to the plain recursion. */
  readonly fallbackRoots: Int32Array;
  /** Number of table entries (float64) held. */
  readonly tableEntries: number;
  readonly treeCount: number;

  // Per tree: ranges into the internal-node and leaf arrays.
  private readonly treeInternal: Int32Array;
  private readonly treeLeaf: Int32Array;
  // Internal nodes, BFS order per tree; children are slots: internal k -> k, leaf j -> I + j.
  private readonly nodeFeature: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeDefaultLeft: Uint8Array;
  private readonly nodeBit: Int32Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  // Leaves: number of distinct path features, offsets into the path arrays and into the tables.
  private readonly leafDepth: Int32Array;
  private readonly leafPath: Int32Array;
  private readonly leafTable: Int32Array;
  private readonly pathFeature: Int32Array;
  private readonly pathFactor: Float64Array;
  private readonly table: Float64Array;
  /** Cold-bit mask of every slot of the tree being explained. */
  private readonly cold: Int32Array;

  constructor(f: Forest, limits: TableLimits) {
    const plans: TreePlan[] = [];
    const fallback: number[] = [];
    let entries = 0;
    let bytes = 0;
    for (let t = 0; t < f.roots.length; t++) {
      const root = f.roots[t]!;
      if (f.feature[root]! < 0) continue; // a single leaf: no feature gets anything
      const plan = planTree(f, root);
      if (plan.usable && plan.bytes <= limits.maxBytesPerTree && bytes + plan.bytes <= limits.maxBytesTotal) {
        plans.push(plan);
        entries += plan.entries;
        bytes += plan.bytes;
      } else {
        fallback.push(root);
      }
    }
    this.fallbackRoots = Int32Array.from(fallback);
    this.tableEntries = entries;
    this.treeCount = plans.length;

    let nInternal = 0, nLeaves = 0, nPath = 0, maxSlots = 1, maxD = 0;
    for (const p of plans) {
      nInternal += p.internal.length;
      nLeaves += p.leaves.length;
      maxSlots = Math.max(maxSlots, p.internal.length + p.leaves.length);
      for (const fs of p.leafFeatures) {
        nPath += fs.length;
        maxD = Math.max(maxD, fs.length);
      }
    }
    this.treeInternal = new Int32Array(plans.length + 1);
    this.treeLeaf = new Int32Array(plans.length + 1);
    this.nodeFeature = new Int32Array(nInternal);
    this.nodeThreshold = new Float64Array(nInternal);
    this.nodeDefaultLeft = new Uint8Array(nInternal);
    this.nodeBit = new Int32Array(nInternal);
    this.nodeLeft = new Int32Array(nInternal);
    this.nodeRight = new Int32Array(nInternal);
    this.leafDepth = new Int32Array(nLeaves);
    this.leafPath = new Int32Array(nLeaves);
    this.leafTable = new Int32Array(nLeaves);
    this.pathFeature = new Int32Array(nPath);
    this.pathFactor = new Float64Array(nPath);
    this.table = new Float64Array(entries);
    this.cold = new Int32Array(maxSlots);

    const weightsByDepth: Float64Array[] = [];
    for (let d = 0; d <= maxD; d++) weightsByDepth.push(shapleyWeights(d));
    const scratch: Float64Array[] = [];
    for (let d = 0; d <= maxD; d++) scratch.push(new Float64Array(maxD + 1));

    let ni = 0, nl = 0, np = 0, nt = 0;
    plans.forEach((p, t) => {
      this.treeInternal[t] = ni;
      this.treeLeaf[t] = nl;
      const slot = new Map<number, number>();
      p.internal.forEach((node, k) => slot.set(node, k));
      p.leaves.forEach((node, j) => slot.set(node, p.internal.length + j));
      for (const node of p.internal) {
        this.nodeFeature[ni] = f.feature[node]!;
        this.nodeThreshold[ni] = f.threshold[node]!;
        this.nodeDefaultLeft[ni] = f.missing[node] === f.left[node] ? 1 : 0;
        this.nodeBit[ni] = 1 << p.bit.get(node)!;
        this.nodeLeft[ni] = slot.get(f.left[node]!)!;
        this.nodeRight[ni] = slot.get(f.right[node]!)!;
        ni++;
      }
      p.leaves.forEach((node, j) => {
        const fs = p.leafFeatures[j]!;
        const zs = p.leafZero[j]!;
        const d = fs.length;
        this.leafDepth[nl] = d;
        this.leafPath[nl] = np;
        this.leafTable[nl] = nt;
        for (let k = 0; k < d; k++) {
          this.pathFeature[np + k] = fs[k]!;
          this.pathFactor[np + k] = (1 - zs[k]!) / zs[k]!;
        }
        fillLeafTable(this.table, nt, f.value[node]!, zs, weightsByDepth[d]!, scratch);
        np += d;
        nt += 2 ** d;
        nl++;
      });
    });
    this.treeInternal[plans.length] = ni;
    this.treeLeaf[plans.length] = nl;
  }

  /** Bytes held: the tables plus the per-node and per-leaf indexes. */
  get byteLength(): number {
    let n = 0;
    for (const a of [this.treeInternal, this.treeLeaf, this.nodeFeature, this.nodeThreshold, this.nodeDefaultLeft, this.nodeBit, this.nodeLeft, this.nodeRight,
      this.leafDepth, this.leafPath, this.leafTable, this.pathFeature, this.pathFactor, this.table, this.cold]) n += a.byteLength;
    return n;
  }

  /** Adds the contributions of the table trees for row `x[offset..]` to `phi[phiOffset + feature]`. */
  accumulate(x: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number): void {
    const { treeInternal, treeLeaf, nodeFeature, nodeThreshold, nodeDefaultLeft, nodeBit, nodeLeft, nodeRight } = this;
    const { leafDepth, leafPath, leafTable, pathFeature, pathFactor, table, cold } = this;
    const trees = this.treeCount;
    for (let t = 0; t < trees; t++) {
      const i0 = treeInternal[t]!, i1 = treeInternal[t + 1]!;
      // Top-down pass: the cold bits of a node are its parent's plus, on the branch the row does
      // not take, the bit of the parent's split feature.
      cold[0] = 0;
      for (let i = i0; i < i1; i++) {
        const c = cold[i - i0]!;
        const b = c | nodeBit[i]!;
        const v = x[offset + nodeFeature[i]!]!;
        const thr = nodeThreshold[i]!;
        // NaN fails both comparisons and takes the default branch.
        const goLeft = v < thr ? true : v >= thr ? false : nodeDefaultLeft[i] === 1;
        if (goLeft) {
          cold[nodeLeft[i]!] = c;
          cold[nodeRight[i]!] = b;
        } else {
          cold[nodeLeft[i]!] = b;
          cold[nodeRight[i]!] = c;
        }
      }
      const slot0 = i1 - i0;
      const l0 = treeLeaf[t]!, l1 = treeLeaf[t + 1]!;
      for (let l = l0; l < l1; l++) {
        const d = leafDepth[l]!;
        const po = leafPath[l]!;
        const to = leafTable[l]!;
        const sat = ((1 << d) - 1) & ~cold[slot0 + l - l0]!;
        const unsat = table[to + sat]!;
        for (let k = 0; k < d; k++) {
          const b = 1 << k;
          const at = phiOffset + pathFeature[po + k]!;
          if ((sat & b) !== 0) phi[at]! += pathFactor[po + k]! * table[to + (sat ^ b)]!;
          else phi[at]! -= unsat;
        }
      }
    }
  }
}
