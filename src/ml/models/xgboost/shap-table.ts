/**
 * TreeSHAP with precomputed per-leaf tables, in the spirit of Fast TreeSHAP v2 (Yang 2021, "Fast
 * TreeSHAP: Accelerating SHAP Value Computation for Trees"): everything that does not depend on
 * the row is computed once, so that explaining a row costs O(leaves x depth) per tree instead of
 * the O(leaves x depth^2) of the plain recursion.
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
 * So a leaf's D contributions depend on the row only through O, a D-bit mask. A leaf stores N for
 * the 2^D subsets of P (the entry for T = P is never read) and the D factors (1 - z_j) / z_j.
 *
 * Two sibling leaves (the common case: at the bottom of a tree both children of a node are leaves)
 * share P, and their masks differ at most in the bit of their parent's split. Such a pair stores
 * instead, for every reachable pair of masks, the D summed contributions ready to add: 2^D masks
 * (2^(D+1) when the parent's feature also splits higher up) times D numbers, for D small enough
 * that this stays within a few times the two leaves' own tables. Per row, a pair is then D
 * additions and no arithmetic, half the work of two leaves.
 *
 * Per row, one pass over every internal node of every tree marks, as bit masks, which path
 * features each node's branch fails ("cold"); then one pass over the pairs and one over the single
 * leaves reads the tables. N(T) is a sum of terms of one sign and the factors are a division and a
 * subtraction, so the values agree with the plain recursion to a few units in the last place. A
 * tree with a zero cover fraction (z_j = 0: no division) is left to the plain recursion, as is a
 * tree whose tables would exceed the limits (deep trees: a leaf with D path features costs 2^D).
 */
import type { Forest } from './model-json.js';

/** Limits on the memory the precomputed tables (with their node and leaf records) may take. */
export interface TableLimits {
  /** Largest footprint one tree may have, in bytes; bigger trees use the plain recursion. */
  readonly maxBytesPerTree: number;
  /** Largest footprint of all table trees together, in bytes. */
  readonly maxBytesTotal: number;
}

const NODE_STRIDE = 4;
const PAIR_STRIDE = 4;
const SINGLE_STRIDE = 3;
/** Flag in a node's bit word: missing values go left. Path bits stay below it (at most 30). */
const DEFAULT_LEFT = 1 << 31;
/** A pair's shift for "the parent's feature is new on the path": shifts any mask to 0. */
const NO_EXTRA_BIT = 31;
/**
 * Sibling leaves become a pair when D * 2^(1 if the parent's feature repeats) <= this: the pair's
 * table then takes at most 2.5 times the two leaves' own (D / 2 times, or D when it repeats).
 */
const PAIR_MAX_WIDTH = 5;

/** One leaf: its forest index and the distinct features of its path with their z. */
interface LeafPlan {
  readonly node: number;
  readonly features: number[];
  readonly zero: number[];
}

/** Two sibling leaves; `bit` is the position of their parent's feature, `repeated` if it splits higher up too. */
interface PairPlan {
  readonly left: LeafPlan;
  readonly right: LeafPlan;
  readonly bit: number;
  readonly repeated: boolean;
}

/** One tree, prepared: BFS-ordered internal nodes, its leaves as pairs and singles. */
interface TreePlan {
  readonly internal: number[];
  /** For every internal node (forest index): the bit of its split feature on its root path. */
  readonly bit: Map<number, number>;
  readonly pairs: PairPlan[];
  readonly singles: LeafPlan[];
  /** Bytes the tree takes once laid out: records, cold masks and tables. */
  readonly bytes: number;
  readonly usable: boolean;
}

const pairEntries = (d: number, repeated: boolean): number => d * 2 ** (repeated ? d + 1 : d);
const pairBytes = (d: number, repeated: boolean): number => 4 * PAIR_STRIDE + 4 * d + 8 * pairEntries(d, repeated) + 2 * 4;
const singleBytes = (d: number): number => 4 * SINGLE_STRIDE + 12 * d + 8 * 2 ** d + 4;
const NODE_BYTES = 4 * NODE_STRIDE + 8 + 4;

