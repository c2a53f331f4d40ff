/**
 * A forest compiled for fast prediction, in the spirit of QuickScorer (Lucchese et al., SIGIR 2015):
 * every tree's leaves are bits of a bitvector, and every split "x >= threshold" removes the leaves
 * of its left subtree. Because a feature's value decides all its splits at once, the surviving leaf
 * set for a feature value is precomputed per threshold bin; a row costs a binary search per feature,
 * a few thousand 32-bit ANDs over contiguous memory, and one leaf lookup per tree. No branch depends
 * on the data except the binary searches, which is what makes tree traversal slow.
 *
 * The exit leaf of a tree is its leftmost surviving leaf. Margins are summed in float32 in tree
 * order, so results equal the plain traversal (and libxgboost) exactly.
 */
import type { Forest } from './model-json.js';

/** Trees packed two per 32-bit word (at most 16 leaves each) or one per word (at most 32). */
type Packing = 16 | 32;

export interface CompiledForest {
  readonly packing: Packing;
  readonly trees: number;
  /** 32-bit words per leaf-set vector. */
  readonly words: number;
  readonly numFeatures: number;
  readonly baseMargin: number;
  /** Leaf values: tree t's leaf i (left to right) at t * packing + i. */
  readonly leafValues: Float32Array;
  /** Features any split uses, ascending. */
  readonly usedFeatures: Int32Array;
  /** Per used feature k: its sorted distinct thresholds are thresholds[thresholdStart[k] .. thresholdStart[k+1]). */
  readonly thresholdStart: Int32Array;
  readonly thresholds: Float32Array;
  /**
   * Per used feature k: (count + 2) vectors of `words` masks at vectorStart[k]: vector b (0..count)
   * for a value with b thresholds <= it, vector count + 1 for a missing value. The vector at
   * offset 0 is all ones (padding for fused passes).
   */
  readonly vectorStart: Int32Array;
  readonly masks: Int32Array;
}

/** Default cap on the mask tables (bytes); larger forests use the plain traversal. */
export const MAX_COMPILED_BYTES = 64 * 1024 * 1024;

interface Split {
  threshold: number;
  mask: number;
  tree: number;
  defaultRight: boolean;
}

/** Compiles a forest, or returns null when a tree has more than 32 leaves or the tables would be too big. */
export function compileForest(forest: Forest, maxBytes = MAX_COMPILED_BYTES): CompiledForest | null {
  const trees = forest.roots.length;
  const leafCounts: number[] = [];
  for (let t = 0; t < trees; t++) leafCounts.push(countLeaves(forest, forest.roots[t]!));
  const maxLeaves = Math.max(1, ...leafCounts);
  if (maxLeaves > 32) return null;
  const packing: Packing = maxLeaves <= 16 ? 16 : 32;
  const words = packing === 16 ? Math.ceil(trees / 2) : trees;

  const leafValues = new Float32Array(Math.max(1, trees * packing));
  const splits: Split[][] = Array.from({ length: forest.numFeatures }, () => []);
  for (let t = 0; t < trees; t++) {
    let next = 0;
    // Returns the range of leaf indices below `node`, numbering leaves left to right.
    const walk = (node: number): [number, number] => {
      if (forest.feature[node]! < 0) {
        const i = next++;
        leafValues[t * packing + i] = forest.value[node]!;
        return [i, i];
      }
      const [first, lastLeft] = walk(forest.left[node]!);
      const [, last] = walk(forest.right[node]!);
      let leftBits = 0;
      for (let i = first; i <= lastLeft; i++) leftBits |= leafBit(packing, t, i);
      splits[forest.feature[node]!]!.push({ threshold: forest.threshold[node]!, mask: ~leftBits, tree: t, defaultRight: forest.missing[node] === forest.right[node] });
      return [first, last];
    };
    walk(forest.roots[t]!);
  }

  const used = splits.map((s, f) => (s.length > 0 ? f : -1)).filter((f) => f >= 0);
  const distinct = used.map((f) => Array.from(new Set(splits[f]!.map((s) => s.threshold))).sort((a, b) => a - b));
  const vectors = 1 + distinct.reduce((n, d) => n + d.length + 2, 0);
  if (vectors * words * 4 > maxBytes) return null;

  const thresholdStart = new Int32Array(used.length + 1);
  const vectorStart = new Int32Array(used.length + 1);
  const thresholds = new Float32Array(distinct.reduce((n, d) => n + d.length, 0));
  const masks = new Int32Array(vectors * words).fill(-1);
  let tOff = 0;
  let vOff = words; // after the all-ones vector
  used.forEach((f, k) => {
    const d = distinct[k]!;
    thresholdStart[k] = tOff;
    vectorStart[k] = vOff;
    thresholds.set(d, tOff);
    const wordOf = (tree: number) => (packing === 16 ? tree >> 1 : tree);
    // Vector b: every split with threshold <= d[b - 1] has sent the value right.
    const byThreshold = [...splits[f]!].sort((a, b) => a.threshold - b.threshold);
    let s = 0;
    for (let b = 1; b <= d.length; b++) {
      const base = vOff + b * words;
      masks.copyWithin(base, base - words, base); // inherit vector b - 1
      for (; s < byThreshold.length && byThreshold[s]!.threshold <= d[b - 1]!; s++) masks[base + wordOf(byThreshold[s]!.tree)]! &= byThreshold[s]!.mask;
    }
    const nan = vOff + (d.length + 1) * words;
    for (const sp of splits[f]!) if (sp.defaultRight) masks[nan + wordOf(sp.tree)]! &= sp.mask;
    tOff += d.length;
    vOff += (d.length + 2) * words;
  });
  thresholdStart[used.length] = tOff;
  vectorStart[used.length] = vOff;
  return {
    packing,
    trees,
    words,
    numFeatures: forest.numFeatures,
    baseMargin: forest.baseMargin,
    leafValues,
    usedFeatures: Int32Array.from(used),
    thresholdStart,
    thresholds,
    vectorStart,
    masks,
  };
}

