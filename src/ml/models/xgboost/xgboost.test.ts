import { describe, expect, it } from 'vitest';
import { tabularWorld } from '../../../synth/tabular.js';
import { selectRows } from '../../data/dataset.js';
import { NativeBooster, NativeMatrix } from './booster.js';
import { parseXgboostJson } from './model-json.js';
import { XgbModel } from './model.js';
import { xgboostScorer } from '../scorer.js';
import { compileForest, compiledMarginRow } from './compiled.js';
import { predictMargins, traverseMarginRow } from './predict.js';
import { trainXgboost, parseEvalLine } from './train.js';

const world = tabularWorld({ rows: 4000, cols: 8, seed: 11, missingRate: 0.15 });

function nativeOutputs(json: string, m: { values: Float32Array; rows: number; cols: number }) {
  const booster = NativeBooster.load(json);
  const matrix = new NativeMatrix(m.values, m.rows, m.cols);
  try {
    return { margin: booster.predict(matrix, 'margin').values, contribs: booster.predict(matrix, 'contribs').values };
  } finally {
    matrix.free();
    booster.free();
  }
}

describe('XGBoost through libxgboost, predicted in TypeScript', () => {
  // Several shapes of forest: shallow and deep trees, row and column sampling, L1/L2, missing values.
  const configs = [
    { rounds: 60, maxDepth: 3, eta: 0.3 },
    { rounds: 40, maxDepth: 7, eta: 0.2, subsample: 0.7, colsampleBytree: 0.6, seed: 3 },
    { rounds: 30, maxDepth: 5, eta: 0.5, lambda: 5, alpha: 0.5, minChildWeight: 4, treeMethod: 'exact' as const },
  ];
  for (const params of configs) {
    it(`margins equal libxgboost's bit for bit and contributions match (${JSON.stringify(params)})`, () => {
      const trained = trainXgboost(world, params);
      const model = XgbModel.fromJson(trained.modelJson);
      const native = nativeOutputs(trained.modelJson, world);
      const margins = model.margins(world);
      let maxMarginDiff = 0;
      for (let i = 0; i < world.rows; i++) maxMarginDiff = Math.max(maxMarginDiff, Math.abs(margins[i]! - native.margin[i]!));
      expect(maxMarginDiff).toBe(0); // the issue asks for 1e-6; float32 sums in libxgboost's order give equality

      // Contributions on the first rows only: TreeSHAP on deep trees is the slow part.
      const some = selectRows(world, Array.from({ length: 600 }, (_, i) => i));
      const contribs = model.contributions(some);
      let maxContribDiff = 0;
      let maxSumDiff = 0;
      const width = world.cols + 1;
      for (let r = 0; r < some.rows; r++) {
        let sum = 0;
        for (let j = 0; j < width; j++) {
          const k = r * width + j;
          sum += contribs[k]!;
          maxContribDiff = Math.max(maxContribDiff, Math.abs(contribs[k]! - native.contribs[k]!));
        }
        maxSumDiff = Math.max(maxSumDiff, Math.abs(sum - margins[r]!));
      }
      // libxgboost accumulates in float32, we in float64: agreement to float32 precision.
      expect(maxContribDiff).toBeLessThan(1e-5);
      expect(maxSumDiff).toBeLessThan(1e-5);
    });
  }

  it('a row with every feature missing follows the default branches in both implementations', () => {
    const trained = trainXgboost(world, { rounds: 20, maxDepth: 4 });
    const model = XgbModel.fromJson(trained.modelJson);
    const allMissing = { rows: 1, cols: world.cols, values: new Float32Array(world.cols).fill(Number.NaN), featureNames: world.featureNames };
    const native = nativeOutputs(trained.modelJson, allMissing);
    expect(model.margins(allMissing)[0]).toBe(native.margin[0]);
    expect(model.predictRow(Array.from(allMissing.values))).toBeCloseTo(1 / (1 + Math.exp(-native.margin[0]!)), 6);
  });

  it('learns the synthetic world: held-out AUC well above chance, and better with more rounds', () => {
    const train = selectRows(world, Array.from({ length: 3000 }, (_, i) => i));
    const test = selectRows(world, Array.from({ length: 1000 }, (_, i) => 3000 + i));
    const auc = (scores: Float64Array) => {
      let concordant = 0, pairs = 0;
      for (let i = 0; i < test.rows; i++) if (test.labels[i]) for (let j = 0; j < test.rows; j++) if (!test.labels[j]) {
        pairs++;
        concordant += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
      return concordant / pairs;
    };
    const weak = XgbModel.fromJson(trainXgboost(train, { rounds: 2, maxDepth: 2 }).modelJson);
    const strong = XgbModel.fromJson(trainXgboost(train, { rounds: 150, maxDepth: 3, eta: 0.05 }).modelJson);
    const aucStrong = auc(strong.predict(test));
    expect(aucStrong).toBeGreaterThan(0.75);
    expect(aucStrong).toBeGreaterThan(auc(weak.predict(test)) + 0.02);
  });

  it('early stopping keeps the best validation round and is reproducible with a seed', () => {
    const train = selectRows(world, Array.from({ length: 3000 }, (_, i) => i));
    const valid = selectRows(world, Array.from({ length: 1000 }, (_, i) => 3000 + i));
    const params = { rounds: 400, eta: 0.5, maxDepth: 6, earlyStoppingRounds: 10, subsample: 0.8, seed: 7 };
    const a = trainXgboost(train, params, { validation: valid });
    expect(a.roundsRun).toBeLessThan(400);
    expect(a.bestIteration).not.toBeNull();
    expect(a.rounds).toBe(a.bestIteration! + 1);
    expect(a.roundsRun).toBe(a.bestIteration! + 11);
    const history = a.history.valid!;
    expect(Math.min(...history)).toBe(history[a.bestIteration!]);
    expect(parseXgboostJson(a.modelJson).roots.length).toBe(a.rounds);
    const b = trainXgboost(train, params, { validation: valid });
    expect(b.modelJson).toBe(a.modelJson);
  });

  it('rejects bad parameters and data with typed errors', () => {
    expect(() => trainXgboost(world, { eta: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => trainXgboost(world, { maxDepth: 2.5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => trainXgboost(world, { earlyStoppingRounds: 5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => trainXgboost(world, { objective: 'multi:softmax' as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => trainXgboost({ ...world, labels: new Float32Array(world.rows).fill(2) })).toThrow(expect.objectContaining({ code: 'DATASET_INVALID' }));
    expect(() => trainXgboost({ ...world, rows: 0, values: new Float32Array(0), labels: new Uint8Array(0) })).toThrow(expect.objectContaining({ code: 'DATASET_INVALID' }));
    const model = XgbModel.fromJson(trainXgboost(world, { rounds: 2 }).modelJson);
    expect(() => model.margins({ rows: 1, cols: 3, values: new Float32Array(3), featureNames: ['a', 'b', 'c'] })).toThrow(
      expect.objectContaining({ code: 'DATASET_INVALID' }),
    );
  });

  it('parses evaluation lines', () => {
    expect(parseEvalLine('[12]\ttrain-logloss:0.41\tvalid-logloss:0.4432')).toEqual({ train: 0.41, valid: 0.4432 });
    expect(parseEvalLine('[0]\tvalid-auc:0.9')).toEqual({ valid: 0.9 });
  });
});

describe('the XGBoost JSON reader refuses what it cannot serve', () => {
  const good = JSON.parse(trainXgboost(world, { rounds: 3, maxDepth: 3 }).modelJson);
  const mutate = (f: (doc: any) => void) => {
    const doc = structuredClone(good);
    f(doc);
    return JSON.stringify(doc);
  };
  const cases: [string, string][] = [
    ['not JSON', '{"learner": '],
    ['a JSON array', '[1, 2, 3]'],
    ['no learner', '{}'],
    ['an unsupported objective', mutate((d) => (d.learner.objective.name = 'multi:softprob'))],
    ['a dart booster', mutate((d) => (d.learner.gradient_booster.name = 'dart'))],
    ['a child index out of range', mutate((d) => (d.learner.gradient_booster.model.trees[0].left_children[0] = 999))],
    ['a cycle', mutate((d) => (d.learner.gradient_booster.model.trees[0].left_children[0] = 0))],
    ['a feature out of range', mutate((d) => (d.learner.gradient_booster.model.trees[0].split_indices[0] = 50))],
    ['arrays of the wrong length', mutate((d) => d.learner.gradient_booster.model.trees[0].split_conditions.pop())],
    ['a string where a number belongs', mutate((d) => (d.learner.gradient_booster.model.trees[0].split_conditions[0] = 'x'))],
    ['categorical splits', mutate((d) => (d.learner.gradient_booster.model.trees[0].split_type[0] = 1))],
    ['a base score outside (0, 1)', mutate((d) => (d.learner.learner_model_param.base_score = '1.5'))],
    ['split_type that is not an array', mutate((d) => (d.learner.gradient_booster.model.trees[0].split_type = 3))],
    ['a split with zero cover', mutate((d) => (d.learner.gradient_booster.model.trees[0].sum_hessian[0] = 0))],
  ];
  for (const [name, text] of cases) {
    it(`MODEL_INVALID for ${name}`, () => {
      expect(() => parseXgboostJson(text)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
    });
  }

  it("reads XGBoost 3.1's base_score written as a one-element list", () => {
    const listed = mutate((d) => (d.learner.learner_model_param.base_score = '[5E-1]'));
    expect(parseXgboostJson(listed).baseMargin).toBe(parseXgboostJson(good).baseMargin);
  });

  it('a scorer refuses a regression model (its output is not a log-odds)', () => {
    const reg = XgbModel.fromJson(trainXgboost(world, { rounds: 3, objective: 'reg:squarederror' }).modelJson);
    expect(() => xgboostScorer(reg, world.featureNames, null)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
  });

  it('training refuses infinite feature values', () => {
    const values = world.values.slice();
    values[5] = Number.POSITIVE_INFINITY;
    expect(() => trainXgboost({ ...world, values }, { rounds: 2 })).toThrow(expect.objectContaining({ code: 'DATASET_INVALID' }));
  });

  it('survives random corruption of a real model: a typed error or a valid forest, never a crash', () => {
    const text = JSON.stringify(good);
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const chars = text.split('');
      for (let k = 0; k < 3; k++) chars[Math.floor(rand() * chars.length)] = '0123456789-,[]{}"e.'[Math.floor(rand() * 19)]!;
      try {
        const forest = parseXgboostJson(chars.join(''));
        predictMargins(forest, world);
      } catch (e) {
        expect((e as { code?: string }).code).toBe('MODEL_INVALID');
      }
    }
  });
});

describe('the compiled forest (leaf bitvectors) equals the tree walk exactly', () => {
  const edge = tabularWorld({ rows: 3000, cols: 6, seed: 4, missingRate: 0.2 });
  // Rows that sit exactly on thresholds, at +/- infinity, and all-missing.
  const extra = (forest: ReturnType<typeof parseXgboostJson>) => {
    const rows: number[][] = [];
    for (let n = 0; n < forest.feature.length && rows.length < 200; n++) {
      if (forest.feature[n]! < 0) continue;
      const row = Array.from({ length: edge.cols }, (_, j) => edge.values[(n % edge.rows) * edge.cols + j]!);
      row[forest.feature[n]!] = forest.threshold[n]!;
      rows.push(row);
    }
    rows.push(new Array(edge.cols).fill(Number.POSITIVE_INFINITY), new Array(edge.cols).fill(Number.NEGATIVE_INFINITY), new Array(edge.cols).fill(Number.NaN));
    return { rows: rows.length, cols: edge.cols, values: Float32Array.from(rows.flat()), featureNames: edge.featureNames };
  };
  for (const [depth, rounds] of [[1, 7], [3, 41], [4, 40], [5, 25], [6, 10]] as const) {
    it(`depth ${depth}, ${rounds} trees (${depth <= 4 ? 'two trees per word' : depth === 5 ? 'one tree per word' : 'not compiled: more than 32 leaves'})`, () => {
      const forest = parseXgboostJson(trainXgboost(edge, { rounds, maxDepth: depth, eta: 0.3, subsample: 0.8 }).modelJson);
      const c = compileForest(forest);
      if (depth <= 5) expect(c).not.toBeNull();
      for (const m of [edge, extra(forest)]) {
        const walked = Array.from({ length: m.rows }, (_, r) => traverseMarginRow(forest, m.values, r * m.cols));
        expect(Array.from(predictMargins(forest, m))).toEqual(walked);
        if (c) for (let r = 0; r < m.rows; r += 37) expect(compiledMarginRow(c, m.values, r * m.cols)).toBe(walked[r]);
      }
    });
  }
  it('ANDs any number of features (passes of ten and five): 4, 7, 12 and 23 columns', () => {
    for (const cols of [4, 7, 12, 23]) {
      const w = tabularWorld({ rows: 1500, cols, seed: cols, missingRate: 0.1 });
      const forest = parseXgboostJson(trainXgboost(w, { rounds: 30, maxDepth: 4, colsampleBytree: 0.9 }).modelJson);
      const walked = Array.from({ length: w.rows }, (_, r) => traverseMarginRow(forest, w.values, r * w.cols));
      expect(Array.from(predictMargins(forest, w)), `${cols} columns`).toEqual(walked);
    }
  });
  it('falls back to the tree walk when the tables would exceed the memory cap', () => {
    const forest = parseXgboostJson(trainXgboost(edge, { rounds: 5, maxDepth: 3 }).modelJson);
    expect(compileForest(forest, 16)).toBeNull();
  });
});
