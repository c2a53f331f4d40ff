import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/rng.js';
import type { Forest } from './model-json.js';
import { TreeExplainer, treeShapReference } from './shap.js';
import { TableShap } from './shap-table.js';

interface ForestShape {
  trees: number;
  depth: number;
  features: number;
  /** Chance that a node above the depth limit is a leaf anyway (ragged trees). */
  stopChance: number;
}

/**
 * A seeded random forest: few features (so paths repeat them), random default directions,
 * float32 thresholds, values and covers as libxgboost stores them, the first tree's leftmost path
 * always reaching `depth`, and the occasional single-leaf tree.
 */
function randomForest(seed: number, shape: ForestShape): Forest {
  const rng = new Rng(seed);
  const feature: number[] = [], threshold: number[] = [], left: number[] = [], right: number[] = [];
  const missing: number[] = [], value: number[] = [], cover: number[] = [];
  const roots: number[] = [];
  let maxDepth = 0;
  const node = (depth: number, c: number, forceDeep: boolean): number => {
    const n = feature.length;
    feature.push(-1), threshold.push(0), left.push(-1), right.push(-1), missing.push(-1), value.push(0), cover.push(Math.fround(c));
    const leaf = depth === shape.depth || (!forceDeep && rng.chance(shape.stopChance));
    if (leaf) {
      value[n] = Math.fround(rng.normal(0, 0.5));
      maxDepth = Math.max(maxDepth, depth);
      return n;
    }
    feature[n] = rng.int(0, shape.features - 1);
    threshold[n] = Math.fround(rng.uniform(-1, 1));
    const share = rng.uniform(0.02, 0.98);
    const l = node(depth + 1, c * share, forceDeep);
    const r = node(depth + 1, c * (1 - share), false);
    left[n] = l;
    right[n] = r;
    missing[n] = rng.chance(0.5) ? l : r;
    return n;
  };
  for (let t = 0; t < shape.trees; t++) {
    if (t > 0 && rng.chance(0.05)) roots.push(node(shape.depth, rng.uniform(50, 500), false));
    else roots.push(node(0, rng.uniform(50, 500), t === 0));
  }
  return {
    objective: 'binary:logistic',
    baseMargin: Math.fround(rng.normal(0, 0.3)),
    numFeatures: shape.features,
    featureNames: null,
    roots: Int32Array.from(roots),
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    missing: Int32Array.from(missing),
    value: Float32Array.from(value),
    cover: Float32Array.from(cover),
    maxDepth,
  };
}

/** Rows with missing values and values sitting exactly on thresholds. */
function randomRows(seed: number, forest: Forest, rows: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * forest.numFeatures);
  const splits = Array.from(forest.feature.keys()).filter((n) => forest.feature[n]! >= 0);
  for (let i = 0; i < x.length; i++) {
    const u = rng.next();
    x[i] = u < 0.2 ? Number.NaN : u < 0.3 && splits.length > 0 ? forest.threshold[rng.pick(splits)]! : rng.uniform(-1.2, 1.2);
  }
  return x;
}

function leafValue(f: Forest, root: number, x: ArrayLike<number>, offset: number): number {
  let n = root;
  while (f.feature[n]! >= 0) {
    const v = x[offset + f.feature[n]!]!;
    n = v < f.threshold[n]! ? f.left[n]! : v >= f.threshold[n]! ? f.right[n]! : f.missing[n]!;
  }
  return f.value[n]!;
}

/** Largest absolute difference between the explainer and the reference recursion over all rows. */
function maxDiffToReference(explainer: TreeExplainer, forest: Forest, x: Float32Array, rows: number): { diff: number; sumErr: number } {
  const cols = forest.numFeatures;
  const m = { rows, cols, values: x, featureNames: Array.from({ length: cols }, (_, i) => `f${i}`) };
  const all = explainer.explain(m);
  const one = new Float64Array(cols + 1);
  const ref = new Float64Array(cols + 1);
  let diff = 0, sumErr = 0;
  for (let r = 0; r < rows; r++) {
    explainer.explainRow(x, r * cols, one);
    ref.fill(0);
    treeShapReference(forest, x, r * cols, ref);
    let sum = 0, margin = forest.baseMargin;
    for (let t = 0; t < forest.roots.length; t++) margin += leafValue(forest, forest.roots[t]!, x, r * cols);
    for (let j = 0; j <= cols; j++) {
      if (j < cols) diff = Math.max(diff, Math.abs(one[j]! - ref[j]!));
      diff = Math.max(diff, Math.abs(all[r * (cols + 1) + j]! - one[j]!));
      sum += one[j]!;
    }
    sumErr = Math.max(sumErr, Math.abs(sum - margin));
  }
  return { diff, sumErr };
}