/** Walks one tree: BFS order of its nodes, the distinct features and cover fractions of each path. */
function planTree(f: Forest, root: number): TreePlan {
  const internal: number[] = [];
  const bit = new Map<number, number>();
  const repeats = new Set<number>();
  const pairs: PairPlan[] = [];
  const singles: LeafPlan[] = [];
  let usable = true;
  let bytes = 0;
  // BFS carrying each node's path state (distinct features and their products of cover fractions).
  const queue: { node: number; features: number[]; zero: number[] }[] = [{ node: root, features: [], zero: [] }];
  const leafOf = new Map<number, LeafPlan>();
  for (let q = 0; q < queue.length; q++) {
    const { node, features, zero } = queue[q]!;
    const split = f.feature[node]!;
    if (split < 0) {
      leafOf.set(node, { node, features, zero });
      if (features.length > 30) usable = false; // masks are 31-bit
      continue;
    }
    internal.push(node);
    let k = features.indexOf(split);
    if (k < 0) k = features.length;
    else repeats.add(node);
    bit.set(node, k);
    const cover = f.cover[node]!;
    for (const child of [f.left[node]!, f.right[node]!]) {
      const e = f.cover[child]! / cover;
      if (!(e > 0 && Number.isFinite(e))) usable = false;
      const cf = features.slice();
      const cz = zero.slice();
      if (k < features.length) cz[k] = e * cz[k]!;
      else {
        cf.push(split);
        cz.push(e);
      }
      queue.push({ node: child, features: cf, zero: cz });
    }
  }
  for (const node of internal) {
    const l = leafOf.get(f.left[node]!);
    const r = leafOf.get(f.right[node]!);
    const d = l?.features.length ?? 0;
    const repeated = repeats.has(node);
    if (l && r && d << (repeated ? 1 : 0) <= PAIR_MAX_WIDTH) {
      pairs.push({ left: l, right: r, bit: bit.get(node)!, repeated });
      bytes += pairBytes(d, repeated);
      leafOf.delete(l.node);
      leafOf.delete(r.node);
    }
  }
  for (const leaf of leafOf.values()) {
    singles.push(leaf);
    bytes += singleBytes(leaf.features.length);
  }
  bytes += NODE_BYTES * internal.length;
  return { internal, bit, pairs, singles, bytes, usable };
}

/**
 * Fills `out[base + T]` with N(T) for every subset T (bit j = the j-th path feature) of a leaf with
 * value `v` and path fractions `z`. The polynomial prod_{j in T} (y + z_j) * prod_{j not in T} z_j
 * has as coefficient of y^s the sum over |U| = s, U ⊆ T of prod_{j in P \ U} z_j; N(T) weighs those
 * coefficients with w(s). `scratch[j]` holds the coefficients (degree <= j) of the product over the
 * first j features; the subsets are enumerated depth first so that prefixes share their products.
 */
function fillLeafTable(out: Float64Array, base: number, v: number, z: readonly number[], weights: Float64Array, scratch: Float64Array[]): void {
  scratch[0]![0] = 1;
  fillSubsets(out, base, v, z, weights, scratch, 0, 0);
  // T = P is never read (some feature of P would have to be outside O); keep it inert.
  out[base + (2 ** z.length - 1)] = 0;
}

