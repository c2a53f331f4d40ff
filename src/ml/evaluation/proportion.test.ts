import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './proportion.js';

describe('wilsonInterval', () => {
  it('matches published values and the edge cases', () => {
    // 4,000 of 4,000: the lower bound a recall of 99.9% needs.
    expect(wilsonInterval(4000, 4000)[0]).toBeCloseTo(0.99904, 5);
    // 2 of 200: [0.0027, 0.0357].
    const [lo, hi] = wilsonInterval(2, 200);
    expect(lo).toBeCloseTo(0.00275, 4);
    expect(hi).toBeCloseTo(0.03571, 4);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
  });
});