/** The bit of leaf i of tree t: leftmost leaves in the highest bits of the tree's lane. */
function leafBit(packing: Packing, tree: number, i: number): number {
  if (packing === 32) return 1 << (31 - i);
  return (tree & 1) === 0 ? 1 << (31 - i) : 1 << (15 - i);
}

function countLeaves(forest: Forest, node: number): number {
  return forest.feature[node]! < 0 ? 1 : countLeaves(forest, forest.left[node]!) + countLeaves(forest, forest.right[node]!);
}

/**
 * Features whose leaf sets are ANDed in one pass over the words: passes of ten while more than
 * five remain, then one of five (padding slots point at the all-ones vector).
 */
const WIDE = 10;
const NARROW = 5;

/** Slots needed in `bases` for `features` features. */
function slotCount(features: number): number {
  const wide = Math.floor(Math.max(0, features - 1) / WIDE) * WIDE;
  return wide + (features - wide > NARROW ? WIDE : NARROW);
}

/**
 * Writes the leaf sets of the row at `x[offset ..]` to `out[at .. at + words)`. `bases` is scratch
 * of `slotCount(usedFeatures)` entries.
 */
function leafSets(c: CompiledForest, x: ArrayLike<number>, offset: number, out: Int32Array, at: number, bases: Int32Array): void {
  const { words, masks, thresholds, thresholdStart, vectorStart, usedFeatures } = c;
  const nf = usedFeatures.length;
  bases.fill(0);
  for (let k = 0; k < nf; k++) {
    const v = x[offset + usedFeatures[k]!]!;
    const t0 = thresholdStart[k]!;
    const t1 = thresholdStart[k + 1]!;
    let bin: number;
    if (v !== v) {
      bin = t1 - t0 + 1;
    } else {
      // Number of thresholds <= v (float32 comparisons, as libxgboost makes them), by a binary
      // search whose steps are selects rather than branches.
      let base = t0;
      let n = t1 - t0;
      while (n > 1) {
        const half = n >>> 1;
        base = thresholds[base + half]! <= v ? base + half : base;
        n -= half;
      }
      bin = n > 0 && thresholds[base]! <= v ? base - t0 + 1 : 0;
    }
    bases[k] = vectorStart[k]! + bin * words;
  }
  let g = 0;
  for (; bases.length - g > NARROW; g += WIDE) {
    const b0 = bases[g]!, b1 = bases[g + 1]!, b2 = bases[g + 2]!, b3 = bases[g + 3]!, b4 = bases[g + 4]!;
    const b5 = bases[g + 5]!, b6 = bases[g + 6]!, b7 = bases[g + 7]!, b8 = bases[g + 8]!, b9 = bases[g + 9]!;
    const first = g === 0;
    for (let w = 0; w < words; w++) {
      const m = masks[b0 + w]! & masks[b1 + w]! & masks[b2 + w]! & masks[b3 + w]! & masks[b4 + w]! & masks[b5 + w]! & masks[b6 + w]! & masks[b7 + w]! & masks[b8 + w]! & masks[b9 + w]!;
      out[at + w] = first ? m : out[at + w]! & m;
    }
  }
  if (g < bases.length) {
    const b0 = bases[g]!, b1 = bases[g + 1]!, b2 = bases[g + 2]!, b3 = bases[g + 3]!, b4 = bases[g + 4]!;
    const first = g === 0;
    for (let w = 0; w < words; w++) {
      const m = masks[b0 + w]! & masks[b1 + w]! & masks[b2 + w]! & masks[b3 + w]! & masks[b4 + w]!;
      out[at + w] = first ? m : out[at + w]! & m;
    }
  }
}

