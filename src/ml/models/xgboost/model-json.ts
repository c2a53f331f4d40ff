/**
 * XGBoost's JSON model (format of libxgboost 1.x/2.x, `gbtree` booster, numerical splits) read
 * into a flat forest: every node of every tree in one set of typed arrays, ready for fast
 * prediction and TreeSHAP without the native library.
 */
import { IriskError } from '../../../lib/errors.js';

/** Objectives whose margin the forest can turn into a prediction. */
export type ForestObjective = 'binary:logistic' | 'reg:logistic' | 'reg:squarederror' | 'binary:logitraw';

/**
 * All trees in one flat layout. Node `n` of the forest: `feature[n]` (-1 for a leaf), `threshold[n]`
 * (go left when x < threshold), `left[n]`, `right[n]`, `missing[n]` (the child a NaN goes to),
 * `value[n]` (leaf value) and `cover[n]` (sum of hessians that reached it, used by TreeSHAP).
 * Thresholds and leaf values are float32 values, as libxgboost stores them.
 */
export interface Forest {
  readonly objective: ForestObjective;
  /** Added to every margin: the base score in margin space. */
  readonly baseMargin: number;
  readonly numFeatures: number;
  readonly featureNames: readonly string[] | null;
  /** Index of each tree's root node. */
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly missing: Int32Array;
  readonly value: Float32Array;
  readonly cover: Float32Array;
  /** Deepest root-to-leaf path over all trees (edges). */
  readonly maxDepth: number;
}

const SUPPORTED: readonly ForestObjective[] = ['binary:logistic', 'reg:logistic', 'reg:squarederror', 'binary:logitraw'];

