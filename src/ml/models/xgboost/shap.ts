/**
 * TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized feature attribution for tree
 * ensembles", Algorithm 2): exact Shapley values of a tree ensemble's margin, in polynomial time,
 * using the training cover of every node as the background distribution. The contributions of a
 * row plus the bias (the expected margin) sum to the row's margin; they are what libxgboost's
 * `pred_contribs` returns, and what reason codes are built from.
 *
 * Two exact methods share the work: precomputed per-leaf tables (`shap-table.ts`, in the spirit of
 * Fast TreeSHAP v2: O(leaves x depth) per row and tree) for every tree whose tables fit the memory
 * limits, and a tuned plain recursion (`shap-path.ts`, O(leaves x depth^2)) for the others.
 * `shap-reference.ts` keeps the textbook recursion as the oracle both are tested against.
 */
import { IriskError } from '../../../lib/errors.js';
import type { FeatureMatrix } from '../../data/dataset.js';
import type { Forest } from './model-json.js';
import { PathShap } from './shap-path.js';
import { TableShap, type TableLimits } from './shap-table.js';

export { treeShapReference } from './shap-reference.js';

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

/** How much memory the explainer may spend on precomputed tables. */
export interface TreeExplainerOptions {
  /**
   * Largest footprint of one tree's tables and records, in bytes (default 160 KiB: enough for any
   * tree of depth <= 7). A leaf with D distinct features on its path needs 8 * 2^D bytes of table,
   * a pair of sibling leaves 8 * D * 2^D (twice that when their parent's feature repeats, and only
   * for D <= 5); trees over the limit use the recursion.
   */
  readonly maxTableBytesPerTree?: number;
  /** Largest footprint of all trees' tables, in bytes (default 64 MiB); trees past it use the recursion. */
  readonly maxTableBytes?: number;
}

const DEFAULT_PER_TREE = 160 * 1024;
const DEFAULT_TOTAL = 64 * 1024 * 1024;

/** Computes TreeSHAP contributions for rows of a matrix, reusing its scratch space. */
export class TreeExplainer {
  readonly forest: Forest;
  /** The bias term: expected margin over the training distribution, base margin included. */
  readonly expectedMargin: number;
  /** Bytes held by the precomputed tables, with their node, pair and leaf records. */
  readonly tableBytes: number;
  /** Trees explained with the tables, and with the plain recursion. */
  readonly tableTrees: number;
  readonly recursionTrees: number;
  private readonly means: Float64Array;
  private readonly tables: TableShap;
  private readonly paths: PathShap;

  constructor(forest: Forest, options: TreeExplainerOptions = {}) {
    this.forest = forest;
    this.means = nodeMeanValues(forest);
    let bias = forest.baseMargin;
    for (let t = 0; t < forest.roots.length; t++) bias += this.means[forest.roots[t]!]!;
    this.expectedMargin = bias;
    const limits: TableLimits = {
      maxBytesPerTree: options.maxTableBytesPerTree ?? DEFAULT_PER_TREE,
      maxBytesTotal: options.maxTableBytes ?? DEFAULT_TOTAL,
    };
    this.tables = new TableShap(forest, limits);
    this.paths = new PathShap(forest, this.tables.fallbackRoots);
    this.tableBytes = this.tables.byteLength;
    this.tableTrees = this.tables.treeCount;
    this.recursionTrees = this.tables.fallbackRoots.length;
  }

  /**
   * Contributions of one row: `numFeatures + 1` values, the last being the bias; they sum to
   * the row's margin. `x[offset + f]` is feature f (NaN = missing).
   */
  explainRow(x: ArrayLike<number>, offset = 0, out = new Float64Array(this.forest.numFeatures + 1)): Float64Array {
    out.fill(0);
    this.tables.accumulate(x, offset, out, 0);
    this.paths.accumulate(x, offset, out, 0);
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
    for (let r = 0; r < m.rows; r++) {
      this.tables.accumulate(m.values, r * m.cols, out, r * width);
      this.paths.accumulate(m.values, r * m.cols, out, r * width);
      out[r * width + m.cols] = this.expectedMargin;
    }
    return out;
  }
}
