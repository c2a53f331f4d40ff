/**
 * Principal reasons for an adverse decision, from TreeSHAP: the features that pushed this
 * customer's default risk up the most (positive contributions in log-odds), at most four, each
 * written as a statement about the customer's own data.
 */
import type { FeatureDefinition } from '../features/definitions.js';

export interface Reason {
  feature: string;
  /** Contribution to the log-odds of default. */
  contribution: number;
  value: number | null;
  statement: string;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

/**
 * The statement for one feature: the adverse reason (the description when the view has none),
 * then the customer's own value ("Bank balance too low (yours: 350)").
 */
export function reasonStatement(def: FeatureDefinition, value: number | null): string {
  const text = def.adverseReason ?? def.description;
  const what = text.charAt(0).toUpperCase() + text.slice(1);
  return value === null ? `${what} (no record on file)` : `${what} (yours: ${formatValue(value)})`;
}

/**
 * The top `max` features by positive contribution (ties broken by feature order, so the same
 * inputs always give the same reasons). `contributions` has one entry per feature (bias excluded).
 */
export function principalReasons(defs: readonly FeatureDefinition[], values: readonly (number | null)[], contributions: ArrayLike<number>, max = 4): Reason[] {
  return defs
    .map((def, i) => ({ def, i, c: contributions[i]! }))
    .filter((r) => r.c > 0)
    .sort((a, b) => b.c - a.c || a.i - b.i)
    .slice(0, max)
    .map(({ def, i, c }) => ({ feature: def.name, contribution: c, value: values[i] ?? null, statement: reasonStatement(def, values[i] ?? null) }));
}
