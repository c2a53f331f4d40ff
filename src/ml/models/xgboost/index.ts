export { DEFAULT_XGB_PARAMS, resolveXgbParams, type XgbParams, type XgbObjective, type XgbEvalMetric } from './params.js';
export { trainXgboost, type TrainingSet, type XgbTrainingResult, type TrainOptions } from './train.js';
export { parseXgboostJson, type Forest } from './model-json.js';
export { predictMargins, predictValues, predictRow, predictMarginRow } from './predict.js';
export { TreeExplainer, nodeMeanValues } from './shap.js';
export { XgbModel } from './model.js';
export { xgboostAvailable } from './native.js';
