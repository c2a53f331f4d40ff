/**
 * Presentation-attack detection (PAD) for iris captures. Today: the feature vector
 * (docs/pad-features.md); the detector (XGBoost over these features, a score in [0, 1] and a
 * threshold for a target APCER) builds on it. Metrics live in ml/evaluation/pad.ts.
 */
export { padFeatures, padFeatureRecord, PAD_FEATURE_NAMES, PAD_FEATURE_GROUPS, PAD_OPTIONAL_FEATURES } from './features.js';
export type { PadFeatureName, PadFeatureGroup } from './features.js';
export type { PadSegmentation } from './region.js';
export { HIGHLIGHT_LEVEL } from './highlights.js';