function fillSubsets(out: Float64Array, base: number, v: number, z: readonly number[], weights: Float64Array, scratch: Float64Array[], j: number, mask: number): void {
  const d = z.length;
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
  fillSubsets(out, base, v, z, weights, scratch, j + 1, mask);
  // j in T: multiply by (y + z_j).
  n[0] = c[0]! * zj;
  for (let k = 1; k <= j; k++) n[k] = c[k - 1]! + c[k]! * zj;
  n[j + 1] = c[j]!;
  fillSubsets(out, base, v, z, weights, scratch, j + 1, mask | (1 << j));
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

/**
 * The trees that the table method handles, laid out flat: the internal nodes of all of them in one
 * record array (each tree in BFS order, so a parent comes before its children), then the pairs and
 * the single leaves of all of them. Internal node i has slot i in the array of cold masks; pair q
 * has slots (internal count + 2q) and the next, single leaf q the slot after all pairs' plus q; a
 * root's slot is never written and stays 0. Flat loops over a few packed arrays, rather than a loop
 * per tree over many parallel arrays, ran several times faster.
 */
export class TableShap {
  /** Roots (forest indices) of the trees left to the plain recursion. */
  readonly fallbackRoots: Int32Array;
  readonly treeCount: number;
  /** Leaves handled as sibling pairs (and how many of those pairs split on a repeated feature), and alone. */
  readonly pairCount: number;
  readonly repeatedPairCount: number;
  readonly singleCount: number;

  /** Internal nodes, NODE_STRIDE int32 each: split feature, bit | default-left flag, left slot, right slot. */
  private readonly nodes: Int32Array;
  private readonly thresholds: Float64Array;
  /** Pairs, PAIR_STRIDE int32 each: D, offset of its features, offset of its table, shift of its extra bit. */
  private readonly pairs: Int32Array;
  private readonly pairFeature: Int32Array;
  private readonly pairTable: Float64Array;
  /** Single leaves, SINGLE_STRIDE int32 each: D, offset of its features and factors, offset of its table. */
  private readonly singles: Int32Array;
  private readonly singleFeature: Int32Array;
  /** (1 - z_j) / z_j for every path feature of every single leaf. */
  private readonly singleFactor: Float64Array;
  private readonly singleTable: Float64Array;
  /**
   * Per slot, the bits of the path features whose edge the row did not take (the complement of
   * the satisfied set O), filled by the top-down pass.
   */
  private readonly cold: Int32Array;
  /** The row being explained, as float64 (each feature is read many times). */
  private readonly row: Float64Array;

  constructor(f: Forest, limits: TableLimits) {
    this.row = new Float64Array(f.numFeatures);
    const plans: TreePlan[] = [];
    const fallback: number[] = [];
    let bytes = 0;
    for (let t = 0; t < f.roots.length; t++) {
      const root = f.roots[t]!;
      if (f.feature[root]! < 0) continue; // a single leaf: no feature gets anything
      const plan = planTree(f, root);
      if (plan.usable && plan.bytes <= limits.maxBytesPerTree && bytes + plan.bytes <= limits.maxBytesTotal) {
        plans.push(plan);
        bytes += plan.bytes;
      } else {
        fallback.push(root);
      }
    }
    this.fallbackRoots = Int32Array.from(fallback);
    this.treeCount = plans.length;

    let nInternal = 0, nPairs = 0, nSingles = 0, pairPath = 0, pairEntriesTotal = 0, singlePath = 0, singleEntries = 0, maxD = 0;
    for (const p of plans) {
      nInternal += p.internal.length;
      nPairs += p.pairs.length;
      nSingles += p.singles.length;
      for (const q of p.pairs) {
        const d = q.left.features.length;
        pairPath += d;
        pairEntriesTotal += pairEntries(d, q.repeated);
        maxD = Math.max(maxD, d);
      }
      for (const s of p.singles) {
        singlePath += s.features.length;
        singleEntries += 2 ** s.features.length;
        maxD = Math.max(maxD, s.features.length);
      }
    }
    this.pairCount = nPairs;
    this.repeatedPairCount = plans.reduce((n, p) => n + p.pairs.filter((q) => q.repeated).length, 0);
    this.singleCount = nSingles;
    this.nodes = new Int32Array(nInternal * NODE_STRIDE);
    this.thresholds = new Float64Array(nInternal);
    this.pairs = new Int32Array(nPairs * PAIR_STRIDE);
    this.pairFeature = new Int32Array(pairPath);
    this.pairTable = new Float64Array(pairEntriesTotal);
    this.singles = new Int32Array(nSingles * SINGLE_STRIDE);
    this.singleFeature = new Int32Array(singlePath);
    this.singleFactor = new Float64Array(singlePath);
    this.singleTable = new Float64Array(singleEntries);
    this.cold = new Int32Array(nInternal + 2 * nPairs + nSingles);

    const weightsByDepth: Float64Array[] = [];
    for (let d = 0; d <= maxD; d++) weightsByDepth.push(shapleyWeights(d));
    const scratch: Float64Array[] = [];
    for (let d = 0; d <= maxD; d++) scratch.push(new Float64Array(maxD + 1));
    const leftN = new Float64Array(2 ** Math.min(maxD, PAIR_MAX_WIDTH));
    const rightN = new Float64Array(leftN.length);

    let ni = 0, np = 0, ns = 0, pairPathAt = 0, pairTableAt = 0, singlePathAt = 0, singleTableAt = 0;
    const pairSlot0 = nInternal;
    const singleSlot0 = nInternal + 2 * nPairs;
    for (const p of plans) {
      const slot = new Map<number, number>();
      for (let k = 0; k < p.internal.length; k++) slot.set(p.internal[k]!, ni + k);
      for (let k = 0; k < p.pairs.length; k++) {
        slot.set(p.pairs[k]!.left.node, pairSlot0 + 2 * (np + k));
        slot.set(p.pairs[k]!.right.node, pairSlot0 + 2 * (np + k) + 1);
      }
      for (let k = 0; k < p.singles.length; k++) slot.set(p.singles[k]!.node, singleSlot0 + ns + k);
      for (const node of p.internal) {
        const r = ni * NODE_STRIDE;
        this.nodes[r] = f.feature[node]!;
        this.nodes[r + 1] = (1 << p.bit.get(node)!) | (f.missing[node] === f.left[node] ? DEFAULT_LEFT : 0);
        this.nodes[r + 2] = slot.get(f.left[node]!)!;
        this.nodes[r + 3] = slot.get(f.right[node]!)!;
        this.thresholds[ni] = f.threshold[node]!;
        ni++;
      }
      for (const q of p.pairs) {
        const d = q.left.features.length;
        const r = np * PAIR_STRIDE;
        this.pairs[r] = d;
        this.pairs[r + 1] = pairPathAt;
        this.pairs[r + 2] = pairTableAt;
        this.pairs[r + 3] = q.repeated ? q.bit : NO_EXTRA_BIT;
        for (let k = 0; k < d; k++) this.pairFeature[pairPathAt + k] = q.left.features[k]!;
        fillLeafTable(leftN, 0, f.value[q.left.node]!, q.left.zero, weightsByDepth[d]!, scratch);
        fillLeafTable(rightN, 0, f.value[q.right.node]!, q.right.zero, weightsByDepth[d]!, scratch);
        fillPairTable(this.pairTable, pairTableAt, d, q, leftN, rightN);
        pairPathAt += d;
        pairTableAt += pairEntries(d, q.repeated);
        np++;
      }
      for (const leaf of p.singles) {
        const d = leaf.features.length;
        const r = ns * SINGLE_STRIDE;
        this.singles[r] = d;
        this.singles[r + 1] = singlePathAt;
        this.singles[r + 2] = singleTableAt;
        for (let k = 0; k < d; k++) {
          this.singleFeature[singlePathAt + k] = leaf.features[k]!;
          this.singleFactor[singlePathAt + k] = factor(leaf.zero[k]!);
        }
        fillLeafTable(this.singleTable, singleTableAt, f.value[leaf.node]!, leaf.zero, weightsByDepth[d]!, scratch);
        singlePathAt += d;
        singleTableAt += 2 ** d;
        ns++;
      }
    }
  }

  /** Bytes held: the tables plus the node, pair and leaf records and the cold masks. */
  get byteLength(): number {
    let n = 0;
    for (const a of [this.nodes, this.thresholds, this.pairs, this.pairFeature, this.pairTable, this.singles, this.singleFeature, this.singleFactor, this.singleTable, this.cold]) {
      n += a.byteLength;
    }
    return n;
  }

  /** Adds the contributions of the table trees for row `x[offset..]` to `phi[phiOffset + feature]`. */
  accumulate(x: ArrayLike<number>, offset: number, phi: Float64Array, phiOffset: number): void {
    const row = this.row;
    for (let j = 0; j < row.length; j++) row[j] = x[offset + j]!;
    markColdPass(this.nodes, this.thresholds, this.cold, row);
    const pairSlot0 = this.thresholds.length;
    creditPairsPass(this.pairs, pairSlot0, this.pairFeature, this.pairTable, this.cold, phi, phiOffset);
    const singleSlot0 = pairSlot0 + (2 * this.pairs.length) / PAIR_STRIDE;
    creditSinglesPass(this.singles, singleSlot0, this.singleFeature, this.singleFactor, this.singleTable, this.cold, phi, phiOffset);
  }
}

/** (1 - z) / z: what N(O minus j) is multiplied by for a satisfied feature j. */
function factor(z: number): number {
  return (1 - z) / z;
}

/** The contribution to path feature k of a leaf with table `n` and factors `factors`, for satisfied set `sat`. */
function leafContribution(n: Float64Array, factors: readonly number[], sat: number, k: number): number {
  const b = 1 << k;
  return (sat & b) !== 0 ? factors[k]! * n[sat ^ b]! : -n[sat]!;
}

/**
 * Fills a pair's table: for every index (the left leaf's mask, plus above bit D the right leaf's
 * bit for the parent's feature when that feature repeats), the D summed contributions of the two
 * leaves. A new feature: the right mask is the left one with the parent's bit flipped. A repeated
 * one: the right mask is the left one without that bit, plus the extra index bit.
 */
function fillPairTable(out: Float64Array, base: number, d: number, pair: PairPlan, leftN: Float64Array, rightN: Float64Array): void {
  const b = 1 << pair.bit;
  const size = 2 ** (pair.repeated ? d + 1 : d);
  const full = (1 << d) - 1;
  const leftFactors = pair.left.zero.map(factor);
  const rightFactors = pair.right.zero.map(factor);
  for (let index = 0; index < size; index++) {
    const satL = index & full;
    const satR = pair.repeated ? (satL & ~b) | ((index >> d) << pair.bit) : satL ^ b;
    for (let k = 0; k < d; k++) {
      out[base + index * d + k] = leafContribution(leftN, leftFactors, satL, k) + leafContribution(rightN, rightFactors, satR, k);
    }
  }
}

// The passes are plain functions of their arrays: V8 compiled these loops markedly faster over
// arguments than over arrays read from an object's fields.

/**
 * Top-down pass over every internal node: a child's cold bits are its parent's plus, on the branch
 * the row does not take, the bit of the parent's split feature. NaN fails both comparisons and
 * takes the default branch. Branch-free, because the way a row goes is as good as random.
 */
function markColdPass(nodes: Int32Array, thresholds: Float64Array, cold: Int32Array, row: Float64Array): void {
  const n = thresholds.length;
  for (let i = 0, r = 0; i < n; i++, r += NODE_STRIDE) {
    const word = nodes[r + 1]!;
    const v = row[nodes[r]!]!;
    const thr = thresholds[i]!;
    const goLeft = ((v < thr) as unknown as number) | ((((v >= thr) as unknown as number) ^ 1) & (word >>> 31));
    const mask = -goLeft; // all ones when the row goes left
    const bit = word & 0x7fffffff;
    const c = cold[i]!;
    cold[nodes[r + 2]!] = c | (bit & ~mask);
    cold[nodes[r + 3]!] = c | (bit & mask);
  }
}

/** Per pair: the index from the two leaves' masks, then D ready-made contributions to add. */
function creditPairsPass(
  pairs: Int32Array,
  slot0: number,
  pairFeature: Int32Array,
  pairTable: Float64Array,
  cold: Int32Array,
  phi: Float64Array,
  phiOffset: number,
): void {
  const n = pairs.length;
  for (let r = 0, s = slot0; r < n; r += PAIR_STRIDE, s += 2) {
    const d = pairs[r]!;
    const po = pairs[r + 1]!;
    const full = (1 << d) - 1;
    const satL = full & ~cold[s]!;
    const satR = full & ~cold[s + 1]!;
    const index = satL | (((satR >>> pairs[r + 3]!) & 1) << d);
    const to = pairs[r + 2]! + index * d;
    for (let k = 0; k < d; k++) phi[phiOffset + pairFeature[po + k]!]! += pairTable[to + k]!;
  }
}

/**
 * Per single leaf: its satisfied set O is the complement of its cold bits; a path feature in O gets
 * factor * N(O minus it), one outside O gets -N(O). Branch-free: `has` is 0 or 1 and the unused
 * term is a finite number times 0.
 */
function creditSinglesPass(
  singles: Int32Array,
  slot0: number,
  singleFeature: Int32Array,
  singleFactor: Float64Array,
  table: Float64Array,
  cold: Int32Array,
  phi: Float64Array,
  phiOffset: number,
): void {
  const n = singles.length;
  for (let r = 0, s = slot0; r < n; r += SINGLE_STRIDE, s++) {
    const d = singles[r]!;
    const po = singles[r + 1]!;
    const to = singles[r + 2]!;
    const sat = ((1 << d) - 1) & ~cold[s]!;
    const unsat = table[to + sat]!;
    for (let k = 0; k < d; k++) {
      const has = (sat >> k) & 1;
      phi[phiOffset + singleFeature[po + k]!]! += has * (singleFactor[po + k]! * table[to + (sat ^ (1 << k))]!) - (1 - has) * unsat;
    }
  }
}
