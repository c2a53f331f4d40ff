import { describe, expect, it } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import {
  apcerAtBpcer,
  apcerBySpecies,
  bpcer,
  bpcerAtApcer,
  detCurves,
  groupPadScores,
  nextUp,
  padDetCurveInputs,
  padReport,
  thresholdForApcer,
  thresholdForBpcer,
  type PadSample,
} from './pad.js';
import { detCurveSvg } from './plots.js';

const bona = (score: number): PadSample => ({ score, isAttack: false });
const attack = (species: string, score: number): PadSample => ({ score, isAttack: true, species });

/** Bona fide 0.1..0.5; print 0.3, 0.6, 0.7, 0.8; screen 0.05, 0.9. */
const SMALL: PadSample[] = [
  ...[0.1, 0.2, 0.3, 0.4, 0.5].map(bona),
  ...[0.3, 0.6, 0.7, 0.8].map((s) => attack('print', s)),
  ...[0.05, 0.9].map((s) => attack('screen', s)),
];

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(isIriskError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('APCER and BPCER at a threshold', () => {
  it('match hand counts, a score equal to the threshold being an attack', () => {
    expect(apcerBySpecies(SMALL, 0.3)).toEqual({ print: 0, screen: 0.5 });
    expect(bpcer(SMALL, 0.3)).toBeCloseTo(3 / 5, 15);
    expect(apcerBySpecies(SMALL, 0.6)).toEqual({ print: 0.25, screen: 0.5 });
    expect(bpcer(SMALL, 0.6)).toBe(0);
    expect(apcerBySpecies(SMALL, nextUp(0.3))).toEqual({ print: 0.25, screen: 0.5 });
    expect(bpcer(SMALL, nextUp(0.3))).toBeCloseTo(2 / 5, 15);
    expect(bpcer(SMALL, -Infinity)).toBe(1);
    expect(apcerBySpecies(SMALL, Infinity)).toEqual({ print: 1, screen: 1 });
  });

  it('are monotone in the threshold', () => {
    const rng = new Rng(3);
    const samples: PadSample[] = [];
    for (let i = 0; i < 300; i++) samples.push(bona(Math.round(rng.next() * 50) / 50));
    for (let i = 0; i < 200; i++) samples.push(attack(i % 2 ? 'lens' : 'print', Math.round(rng.next() * 50) / 50));
    const g = groupPadScores(samples);
    let prevA = { lens: -1, print: -1 } as Record<string, number>;
    let prevB = 2;
    for (let t = -0.01; t <= 1.01; t += 0.005) {
      const a = apcerBySpecies(g, t);
      const b = bpcer(g, t);
      for (const s of ['lens', 'print']) expect(a[s]!).toBeGreaterThanOrEqual(prevA[s]!);
      expect(b).toBeLessThanOrEqual(prevB);
      prevA = a;
      prevB = b;
    }
  });
});

describe('thresholds for a target', () => {
  const bf = [0.1, 0.2, 0.3, 0.4, 0.5];

  it('thresholdForBpcer is the smallest threshold meeting the ceiling', () => {
    expect(thresholdForBpcer(bf, 0.2)).toBe(nextUp(0.4));
    expect(thresholdForBpcer(bf, 0.39)).toBe(nextUp(0.4));
    expect(thresholdForBpcer(bf, 0.4)).toBe(nextUp(0.3));
    expect(thresholdForBpcer(bf, 0)).toBe(nextUp(0.5));
    expect(thresholdForBpcer(bf, 1)).toBe(-Infinity);
    // 0.29 * 100 is 28.999... in floating point: still 29 errors allowed.
    const hundred = Array.from({ length: 100 }, (_, i) => i / 100);
    expect(thresholdForBpcer(hundred, 0.29)).toBe(nextUp(0.7));
  });

  it('thresholdForBpcer cannot split ties', () => {
    expect(thresholdForBpcer([0.2, 0.5, 0.5, 0.5], 0.25)).toBe(nextUp(0.5));
    expect(thresholdForBpcer([0.2, 0.5, 0.5, 0.5], 0.75)).toBe(nextUp(0.2));
  });

  it('thresholdForApcer is the largest threshold meeting the ceiling', () => {
    const print = [0.8, 0.3, 0.7, 0.6];
    expect(thresholdForApcer(print, 0.25)).toBe(0.6);
    expect(thresholdForApcer(print, 0.24)).toBe(0.3);
    expect(thresholdForApcer(print, 0.5)).toBe(0.7);
    expect(thresholdForApcer(print, 1)).toBe(Infinity);
    expect(thresholdForApcer([0.4, 0.4, 0.4, 0.9], 0.5)).toBe(0.4);
  });

  it('are exact on random scores with ties', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rng.next() * 60);
      const scores = Array.from({ length: n }, () => Math.round(rng.next() * 20) / 20);
      const target = rng.next();
      const samples = scores.map(bona);
      const tb = thresholdForBpcer(scores, target);
      expect(bpcer(samples, tb)).toBeLessThanOrEqual(target + 1e-12);
      if (tb !== -Infinity) {
        // One step lower (the highest score below tb, which is a bona fide score) breaks the ceiling.
        const below = Math.max(...scores.filter((s) => s < tb));
        expect(bpcer(samples, below)).toBeGreaterThan(target);
      }
      const attacks = scores.map((s) => attack('x', s));
      const ta = thresholdForApcer(scores, target);
      expect(apcerBySpecies(attacks, ta).x!).toBeLessThanOrEqual(target + 1e-12);
      if (ta !== Infinity) expect(apcerBySpecies(attacks, nextUp(ta)).x!).toBeGreaterThan(target);
    }
  });

  it('reject targets outside [0, 1] and empty score sets', () => {
    expectCode(() => thresholdForBpcer([0.1], 1.5), 'CONFIG_INVALID');
    expectCode(() => thresholdForApcer([0.1], -0.1), 'CONFIG_INVALID');
    expectCode(() => thresholdForApcer([0.1], NaN), 'CONFIG_INVALID');
    expectCode(() => thresholdForBpcer([], 0.1), 'DATASET_INVALID');
  });
});

