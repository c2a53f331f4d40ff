import { describe, expect, it } from 'vitest';
import { UNDERWRITING_VIEW } from '../features/views.js';
import { applyPolicy, DEFAULT_POLICY, validatePolicy } from './policy.js';
import { principalReasons } from './reasons.js';

describe('credit policy', () => {
  it('approves, reduces along the band and declines', () => {
    expect(applyPolicy(DEFAULT_POLICY, 0.02, 400)).toEqual({ decision: 'approve', limit: 400 });
    expect(applyPolicy(DEFAULT_POLICY, 0.08, 400)).toEqual({ decision: 'reduce', limit: 320 });
    const mid = applyPolicy(DEFAULT_POLICY, 0.165, 400);
    expect(mid.decision).toBe('reduce');
    expect(mid.limit).toBeCloseTo(400 * 0.55, 2);
    expect(applyPolicy(DEFAULT_POLICY, 0.25, 400)).toEqual({ decision: 'decline', limit: 0 });
    expect(applyPolicy(DEFAULT_POLICY, 0.01, 9000)).toEqual({ decision: 'reduce', limit: 5000 });
  });
  it('refuses inconsistent policies and bad amounts', () => {
    expect(() => validatePolicy({ ...DEFAULT_POLICY, approveBelow: 0.5, declineAtOrAbove: 0.2 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => applyPolicy(DEFAULT_POLICY, 0.1, 0)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('principal reasons', () => {
  const defs = UNDERWRITING_VIEW.features;
  it('are the largest positive contributions, at most four, deterministic, as statements', () => {
    const values = defs.map((_, i) => (i === 1 ? 3 : i === 5 ? null : i * 1.5));
    const contributions = defs.map((_, i) => (i === 1 ? 0.9 : i === 5 ? 0.4 : i === 7 ? 0.4 : i === 9 ? -2 : i === 12 ? 0.1 : i === 20 ? 0.05 : 0));
    const reasons = principalReasons(defs, values, contributions);
    expect(reasons.map((r) => r.feature)).toEqual([defs[1]!.name, defs[5]!.name, defs[7]!.name, defs[12]!.name]);
    expect(reasons[0]!.statement).toBe('Late repayments in the last 30 days (yours: 3)');
    expect(reasons[1]!.statement).toMatch(/\(no record on file\)$/);
    expect(principalReasons(defs, values, contributions.map(() => -1))).toEqual([]);
  });
});
