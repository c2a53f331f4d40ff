import { describe, expect, it } from 'vitest';
import { Rng } from '../lib/rng.js';
import { identityMonitor, type EnrolmentAttempt } from './monitoring.js';

const DAY = 86_400_000;

/** Attempts over `days` days from `start`: `fte` of them rejected, nearest distances around `nearest`. */
function attempts(rng: Rng, start: number, days: number, perDay: number, fte: number, nearest: number): EnrolmentAttempt[] {
  return Array.from({ length: days * perDay }, (_, i): EnrolmentAttempt => {
    const rejected = rng.chance(fte);
    const metrics: Record<string, number | null> = rejected ? { visibleFraction: rng.uniform(0.2, 0.5) } : { nearestDistance: rng.normal(nearest, 0.01), padScore: rng.uniform(0, 0.3), visibleFraction: rng.uniform(0.6, 1), unmaskedBitFraction: rng.uniform(0.5, 0.9) };
    return {
      time: start + (i / perDay) * DAY,
      outcome: rejected ? 'rejected' : 'enrolled',
      metrics,
    };
  });
}

describe('identityMonitor', () => {
  const rng = new Rng(9);
  const t0 = Date.UTC(2025, 0, 1);
  // A stable week, a stable week, then a week where captures get worse and the gallery gets crowded.
  const all = [...attempts(rng, t0, 7, 200, 0.02, 0.42), ...attempts(rng, t0 + 7 * DAY, 7, 200, 0.02, 0.42), ...attempts(rng, t0 + 14 * DAY, 7, 200, 0.08, 0.4)];

  it('counts outcomes and failure to enrol per window, and alerts on the worse week only', () => {
    const r = identityMonitor(all, { reference: { start: t0, end: t0 + 7 * DAY }, from: t0 + 7 * DAY, to: t0 + 21 * DAY, windowMs: 7 * DAY });
    expect(r.reference.attempts).toBe(1400);
    expect(r.windows.map((w) => w.attempts)).toEqual([1400, 1400]);
    expect(r.windows[0]!.enrolled + r.windows[0]!.rejected).toBe(1400);
    expect(r.windows[1]!.failureToEnrolRate!).toBeGreaterThan(0.05);
    expect(r.alerts.failureToEnrol.map((a) => a.window)).toEqual([1]);
    // The nearest enrolled eye moved 0.02 closer (two standard deviations): drift in the last week only.
    const nearest = r.alerts.drift.filter((a) => a.feature === 'nearestDistance').map((a) => a.window);
    expect(nearest).toEqual([1]);
  });

  it('refuses an empty live period', () => {
    expect(() => identityMonitor(all, { reference: { start: t0, end: t0 + DAY }, from: t0 + DAY, to: t0 + DAY, windowMs: DAY })).toThrow(/live period/);
  });
});