describe('BPCER at APCER and APCER at BPCER', () => {
  it('per species and worst case, keyed by the target', () => {
    const r = bpcerAtApcer(SMALL, [0.25, 0.5]);
    expect(Object.keys(r)).toEqual(['0.25', '0.5']);
    expect(r['0.25']!.bySpecies).toEqual({ print: { bpcer: 0, threshold: 0.6 }, screen: { bpcer: 1, threshold: 0.05 } });
    expect(r['0.25']!.worst).toBe(1);
    expect(r['0.25']!.worstSpecies).toBe('screen');
    expect(r['0.25']!.threshold).toBe(0.05);
    expect(r['0.5']!.bySpecies.print).toEqual({ bpcer: 0, threshold: 0.7 });
    expect(r['0.5']!.bySpecies.screen).toEqual({ bpcer: 0, threshold: 0.9 });
    expect(r['0.5']!.worst).toBe(0);
    expect(Object.keys(bpcerAtApcer(SMALL))).toEqual(['0.01', '0.05']);
  });

  it('APCER at BPCER uses the bona fide threshold for every species', () => {
    const r = apcerAtBpcer(SMALL, 0.2);
    expect(r.threshold).toBe(nextUp(0.4));
    expect(r.bpcer).toBeCloseTo(0.2, 15);
    expect(r.apcer).toEqual({ print: 0.25, screen: 0.5 });
    expect(r.maxApcer).toBe(0.5);
  });
});

