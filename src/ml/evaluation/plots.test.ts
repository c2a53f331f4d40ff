import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sortScores } from './sorted-scores.js';
import { detCurve, scoreHistograms } from './curves.js';
import { equalErrorRate } from './biometric.js';
import { syntheticScores } from './synthetic-scores.js';
import { detCurveSvg, formatTick, lineChartSvg, scoreHistogramSvg, writePlot } from './plots.js';
import { measureDejaVu } from './text-metrics.js';

const s = sortScores(syntheticScores({ subjects: 60, capturesPerEye: 3, genuineSd: 0.06, impostorMean: 0.42, impostorSd: 0.03 }));

describe('plots', () => {
  it('draws a DET plot with title, axis names, legend and EER', () => {
    const eer = equalErrorRate(s).eer;
    const svg = detCurveSvg([{ name: 'baseline', points: detCurve(s), eer }], { title: 'DET: synthetic' });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['DET: synthetic', 'False match rate (FMR)', 'False non-match rate (FNMR)', 'baseline (EER']) expect(svg).toContain(text);
  });

  it('draws score distributions with threshold lines', () => {
    const { genuine, impostor } = scoreHistograms(s);
    const svg = scoreHistogramSvg(genuine, impostor, { thresholds: [0.32, 0.345] });
    for (const text of ['Score distributions', 'Genuine (same eye)', 'Impostor (different eyes)', 'threshold 0.32', 'threshold 0.345']) {
      expect(svg).toContain(text);
    }
  });

  it('drops points a log axis cannot show', () => {
    const svg = lineChartSvg({
      title: 't',
      x: { label: 'x', scale: 'log' },
      y: { label: 'y' },
      series: [{ name: 'a', points: [[0, 1], [0.1, 2], [1, 3]] }],
    });
    expect(svg).toContain('<path');
  });

  it('writes an SVG and a PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'irisk-plot-'));
    try {
      const { genuine, impostor } = scoreHistograms(s);
      const paths = await writePlot(dir, 'scores', scoreHistogramSvg(genuine, impostor));
      expect(paths.svg).toBe(join(dir, 'scores.svg'));
      const png = await readFile(paths.png);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('formats ticks and measures DejaVu text', () => {
    expect(formatTick(0.001, 'power10')).toBe('10⁻³');
    expect(formatTick(1, 'power10')).toBe('1');
    expect(formatTick(0.005, 'percent')).toBe('0.5%');
    expect(measureDejaVu('0', '10px sans-serif')).toBeCloseTo(6.36, 2);
    expect(measureDejaVu('0', 'bold 10px sans-serif')).toBeCloseTo(6.96, 2);
  });
});
