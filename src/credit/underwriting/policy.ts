/**
 * A versioned credit policy: from the calibrated probability of default and the requested amount to
 * approve, a reduced limit, or decline. Plain data, so a decision records exactly which policy made it.
 */
import { IriskError } from '../../lib/errors.js';

export interface CreditPolicy {
  readonly version: string;
  /** Approve the full amount when the probability of default is below this. */
  readonly approveBelow: number;
  /** Decline at or above this; in between, offer a reduced limit. */
  readonly declineAtOrAbove: number;
  /** The reduced limit as a share of the requested amount, falling linearly from `reduceFrom` to `reduceTo` across the band. */
  readonly reduceFrom: number;
  readonly reduceTo: number;
  /** Largest amount ever approved. */
  readonly maxAmount: number;
}

export const DEFAULT_POLICY: CreditPolicy = Object.freeze({
  version: 'bnpl-2026-11-v1',
  approveBelow: 0.08,
  declineAtOrAbove: 0.25,
  reduceFrom: 0.8,
  reduceTo: 0.3,
  maxAmount: 5000,
});

export type DecisionKind = 'approve' | 'reduce' | 'decline';

/** Checks a policy's numbers; CONFIG_INVALID naming the problem. */
export function validatePolicy(p: CreditPolicy): CreditPolicy {
  const ok =
    typeof p.version === 'string' && p.version.length > 0 &&
    p.approveBelow > 0 && p.approveBelow <= p.declineAtOrAbove && p.declineAtOrAbove <= 1 &&
    p.reduceFrom > 0 && p.reduceFrom <= 1 && p.reduceTo > 0 && p.reduceTo <= p.reduceFrom && p.maxAmount > 0;
  if (!ok) throw new IriskError('CONFIG_INVALID', `credit policy ${p.version}: need 0 < approveBelow <= declineAtOrAbove <= 1, 0 < reduceTo <= reduceFrom <= 1, maxAmount > 0`);
  return p;
}

/** The policy's answer for a probability of default and a requested amount. */
export function applyPolicy(p: CreditPolicy, probability: number, requested: number): { decision: DecisionKind; limit: number } {
  if (!(probability >= 0 && probability <= 1)) throw new IriskError('INTERNAL', `probability ${probability} outside [0, 1]`);
  if (!(requested > 0)) throw new IriskError('USAGE', `the requested amount must be positive (got ${requested})`);
  const amount = Math.min(requested, p.maxAmount);
  if (probability >= p.declineAtOrAbove) return { decision: 'decline', limit: 0 };
  if (probability < p.approveBelow) return { decision: amount < requested ? 'reduce' : 'approve', limit: amount };
  const position = (probability - p.approveBelow) / (p.declineAtOrAbove - p.approveBelow);
  const share = p.reduceFrom + (p.reduceTo - p.reduceFrom) * position;
  return { decision: 'reduce', limit: Math.floor(amount * share * 100) / 100 };
}

const POLICY_NUMBERS = ['approveBelow', 'declineAtOrAbove', 'reduceFrom', 'reduceTo', 'maxAmount'] as const;

/** A policy from parsed JSON (e.g. a --policy file): every field present and typed, then `validatePolicy`. */
export function parsePolicy(json: unknown, source = 'policy'): CreditPolicy {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new IriskError('CONFIG_INVALID', `${source}: a policy is a JSON object`);
  const o = json as Record<string, unknown>;
  if (typeof o.version !== 'string' || o.version.trim() === '') throw new IriskError('CONFIG_INVALID', `${source}: "version" must be a non-empty string`);
  for (const k of POLICY_NUMBERS) {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw new IriskError('CONFIG_INVALID', `${source}: "${k}" must be a number`);
  }
  const unknown = Object.keys(o).filter((k) => k !== 'version' && !(POLICY_NUMBERS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new IriskError('CONFIG_INVALID', `${source}: unknown field(s) ${unknown.join(', ')}`);
  return validatePolicy(Object.freeze({ version: o.version, ...Object.fromEntries(POLICY_NUMBERS.map((k) => [k, o[k]])) }) as CreditPolicy);
}