describe('DET curves', () => {
  it('step through every distinct score and close at APCER 1, BPCER 0', () => {
    const samples = [...[0.1, 0.2, 0.3, 0.4].map(bona), ...[0.25, 0.35, 0.45, 0.55].map((s) => attack('print', s))];
    const [c] = detCurves(samples);
    expect(c!.species).toBe('print');
    expect(c!.points.map((p) => [p.apcer, p.bpcer])).toEqual([
      [0, 1], [0, 0.75], [0, 0.5], [0.25, 0.5], [0.25, 0.25], [0.5, 0.25], [0.5, 0], [0.75, 0], [1, 0],
    ]);
    expect(c!.points[c!.points.length - 1]!.threshold).toBe(nextUp(0.55));
    expect(c!.eer).toBe(0.25);
    for (const p of c!.points) {
      expect(apcerBySpecies(samples, p.threshold).print).toBe(p.apcer);
      expect(bpcer(samples, p.threshold)).toBe(p.bpcer);
    }
  });

  it('interpolate the EER between points, are monotone, and thin long curves', () => {
    const rng = new Rng(5);
    const samples: PadSample[] = [];
    for (let i = 0; i < 2000; i++) samples.push(bona(rng.next() * 0.7));
    for (let i = 0; i < 2000; i++) samples.push(attack(i % 2 ? 'lens' : 'screen', 0.3 + rng.next() * 0.7));
    const curves = detCurves(samples, 100);
    expect(curves.map((c) => c.species)).toEqual(['screen', 'lens']);
    for (const c of curves) {
      expect(c.points.length).toBeLessThanOrEqual(100);
      expect(c.points[0]!.apcer).toBe(0);
      expect(c.points[c.points.length - 1]!).toMatchObject({ apcer: 1, bpcer: 0 });
      for (let k = 1; k < c.points.length; k++) {
        expect(c.points[k]!.threshold).toBeGreaterThan(c.points[k - 1]!.threshold);
        expect(c.points[k]!.apcer).toBeGreaterThanOrEqual(c.points[k - 1]!.apcer);
        expect(c.points[k]!.bpcer).toBeLessThanOrEqual(c.points[k - 1]!.bpcer);
      }
      // Bona fide uniform on [0, 0.7], attacks on [0.3, 1]: the rates cross at t = 0.5, EER = 0.2 / 0.7.
      expect(Math.abs(c.eer - 0.2 / 0.7)).toBeLessThan(0.04);
    }
  });

  it('feed the DET plot', () => {
    const svg = detCurveSvg(padDetCurveInputs(detCurves(SMALL)), { title: 'PAD DET (x: APCER, y: BPCER)' });
    expect(svg).toContain('<svg');
    expect(svg).toContain('print');
  });
});

describe('PAD report', () => {
  it('has the stable keys and the hand-computed values at a given threshold', () => {
    const r = padReport(SMALL, { operatingPoint: { threshold: 0.3 } });
    expect(r.decisionRule).toBe('attack if score >= threshold');
    expect(r.counts).toEqual({ bonafide: 5, attack: 6, bySpecies: { print: 4, screen: 2 } });
    expect(r.threshold).toBe(0.3);
    expect(r.apcer).toEqual({ print: 0, screen: 0.5 });
    expect(r.maxApcer).toBe(0.5);
    expect(r.worstSpecies).toBe('screen');
    expect(r.bpcer).toBeCloseTo(0.6, 15);
    expect(Object.keys(r.bpcerAtApcer)).toEqual(['0.01', '0.05']);
    expect(r.bpcerAtApcer['0.05']).toBe(1);
    expect(Object.keys(r.apcerAtBpcer)).toEqual(['0.01']);
    expect(Object.keys(r.eer)).toEqual(['print', 'screen']);
    expect(JSON.parse(JSON.stringify(r)).apcer).toEqual(r.apcer);
  });

  it('chooses the operating threshold for a target', () => {
    const byApcer = padReport(SMALL, { operatingPoint: { maxApcer: 0.5 } });
    expect(byApcer.threshold).toBe(0.7);
    expect(byApcer.maxApcer).toBeLessThanOrEqual(0.5);
    const byBpcer = padReport(SMALL, { operatingPoint: { bpcer: 0.2 } });
    expect(byBpcer.threshold).toBe(nextUp(0.4));
    expect(byBpcer.bpcer).toBeCloseTo(0.2, 15);
    expect(padReport(SMALL).thresholdChoice).toEqual({ maxApcer: 0.05 });
  });

  it('rejects data it cannot evaluate with typed errors', () => {
    const attacksOnly = SMALL.filter((s) => s.isAttack);
    const bonafideOnly = SMALL.filter((s) => !s.isAttack);
    expectCode(() => padReport(attacksOnly), 'DATASET_INVALID');
    expectCode(() => bpcer(attacksOnly, 0.5), 'DATASET_INVALID');
    expectCode(() => padReport(bonafideOnly), 'DATASET_INVALID');
    expectCode(() => apcerBySpecies(bonafideOnly, 0.5), 'DATASET_INVALID');
    expectCode(() => padReport(SMALL, { expectedSpecies: ['print', 'screen', 'lens'] }), 'DATASET_INVALID');
    expectCode(() => padReport([...SMALL, { score: 0.5, isAttack: true }]), 'DATASET_INVALID');
    expectCode(() => padReport([...SMALL, bona(NaN)]), 'DATASET_INVALID');
    expectCode(() => detCurves(bonafideOnly), 'DATASET_INVALID');
  });
});

describe('nextUp', () => {
  it('steps to the adjacent double', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-Number.MIN_VALUE)).toBe(-0);
    expect(nextUp(-1)).toBeGreaterThan(-1);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
    expect(nextUp(Infinity)).toBe(Infinity);
  });
});
