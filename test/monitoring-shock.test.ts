/**
 * Acceptance: drift monitoring over the synthetic lending world's macro shock (docs/monitoring.md).
 * Test-only imports of synth/ and credit/features (the monitoring module itself imports only lib/).
 */
import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../src/credit/features/compute.js';
import { UNDERWRITING_VIEW } from '../src/credit/features/views.js';
import { addMonthsUtc } from '../src/lib/time.js';
import { lendingCustomers, resolveLendingWorld } from '../src/synth/credit/world.js';
import { detectDrift } from '../src/ml/monitoring/drift.js';
import { windowedDrift, type TimedRecord } from '../src/ml/monitoring/windows.js';

const START = Date.UTC(2023, 0, 1);
const MONTHS = 24;
const SHOCK_MONTH = 14;
const SHOCK_AT = addMonthsUtc(START, SHOCK_MONTH);
const REFERENCE = { from: 3, to: 8 }; // snapshot months [3, 8): pre-shock
const SEASONED_MONTHS = 3; // a customer enters the snapshots once they have 3 months of history (90-day features complete)
const month = (m: number): number => addMonthsUtc(START, m);

/** Flow features (activity in a recent window) that the test asserts on; chosen by hand, see docs/monitoring.md. */
const MONITORED = ['late_repayments_30d', 'loans_30d', 'applications_7d', 'purchase_amount_30d', 'purchase_categories_90d', 'inflow_90d', 'balance_trend_90d', 'bureau_score'];
const DEFS = UNDERWRITING_VIEW.features;

/** One record per seasoned customer per month start m >= 1: the whole underwriting view computed at that instant from the events before it. */
function snapshots(shock: boolean): TimedRecord[] {
  const w = resolveLendingWorld({ customers: 3000, months: MONTHS, seed: 7, ...(shock ? { shock: { at: SHOCK_AT, severity: 1 } } : {}) });
  const out: TimedRecord[] = [];
  for (const c of lendingCustomers(w)) {
    for (let m = 1; m < MONTHS; m++) {
      if (c.truth.tenureStartMonth > m - SEASONED_MONTHS) continue;
      const v = computeFeatures(DEFS, c.events, month(m));
      out.push({ time: month(m), values: Object.fromEntries(DEFS.map((d, i) => [d.name, v[i]])) });
    }
  }
  return out;
}

describe('drift monitoring on the lending world with a macro shock', () => {
  it('flags the features the shock shifts within one window, with few false alarms before it', () => {
    const shocked = snapshots(true);
    const report = windowedDrift(shocked, {
      reference: { start: month(REFERENCE.from), end: month(REFERENCE.to) },
      windowLength: (s) => addMonthsUtc(s, 1),
      features: DEFS.map((d) => d.name),
    });
    const windowOf = (m: number): number => m - REFERENCE.to;
    expect(report.windows).toHaveLength(MONTHS - REFERENCE.to);

    // What the shock really shifted: the same customers without the shock (same seed; identical before it),
    // compared window by window. Shifted = normalised Wasserstein or Jensen-Shannon >= 0.1 (the alert threshold).
    const calm = snapshots(false);
    const column = (recs: TimedRecord[], m: number, f: string) => recs.filter((r) => r.time === month(m)).map((r) => r.values[f] ?? null);
    const firstShifted = new Map<string, number>();
    for (const f of MONITORED) {
      for (let m = SHOCK_MONTH; m < MONTHS; m++) {
        const d = detectDrift(column(calm, m, f), column(shocked, m, f), { largeReference: 0 });
        if (d.drifted) {
          firstShifted.set(f, m);
          break;
        }
      }
    }
    // The snapshot at the shock month's start predates the shock; the income features move from the next one.
    expect(firstShifted.get('inflow_90d')).toBe(SHOCK_MONTH + 1);
    expect(firstShifted.get('balance_trend_90d')).toBe(SHOCK_MONTH + 1);

    const flagged = (f: string, m: number): boolean => report.alerts.some((a) => a.feature === f && a.window === windowOf(m));
    const delays: Record<string, number | null> = {};
    for (const [f, m0] of firstShifted) {
      let hit: number | null = null;
      for (let m = m0; m < MONTHS && hit === null; m++) if (flagged(f, m)) hit = m - m0;
      delays[f] = hit;
      expect(hit, `${f} shifted from month ${m0}`).not.toBeNull();
      expect(hit!).toBeLessThanOrEqual(1);
    }

    // False alarms: alerts in the stable windows (after the reference, before the shock).
    const stableMonths = Array.from({ length: SHOCK_MONTH - REFERENCE.to }, (_, i) => REFERENCE.to + i);
    const rate = (features: readonly string[]): { alarms: number; tests: number; rate: number } => {
      let alarms = 0;
      for (const f of features) for (const m of stableMonths) if (flagged(f, m)) alarms++;
      const tests = features.length * stableMonths.length;
      return { alarms, tests, rate: alarms / tests };
    };
    const monitored = rate(MONITORED);
    const fullView = rate(DEFS.map((d) => d.name));
    const perFeature = Object.fromEntries(DEFS.map((d) => [d.name, rate([d.name]).alarms]));
    console.log(JSON.stringify({ monitoring: 'lending-shock', records: shocked.length, stableWindows: stableMonths.length, firstShifted: Object.fromEntries(firstShifted), delays, monitored, fullView, stableAlarmsPerFeature: perFeature }));
    // The bar: at most 5% of (monitored feature, stable window) pairs alarm.
    expect(monitored.rate).toBeLessThanOrEqual(0.05);
  }, 60_000);
});