/**
 * A forest written out by hand: nodes as [feature, threshold, left, right, defaultLeft, cover] for
 * a split or [value, cover] for a leaf, indices local to the tree.
 */
function handForest(trees: (readonly number[])[][], numFeatures: number): Forest {
  const feature: number[] = [], threshold: number[] = [], left: number[] = [], right: number[] = [];
  const missing: number[] = [], value: number[] = [], cover: number[] = [], roots: number[] = [];
  let maxDepth = 0;
  for (const nodes of trees) {
    const base = feature.length;
    roots.push(base);
    const depth = new Map<number, number>([[0, 0]]);
    nodes.forEach((n, i) => {
      const d = depth.get(i)!;
      if (n.length === 2) {
        feature.push(-1), threshold.push(0), left.push(-1), right.push(-1), missing.push(-1), value.push(n[0]!), cover.push(n[1]!);
        maxDepth = Math.max(maxDepth, d);
        return;
      }
      const [f, thr, l, r, dl, c] = n as [number, number, number, number, number, number];
      depth.set(l, d + 1).set(r, d + 1);
      feature.push(f), threshold.push(thr), left.push(base + l), right.push(base + r), missing.push(base + (dl ? l : r)), value.push(0), cover.push(c);
    });
  }
  return {
    objective: 'reg:squarederror', baseMargin: 0.5, numFeatures, featureNames: null, roots: Int32Array.from(roots), feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right), missing: Int32Array.from(missing),
    value: Float32Array.from(value), cover: Float32Array.from(cover), maxDepth,
  };
}

/** Every combination of the given values (NaN included) for `cols` features. */
function gridRows(cols: number, values: readonly number[]): Float32Array {
  const rows = values.length ** cols;
  const x = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0, q = r; j < cols; j++, q = Math.floor(q / values.length)) x[r * cols + j] = values[q % values.length]!;
  return x;
}