/** Scratch for `compiledMarginRow`. */
export function compiledScratch(c: CompiledForest, rows = 1): { sets: Int32Array; bases: Int32Array } {
  return { sets: new Int32Array(c.words * rows), bases: new Int32Array(slotCount(c.usedFeatures.length)) };
}

/** Margin of the row at `x[offset ..]`; equal to `predictMarginRow` on the forest it was compiled from. */
export function compiledMarginRow(c: CompiledForest, x: ArrayLike<number>, offset: number, scratch = compiledScratch(c)): number {
  leafSets(c, x, offset, scratch.sets, 0, scratch.bases);
  return sumLeaves(c, scratch.sets, 0);
}

/** The margin from a row's leaf sets: leaf values added in float32, tree by tree. */
function sumLeaves(c: CompiledForest, sets: Int32Array, at: number): number {
  const fround = Math.fround;
  const { leafValues, trees } = c;
  let sum = fround(c.baseMargin);
  if (c.packing === 32) {
    for (let t = 0; t < trees; t++) sum = fround(sum + leafValues[(t << 5) + Math.clz32(sets[at + t]!)]!);
    return sum;
  }
  // Two trees per word: the even tree in the high half, the odd one in the low half.
  const pairs = trees >> 1;
  for (let w = 0; w < pairs; w++) {
    const word = sets[at + w]!;
    sum = fround(sum + leafValues[(w << 5) + Math.clz32(word)]!);
    sum = fround(sum + leafValues[(w << 5) + Math.clz32(word & 0xffff)]!);
  }
  if (trees & 1) sum = fround(sum + leafValues[(pairs << 5) + Math.clz32(sets[at + pairs]!)]!);
  return sum;
}

/** Rows summed together: four independent float32 chains hide the latency of each addition. */
const BLOCK = 4;

/** Margins of `rows` rows of a row-major matrix. */
export function compiledMargins(c: CompiledForest, values: ArrayLike<number>, rows: number, cols: number, out: Float64Array): Float64Array {
  const { sets, bases } = compiledScratch(c, BLOCK);
  const { words, leafValues } = c;
  const fround = Math.fround;
  const interleave = c.packing === 16 && (c.trees & 1) === 0;
  let r = 0;
  for (; interleave && r + BLOCK <= rows; r += BLOCK) {
    for (let b = 0; b < BLOCK; b++) leafSets(c, values, (r + b) * cols, sets, b * words, bases);
    let s0 = fround(c.baseMargin), s1 = s0, s2 = s0, s3 = s0;
    for (let w = 0; w < words; w++) {
      const lv = w << 5;
      const a0 = sets[w]!, a1 = sets[words + w]!, a2 = sets[2 * words + w]!, a3 = sets[3 * words + w]!;
      s0 = fround(s0 + leafValues[lv + Math.clz32(a0)]!);
      s1 = fround(s1 + leafValues[lv + Math.clz32(a1)]!);
      s2 = fround(s2 + leafValues[lv + Math.clz32(a2)]!);
      s3 = fround(s3 + leafValues[lv + Math.clz32(a3)]!);
      s0 = fround(s0 + leafValues[lv + Math.clz32(a0 & 0xffff)]!);
      s1 = fround(s1 + leafValues[lv + Math.clz32(a1 & 0xffff)]!);
      s2 = fround(s2 + leafValues[lv + Math.clz32(a2 & 0xffff)]!);
      s3 = fround(s3 + leafValues[lv + Math.clz32(a3 & 0xffff)]!);
    }
    out[r] = s0;
    out[r + 1] = s1;
    out[r + 2] = s2;
    out[r + 3] = s3;
  }
  for (; r < rows; r++) {
    leafSets(c, values, r * cols, sets, 0, bases);
    out[r] = sumLeaves(c, sets, 0);
  }
  return out;
}
