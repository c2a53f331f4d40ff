import { describe, it, expect } from 'vitest';
import { unwrapIris } from './unwrap.js';
import { renderCapture, type IrisWorldOptions } from './world.js';
import type { EyeSide } from './eye.js';

const ROWS = 64;
const COLS = 512;
const options: IrisWorldOptions = { subjects: 4, captures: 3, seed: 2024, width: 320, height: 280, hardFraction: 0 };

interface Unwrapped {
  values: Float32Array;
  valid: Uint8Array;
}

/** Unwraps a capture with its true circles; removes each row's mean so only texture remains. */
function unwrapCapture(subject: number, eye: EyeSide, capture: number): Unwrapped {
  const { image, mask, truth } = renderCapture(options, subject, eye, capture);
  const values = unwrapIris(image, truth.pupil, truth.iris, ROWS, COLS);
  const maskValues = unwrapIris(mask, truth.pupil, truth.iris, ROWS, COLS);
  const valid = new Uint8Array(ROWS * COLS);
  for (let i = 0; i < valid.length; i++) valid[i] = maskValues[i]! > 250 ? 1 : 0;
  for (let k = 0; k < ROWS; k++) {
    let sum = 0;
    let n = 0;
    for (let j = 0; j < COLS; j++) {
      if (valid[k * COLS + j]) {
        sum += values[k * COLS + j]!;
        n++;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    for (let j = 0; j < COLS; j++) values[k * COLS + j]! -= mean;
  }
  return { values, valid };
}

/** Pearson correlation over jointly valid pixels, maximised over circular shifts of +/-12 degrees. */
function bestCorrelation(a: Unwrapped, b: Unwrapped): number {
  let best = -1;
  const maxShift = Math.round((12 / 360) * COLS);
  for (let s = -maxShift; s <= maxShift; s += 1) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let k = 0; k < ROWS; k++) {
      for (let j = 0; j < COLS; j++) {
        const ia = k * COLS + j;
        const ib = k * COLS + ((j + s + COLS) % COLS);
        if (!a.valid[ia] || !b.valid[ib]) continue;
        ab += a.values[ia]! * b.values[ib]!;
        aa += a.values[ia]! ** 2;
        bb += b.values[ib]! ** 2;
      }
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

describe('iris identity', () => {
  it('captures of one eye correlate strongly after unwrapping; different eyes do not', () => {
    const eyes: [number, EyeSide][] = [
      [1, 'L'],
      [1, 'R'],
      [2, 'L'],
      [3, 'R'],
    ];
    const caps = eyes.map(([s, e]) => [1, 2, 3].map((c) => unwrapCapture(s, e, c)));
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < eyes.length; i++) {
      genuine.push(bestCorrelation(caps[i]![0]!, caps[i]![1]!), bestCorrelation(caps[i]![1]!, caps[i]![2]!));
      for (let j = i + 1; j < eyes.length; j++) impostor.push(bestCorrelation(caps[i]![0]!, caps[j]![1]!));
    }
    // The left and right eye of subject 1 are different irises: they are among the impostors.
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(genuine)).toBeGreaterThan(0.7);
    expect(Math.min(...genuine)).toBeGreaterThan(0.45);
    expect(Math.max(...impostor)).toBeLessThan(0.25);
  });
});