describe('fast TreeSHAP agrees with the reference recursion', () => {
  for (let depth = 1; depth <= 7; depth++) {
    it(`depth ${depth}: tables and tuned recursion within 1e-9 of the reference, contributions sum to the margin`, () => {
      const forest = randomForest(100 + depth, { trees: 40, depth, features: Math.min(depth + 1, 4), stopChance: 0.2 });
      expect(forest.maxDepth).toBe(depth);
      const x = randomRows(200 + depth, forest, 150);
      const tables = new TreeExplainer(forest);
      expect(tables.recursionTrees).toBe(0);
      const recursion = new TreeExplainer(forest, { maxTableBytesPerTree: 0 });
      expect(recursion.tableTrees).toBe(0);
      // Half the trees each way: the two methods add into the same output.
      const mixed = new TreeExplainer(forest, { maxTableBytes: tables.tableBytes / 2 });
      expect(mixed.tableTrees).toBeGreaterThan(0);
      expect(mixed.recursionTrees).toBeGreaterThan(0);
      for (const explainer of [tables, recursion, mixed]) {
        const { diff, sumErr } = maxDiffToReference(explainer, forest, x, 150);
        expect(diff).toBeLessThan(1e-9);
        expect(sumErr).toBeLessThan(1e-9);
      }
    });
  }

  it('deep trees fall back to the recursion under the default limits and stay exact', () => {
    const forest = randomForest(7, { trees: 6, depth: 12, features: 9, stopChance: 0.05 });
    const x = randomRows(8, forest, 40);
    const explainer = new TreeExplainer(forest);
    expect(explainer.recursionTrees).toBeGreaterThan(0);
    const { diff, sumErr } = maxDiffToReference(explainer, forest, x, 40);
    expect(diff).toBeLessThan(1e-9);
    expect(sumErr).toBeLessThan(1e-9);
  });

  it('matches the Shapley values of the path-dependent game computed by brute force', () => {
    const forest = randomForest(31, { trees: 5, depth: 5, features: 4, stopChance: 0.15 });
    const x = randomRows(32, forest, 20);
    const cols = forest.numFeatures;
    // E[f(x) | x_S] the path-dependent way (Algorithm 1 of Lundberg et al.).
    const expected = (n: number, row: number, s: number): number => {
      const f = forest.feature[n]!;
      if (f < 0) return forest.value[n]!;
      if (s & (1 << f)) {
        const v = x[row * cols + f]!;
        return expected(v < forest.threshold[n]! ? forest.left[n]! : v >= forest.threshold[n]! ? forest.right[n]! : forest.missing[n]!, row, s);
      }
      const l = forest.left[n]!, r = forest.right[n]!;
      return (expected(l, row, s) * forest.cover[l]! + expected(r, row, s) * forest.cover[r]!) / forest.cover[n]!;
    };
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const explainer = new TreeExplainer(forest);
    const out = new Float64Array(cols + 1);
    for (let row = 0; row < 20; row++) {
      explainer.explainRow(x, row * cols, out);
      for (let i = 0; i < cols; i++) {
        let phi = 0;
        for (let s = 0; s < 1 << cols; s++) {
          if (s & (1 << i)) continue;
          let size = 0;
          for (let k = 0; k < cols; k++) size += (s >> k) & 1;
          const w = (fact(size) * fact(cols - size - 1)) / fact(cols);
          for (let t = 0; t < forest.roots.length; t++) phi += w * (expected(forest.roots[t]!, row, s | (1 << i)) - expected(forest.roots[t]!, row, s));
        }
        expect(Math.abs(out[i]! - phi)).toBeLessThan(1e-9);
      }
    }
  });

  it('covers pairs whose parent feature is new, pairs whose parent feature repeats, and single leaves', () => {
    const forest = randomForest(41, { trees: 60, depth: 4, features: 3, stopChance: 0.25 });
    const tables = new TableShap(forest, { maxBytesPerTree: Infinity, maxBytesTotal: Infinity });
    expect(tables.pairCount).toBeGreaterThan(tables.repeatedPairCount);
    expect(tables.repeatedPairCount).toBeGreaterThan(0);
    expect(tables.singleCount).toBeGreaterThan(0);
    const x = randomRows(42, forest, 200);
    const { diff, sumErr } = maxDiffToReference(new TreeExplainer(forest), forest, x, 200);
    expect(diff).toBeLessThan(1e-9);
    expect(sumErr).toBeLessThan(1e-9);
  });

  it('hand-built trees: a feature repeated right above a pair, chains of one feature, every branch and NaN', () => {
    const forest = handForest(
      [
        // f0, then f1 twice in a row: the bottom pair's parent feature repeats at the last bit.
        [[0, 0, 1, 2, 1, 100], [1, 0, 3, 4, 0, 60], [-2.5, 40], [1, 0.5, 5, 6, 1, 35], [0.25, 25], [1.5, 20], [-1, 15]],
        // One feature all the way down, default directions mixed.
        [[2, 0, 1, 2, 0, 80], [2, -0.5, 3, 4, 1, 50], [2, 0.5, 5, 6, 1, 30], [0.5, 20], [-0.75, 30], [2, 10], [1.25, 20]],
        // Unbalanced: a leaf next to a subtree, and a stump.
        [[1, 0.5, 1, 2, 1, 90], [0.125, 30], [0, -0.5, 3, 4, 0, 60], [2, 0, 5, 6, 1, 25], [-0.5, 35], [1, 5], [-3, 20]],
        [[0, 0.25, 1, 2, 0, 50], [1, 20], [-1, 30]],
        [[4]],
      ].map((t) => t.map((n) => (n.length === 1 ? [n[0]!, 10] : n))),
      3,
    );
    const x = gridRows(3, [Number.NaN, -1, -0.5, 0, 0.25, 0.5, 1]);
    const rows = x.length / 3;
    const tables = new TableShap(forest, { maxBytesPerTree: Infinity, maxBytesTotal: Infinity });
    expect(tables.repeatedPairCount).toBeGreaterThan(0);
    for (const explainer of [new TreeExplainer(forest), new TreeExplainer(forest, { maxTableBytesPerTree: 0 })]) {
      const { diff, sumErr } = maxDiffToReference(explainer, forest, x, rows);
      expect(diff).toBeLessThan(1e-12);
      expect(sumErr).toBeLessThan(1e-12);
    }
  });

  it('a tree with an empty (zero-cover) branch is left to the recursion and still matches the reference', () => {
    const forest = handForest(
      [
        [[0, 0, 1, 2, 1, 50], [1, 0, 3, 4, 0, 50], [3, 0], [1, 20], [-1, 30]],
        [[1, 0.5, 1, 2, 1, 50], [0.5, 10], [-0.5, 40]],
      ],
      2,
    );
    const explainer = new TreeExplainer(forest);
    expect(explainer.recursionTrees).toBe(1);
    expect(explainer.tableTrees).toBe(1);
    const x = gridRows(2, [Number.NaN, -1, 0, 0.5, 1]);
    const { diff } = maxDiffToReference(explainer, forest, x, x.length / 2);
    expect(diff).toBeLessThan(1e-12);
  });

  it('accepts rows as plain arrays and as subarrays of a larger buffer', () => {
    const forest = randomForest(5, { trees: 20, depth: 4, features: 5, stopChance: 0.1 });
    const x = randomRows(6, forest, 3);
    const explainer = new TreeExplainer(forest);
    const a = explainer.explainRow(x, 5);
    const b = explainer.explainRow(Array.from(x.subarray(5, 10)));
    const c = explainer.explainRow(Float64Array.from(x), 5, new Float64Array(12).subarray(3, 9));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
  });
});
