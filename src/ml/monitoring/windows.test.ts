import { describe, expect, it } from 'vitest';
import { Rng } from '../../lib/rng.js';
import { DAY_MS } from '../../lib/time.js';
import { windowedDrift, type TimedRecord } from './windows.js';
import { errorCodeOf } from '../../../test/support.js';

const T0 = Date.UTC(2024, 0, 1);

/** 6 reference days then 6 live days, 2000 records a day; x shifts by 0.5 sd from day 9, the category mix from day 10. */
function records(seed: number): TimedRecord[] {
  const rng = new Rng(seed);
  const out: TimedRecord[] = [];
  for (let day = 0; day < 12; day++) {
    for (let i = 0; i < 2000; i++) {
      const time = T0 + day * DAY_MS + Math.floor(rng.next() * DAY_MS);
      const x = rng.normal(day >= 9 ? 0.5 : 0, 1);
      const c = rng.chance(day >= 10 ? 0.6 : 0.3) ? 'b' : 'a';
      out.push({ time, values: { x, c, y: rng.chance(0.1) ? null : rng.normal(), ...(i % 2 === 0 ? { sparse: rng.int(0, 100) } : {}) } });
    }
  }
  return out;
}

describe('windowedDrift', () => {
  it('tests every feature in every window and alerts only where drift was planted', () => {
    const r = windowedDrift(records(3), { reference: { start: T0, end: T0 + 6 * DAY_MS }, windowLength: DAY_MS });
    expect(r.reference.records).toBe(12000);
    expect(r.features).toEqual(['x', 'c', 'y', 'sparse']);
    expect(r.windows).toHaveLength(6);
    expect(r.windows.every((w) => w.tested && w.records === 2000)).toBe(true);
    expect(r.windows[0]!.features['x']!.method).toBe('wasserstein'); // 12000 reference rows > 1000
    expect(r.windows[0]!.features['c']!.method).toBe('jensen_shannon');
    // A feature absent from half the records is missing there.
    expect(r.windows[0]!.features['sparse']!.stats.missingShare.current).toBeCloseTo(0.5, 12);
    const flagged = r.alerts.map((a) => `${a.feature}@${a.window}`).sort();
    expect(flagged).toEqual(['c@4', 'c@5', 'x@3', 'x@4', 'x@5']);
    const a = r.alerts.find((x) => x.feature === 'x' && x.window === 3)!;
    expect(a.start).toBe(T0 + 9 * DAY_MS);
    expect(a.end).toBe(T0 + 10 * DAY_MS);
    expect(a.threshold).toBe(0.1);
    expect(a.value).toBeGreaterThan(0.3);
    expect(a.psi).toBeGreaterThan(0.1);
  });

  it('honours explicit windows, features, kinds, minRecords and calendar window lengths', () => {
    const recs = records(4);
    const r = windowedDrift(recs, {
      reference: { start: T0, end: T0 + 6 * DAY_MS },
      liveStart: T0 + 8 * DAY_MS,
      windowLength: (s) => s + 2 * DAY_MS,
      windows: 3,
      features: ['x', 'sparse'],
      kinds: { sparse: 'categorical' },
      minRecords: 2500,
    });
    expect(r.windows.map((w) => [w.records, w.tested])).toEqual([
      [4000, true],
      [4000, true],
      [0, false],
    ]);
    expect(Object.keys(r.windows[0]!.features)).toEqual(['x', 'sparse']);
    expect(r.windows[0]!.features['sparse']!.kind).toBe('categorical');
  });

  it('rejects a bad window specification and an empty reference with typed errors', () => {
    const recs = records(5);
    expect(errorCodeOf(() => windowedDrift(recs, { reference: { start: T0, end: T0 }, windowLength: DAY_MS }))).toBe('USAGE');
    expect(errorCodeOf(() => windowedDrift(recs, { reference: { start: T0, end: T0 + DAY_MS }, windowLength: 0 }))).toBe('USAGE');
    expect(errorCodeOf(() => windowedDrift(recs, { reference: { start: T0 - 10 * DAY_MS, end: T0 }, windowLength: DAY_MS }))).toBe('DATASET_INVALID');
  });
});
