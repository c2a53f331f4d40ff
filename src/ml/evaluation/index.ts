/**
 * Evaluation: biometric verification metrics (ISO/IEC 19795-1 vocabulary) with subjects-bootstrap
 * confidence intervals, DET curves and score distributions; binary classifiers (AUC with DeLong
 * intervals and paired tests, ROC/PR/KS, calibration, per-segment reports); presentation-attack
 * detection (ISO/IEC 30107-3: APCER per species, BPCER, BPCER at APCER, DET per species); and the
 * plots that show them.
 */
export * from './pairs.js';
export * from './sorted-scores.js';
export * from './operating-points.js';
export * from './bootstrap.js';
export * from './biometric.js';
export * from './curves.js';
export * from './plots.js';
export * from './synthetic-scores.js';
export * from './auc.js';
export * from './binary-curves.js';
export * from './calibration-table.js';
export * from './binary.js';
export * from './binary-plots.js';
export * from './pad.js';
