/**
 * XGBoost training parameters: the subset irisk exposes, validated, with defaults that suit a
 * shared 2-core machine (one thread: OpenMP spin-waiting makes two threads 10-30x slower when the
 * other core is busy).
 */
import { IriskError } from '../../../lib/errors.js';

export type XgbObjective = 'binary:logistic' | 'reg:squarederror' | 'reg:logistic';
export type XgbEvalMetric = 'logloss' | 'auc' | 'aucpr' | 'error' | 'rmse';
export type XgbTreeMethod = 'hist' | 'approx' | 'exact';

/** Everything that shapes a trained model. Same parameters + same data + same seed = same model. */
export interface XgbParams {
  readonly objective: XgbObjective;
  readonly eta: number;
  readonly maxDepth: number;
  readonly subsample: number;
  readonly colsampleBytree: number;
  readonly minChildWeight: number;
  readonly lambda: number;
  readonly alpha: number;
  readonly gamma: number;
  readonly nthread: number;
  readonly seed: number;
  readonly rounds: number;
  /** Stop when the validation metric has not improved for this many rounds (needs a validation set). */
  readonly earlyStoppingRounds: number | null;
  readonly evalMetric: XgbEvalMetric;
  readonly treeMethod: XgbTreeMethod;
  readonly maxBin: number;
}

export const DEFAULT_XGB_PARAMS: XgbParams = Object.freeze({
  objective: 'binary:logistic',
  eta: 0.1,
  maxDepth: 4,
  subsample: 1,
  colsampleBytree: 1,
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  nthread: 1,
  seed: 0,
  rounds: 100,
  earlyStoppingRounds: null,
  evalMetric: 'logloss',
  treeMethod: 'hist',
  maxBin: 256,
});

const OBJECTIVES: readonly XgbObjective[] = ['binary:logistic', 'reg:squarederror', 'reg:logistic'];
const METRICS: readonly XgbEvalMetric[] = ['logloss', 'auc', 'aucpr', 'error', 'rmse'];
const TREE_METHODS: readonly XgbTreeMethod[] = ['hist', 'approx', 'exact'];

type NumericKey = { [K in keyof XgbParams]: XgbParams[K] extends number ? K : never }[keyof XgbParams];
const RANGES: Record<NumericKey, { min: number; max: number; minExclusive?: boolean; integer?: boolean }> = {
  eta: { min: 0, max: 1, minExclusive: true },
  maxDepth: { min: 1, max: 30, integer: true },
  subsample: { min: 0, max: 1, minExclusive: true },
  colsampleBytree: { min: 0, max: 1, minExclusive: true },
  minChildWeight: { min: 0, max: 1e9 },
  lambda: { min: 0, max: 1e9 },
  alpha: { min: 0, max: 1e9 },
  gamma: { min: 0, max: 1e9 },
  nthread: { min: 1, max: 256, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  rounds: { min: 1, max: 100_000, integer: true },
  maxBin: { min: 2, max: 65_536, integer: true },
};

/** Validates a partial parameter set and fills in defaults; throws CONFIG_INVALID naming the bad key. */
export function resolveXgbParams(partial: Partial<Record<keyof XgbParams, unknown>> = {}): XgbParams {
  const out: Record<string, unknown> = { ...DEFAULT_XGB_PARAMS };
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_XGB_PARAMS)) {
      throw new IriskError('CONFIG_INVALID', `unknown XGBoost parameter "${key}"; known: ${Object.keys(DEFAULT_XGB_PARAMS).join(', ')}`);
    }
    out[key] = value;
  }
  const fail = (key: string, want: string): never => {
    throw new IriskError('CONFIG_INVALID', `XGBoost parameter ${key} = ${JSON.stringify(out[key])}: expected ${want}`, { key });
  };
  if (!OBJECTIVES.includes(out.objective as XgbObjective)) fail('objective', OBJECTIVES.join(' | '));
  if (!METRICS.includes(out.evalMetric as XgbEvalMetric)) fail('evalMetric', METRICS.join(' | '));
  if (!TREE_METHODS.includes(out.treeMethod as XgbTreeMethod)) fail('treeMethod', TREE_METHODS.join(' | '));
  for (const [key, r] of Object.entries(RANGES)) {
    const v = out[key];
    const ok = typeof v === 'number' && Number.isFinite(v) && (r.minExclusive ? v > r.min : v >= r.min) && v <= r.max && (!r.integer || Number.isInteger(v));
    if (!ok) fail(key, `${r.integer ? 'an integer' : 'a number'} in ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}]`);
  }
  const es = out.earlyStoppingRounds;
  if (es !== null && !(typeof es === 'number' && Number.isInteger(es) && es >= 1)) fail('earlyStoppingRounds', 'null or an integer >= 1');
  return Object.freeze(out) as unknown as XgbParams;
}

/** The parameters as libxgboost's name/value strings (rounds and early stopping are ours, not its). */
export function nativeParamPairs(p: XgbParams): [string, string][] {
  return [
    ['objective', p.objective],
    ['eta', String(p.eta)],
    ['max_depth', String(p.maxDepth)],
    ['subsample', String(p.subsample)],
    ['colsample_bytree', String(p.colsampleBytree)],
    ['min_child_weight', String(p.minChildWeight)],
    ['lambda', String(p.lambda)],
    ['alpha', String(p.alpha)],
    ['gamma', String(p.gamma)],
    ['nthread', String(p.nthread)],
    ['seed', String(p.seed)],
    ['eval_metric', p.evalMetric],
    ['tree_method', p.treeMethod],
    ['max_bin', String(p.maxBin)],
    ['verbosity', '0'],
  ];
}

/** True when a larger value of the metric is better. */
export function metricMaximised(metric: XgbEvalMetric): boolean {
  return metric === 'auc' || metric === 'aucpr';
}
