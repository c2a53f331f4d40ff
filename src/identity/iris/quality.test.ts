import { describe, expect, it } from 'vitest';
import { isIriskError, type ErrorCode } from '../../lib/errors.js';
import { applyQualityGates, DEFAULT_QUALITY_PARAMS, type QualityMetrics } from './quality.js';

const good: QualityMetrics = {
  pupilIrisRatio: 0.4,
  offgaze: 0.05,
  visibleFraction: 0.8,
  sharpness: 0.5,
  unmaskedBitFraction: 0.7,
  irisDiameterPx: 220,
};

describe('quality gates', () => {
  it('a good capture passes', () => expect(() => applyQualityGates(good)).not.toThrow());

  const cases: [Partial<QualityMetrics>, ErrorCode][] = [
    [{ irisDiameterPx: 60 }, 'IRIS_TOO_SMALL'],
    [{ pupilIrisRatio: 0.85 }, 'IRIS_PUPIL_RATIO'],
    [{ pupilIrisRatio: 0.05 }, 'IRIS_PUPIL_RATIO'],
    [{ offgaze: 0.5 }, 'IRIS_OFFGAZE'],
    [{ visibleFraction: 0.05 }, 'IRIS_EYE_CLOSED'],
    [{ visibleFraction: 0.2 }, 'IRIS_OCCLUDED'],
    [{ sharpness: 0.01 }, 'IRIS_BLURRY'],
    [{ unmaskedBitFraction: 0.1 }, 'IRIS_TOO_FEW_BITS'],
  ];
  for (const [change, code] of cases) {
    it(`${JSON.stringify(change)} fails with ${code}`, () => {
      try {
        applyQualityGates({ ...good, ...change }, DEFAULT_QUALITY_PARAMS);
        expect.unreachable();
      } catch (e) {
        expect(isIriskError(e, code)).toBe(true);
        expect((e as Error).message.length).toBeGreaterThan(20);
      }
    });
  }
});
