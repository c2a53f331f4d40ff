/**
 * A trained XGBoost model as irisk serves it: XGBoost's JSON text (the artifact) plus the parsed
 * forest, with prediction and explanations in TypeScript.
 */
import type { FeatureMatrix } from '../../data/dataset.js';
import { parseXgboostJson, type Forest } from './model-json.js';
import { predictMargins, predictRow, predictValues } from './predict.js';
import { TreeExplainer } from './shap.js';

export class XgbModel {
  readonly json: string;
  readonly forest: Forest;
  private explainer: TreeExplainer | null = null;

  private constructor(json: string, forest: Forest) {
    this.json = json;
    this.forest = forest;
  }

  /** Reads XGBoost's JSON model; throws MODEL_INVALID when it is not one irisk can serve. */
  static fromJson(json: string): XgbModel {
    return new XgbModel(json, parseXgboostJson(json));
  }

  get numFeatures(): number {
    return this.forest.numFeatures;
  }

  /** Margins (log-odds) for every row. */
  margins(m: FeatureMatrix): Float64Array {
    return predictMargins(this.forest, m);
  }

  /** Predictions (probabilities for the logistic objectives) for every row. */
  predict(m: FeatureMatrix): Float64Array {
    return predictValues(this.forest, m);
  }

  /** The prediction for one row of feature values. */
  predictRow(x: ArrayLike<number>): number {
    return predictRow(this.forest, x);
  }

  /** TreeSHAP contributions, `rows x (features + 1)` with the bias last. */
  contributions(m: FeatureMatrix): Float64Array {
    return this.treeExplainer().explain(m);
  }

  /** The explainer (built once: it precomputes every node's expected value). */
  treeExplainer(): TreeExplainer {
    this.explainer ??= new TreeExplainer(this.forest);
    return this.explainer;
  }
}
