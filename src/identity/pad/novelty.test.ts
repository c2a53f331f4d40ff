import { describe, expect, it } from 'vitest';
import { PAD_FEATURE_NAMES } from './features.js';
import { fitLiveRanges, modelInputRow, modelInputs, noLiveRanges, parseLiveRanges, serializeLiveRanges } from './novelty.js';
import type { PadTrainingData } from './train.js';

const cols = PAD_FEATURE_NAMES.length;

/** 200 live rows with feature j = row index (0..199) and one attack row far outside. */
function world(): PadTrainingData {
  const rows = 201;
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < 200; r++) values.fill(r, r * cols, (r + 1) * cols);
  values.fill(1e6, 200 * cols, 201 * cols);
  values[5 * cols + 3] = NaN; // a missing live value is skipped
  return { rows, cols, values, featureNames: PAD_FEATURE_NAMES, labels: Uint8Array.from({ length: rows }, (_, r) => (r === 200 ? 1 : 0)), species: [], groups: [] };
}

describe('live ranges', () => {
  it('span the central 99% of the live rows only, and count the features outside them', () => {
    const data = world();
    const r = fitLiveRanges(data, [...Array(data.rows).keys()]);
    expect(r.lo[0]).toBe(0); // floor(0.005 * 199) = 0
    expect(r.hi[0]).toBe(199); // ceil(0.995 * 199) = 199: the attack's 1e6 is not a live value
    const inside = modelInputRow(new Float32Array(cols).fill(100), r);
    expect(inside[cols]).toBe(0);
    const x = new Float32Array(cols).fill(100);
    x[0] = -1;
    x[1] = 500;
    x[2] = NaN; // missing: not counted
    expect(modelInputRow(x, r)[cols]).toBe(2);
    const m = modelInputs(data, [200, 7], r);
    expect(m.cols).toBe(cols + 1);
    expect(m.values[cols]).toBe(cols);
    expect(m.values[2 * (cols + 1) - 1]).toBe(0);
  });

  it('switched off, count nothing, and still round-trip', () => {
    const off = parseLiveRanges(serializeLiveRanges(noLiveRanges(cols)));
    expect(modelInputRow(new Float32Array(cols).fill(1e9), off)[cols]).toBe(0);
  });

  it('round-trip through their file and refuse a malformed one', () => {
    const r = fitLiveRanges(world(), [...Array(201).keys()]);
    const back = parseLiveRanges(serializeLiveRanges({ ...r, lo: r.lo.map((v, j) => (j === 4 ? NaN : v)) }));
    expect(back.hi).toEqual(r.hi);
    expect(Number.isNaN(back.lo[4])).toBe(true);
    for (const bad of ['{', '{"quantile":0.005,"features":["x"],"lo":[],"hi":[]}', serializeLiveRanges(r).replace('"quantile":0.005', '"quantile":2')]) {
      expect(() => parseLiveRanges(bad)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID' }));
    }
  });
});
