/**
 * Model families: logistic regression (the transparent baseline) and probability calibration.
 */
export * from './logistic.js';
export * from './calibration.js';