function invalid(message: string): never {
  throw new IriskError('MODEL_INVALID', `not a usable XGBoost JSON model: ${message}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(`${path} is missing or not an object`);
  return v as Record<string, unknown>;
}

function numArray(v: unknown, path: string, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length) invalid(`${path} must be an array of ${length} numbers`);
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) invalid(`${path} holds a non-number`);
  return v as number[];
}

function intField(v: unknown, path: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) invalid(`${path} must be a non-negative integer`);
  return n;
}

/** The base score in margin space, as libxgboost turns `base_score` into a margin for the objective. */
function baseMarginFor(objective: ForestObjective, baseScore: number): number {
  if (objective === 'binary:logistic' || objective === 'reg:logistic') {
    if (!(baseScore > 0 && baseScore < 1)) invalid(`base_score ${baseScore} must lie in (0, 1) for ${objective}`);
    return Math.fround(-Math.log(1 / baseScore - 1));
  }
  return baseScore;
}

/** Parses XGBoost's JSON model text (or its parsed object) into a Forest; throws MODEL_INVALID. */
export function parseXgboostJson(input: string | unknown): Forest {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      invalid(`the file is not JSON (${(e as Error).message})`);
    }
  }
  const learner = obj(obj(doc, 'document').learner, 'learner');
  const objective = obj(learner.objective, 'learner.objective').name;
  if (!SUPPORTED.includes(objective as ForestObjective)) invalid(`objective ${JSON.stringify(objective)} is not supported (supported: ${SUPPORTED.join(', ')})`);
  const params = obj(learner.learner_model_param, 'learner.learner_model_param');
  const numFeatures = intField(params.num_feature, 'learner_model_param.num_feature');
  const numClass = intField(params.num_class ?? '0', 'learner_model_param.num_class');
  if (numClass > 1) invalid('multi-class models are not supported');
  // XGBoost >= 3.1 writes base_score as a one-element list string, e.g. "[5E-1]".
  const rawBase = typeof params.base_score === 'string' ? params.base_score.trim().replace(/^\[(.*)\]$/, '$1') : params.base_score;
  const baseScore = typeof rawBase === 'string' && rawBase !== '' ? Number(rawBase) : Number.NaN;
  if (!Number.isFinite(baseScore)) invalid('learner_model_param.base_score is not a number');
  const booster = obj(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') invalid(`booster ${JSON.stringify(booster.name)} is not supported (only gbtree)`);
  const model = obj(booster.model, 'gradient_booster.model');
  const trees = model.trees;
  if (!Array.isArray(trees)) invalid('gradient_booster.model.trees is not an array');
  const names = Array.isArray(learner.feature_names) && learner.feature_names.length === numFeatures ? (learner.feature_names as string[]).map(String) : null;

  const total = trees.reduce((n: number, t, i) => n + intField(obj(obj(t, `trees[${i}]`).tree_param, `trees[${i}].tree_param`).num_nodes, `trees[${i}].num_nodes`), 0);
  const forest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float32Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    missing: new Int32Array(total),
    value: new Float32Array(total),
    cover: new Float32Array(total),
  };
  let offset = 0;
  let maxDepth = 0;
  trees.forEach((raw, t) => {
    const tree = obj(raw, `trees[${t}]`);
    const path = `trees[${t}]`;
    const n = intField(obj(tree.tree_param, `${path}.tree_param`).num_nodes, `${path}.num_nodes`);
    if (n < 1) invalid(`${path} has no nodes`);
    const left = numArray(tree.left_children, `${path}.left_children`, n);
    const right = numArray(tree.right_children, `${path}.right_children`, n);
    const split = numArray(tree.split_indices, `${path}.split_indices`, n);
    const cond = numArray(tree.split_conditions, `${path}.split_conditions`, n);
    const defaultLeft = numArray(tree.default_left, `${path}.default_left`, n);
    const hess = numArray(tree.sum_hessian, `${path}.sum_hessian`, n);
    if (tree.split_type !== undefined && !Array.isArray(tree.split_type)) invalid(`${path}.split_type must be an array`);
    if (Array.isArray(tree.split_type) && tree.split_type.some((s) => s !== 0)) invalid(`${path} has categorical splits, which are not supported`);
    forest.roots[t] = offset;
    // Walk from the root: every reachable node is visited once (no cycles, no shared children).
    // Unreachable slots (nodes libxgboost deleted while pruning) stay inert leaves.
    const seen = new Uint8Array(n);
    const stack: [number, number][] = [[0, 0]];
    seen[0] = 1;
    for (let i = 0; i < n; i++) forest.feature[offset + i] = -1;
    while (stack.length > 0) {
      const [i, depth] = stack.pop()!;
      const g = offset + i;
      forest.cover[g] = hess[i]!;
      if (left[i] === -1) {
        if (right[i] !== -1) invalid(`${path} node ${i} has one child`);
        forest.value[g] = cond[i]!;
        forest.left[g] = forest.right[g] = forest.missing[g] = -1;
        maxDepth = Math.max(maxDepth, depth);
        continue;
      }
      const l = left[i]!, r = right[i]!;
      if (!(Number.isInteger(l) && Number.isInteger(r) && l >= 0 && r >= 0 && l < n && r < n && l !== r && !seen[l] && !seen[r])) {
        invalid(`${path} node ${i} has bad children (${l}, ${r})`);
      }
      seen[l] = seen[r] = 1;
      const f = split[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= numFeatures) invalid(`${path} node ${i} splits on feature ${f} of ${numFeatures}`);
      if (!(hess[i]! > 0)) invalid(`${path} node ${i} splits with cover ${hess[i]}; a split needs a positive sum_hessian`);
      forest.feature[g] = f;
      forest.threshold[g] = cond[i]!;
      forest.left[g] = offset + l;
      forest.right[g] = offset + r;
      forest.missing[g] = defaultLeft[i] ? offset + l : offset + r;
      stack.push([l, depth + 1], [r, depth + 1]);
    }
    offset += n;
  });
  return {
    objective: objective as ForestObjective,
    baseMargin: baseMarginFor(objective as ForestObjective, baseScore),
    numFeatures,
    featureNames: names,
    maxDepth,
    ...forest,
  };
}

/** Number of trees in the forest. */
export function treeCount(f: Forest): number {
  return f.roots.length;
}
