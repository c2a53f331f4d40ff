import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../lib/rng.js';
import { delongAuc } from './auc.js';
import { rocCurve } from './binary-curves.js';
import { calibrationTable } from './calibration-table.js';
import { calibrationPlotSvg, rocPlotSvg } from './binary-plots.js';
import { writePlot } from './plots.js';

const rng = new Rng('binary-plots');
const y: number[] = [];
const strong: number[] = [];
const weak: number[] = [];
for (let i = 0; i < 4000; i++) {
  const label = rng.chance(0.3) ? 1 : 0;
  y.push(label);
  const z = rng.normal();
  strong.push(1 / (1 + Math.exp(-(1.8 * label - 1 + z))));
  weak.push(1 / (1 + Math.exp(-(0.6 * label - 1 + z))));
}

function rocInput(name: string, scores: number[]): Parameters<typeof rocPlotSvg>[0][number] {
  const { auc, ci } = delongAuc(y, scores);
  return { name, points: rocCurve(y, scores), auc, aucCi: ci };
}

describe('binary plots', () => {
  it('draws ROC curves with AUC and CI in the legend and the chance diagonal', () => {
    const svg = rocPlotSvg([rocInput('Champion GBDT', strong), rocInput('Challenger logistic', weak)], { title: 'ROC: holdout' });
    expect(svg.startsWith('<svg')).toBe(true);
    const a = delongAuc(y, strong);
    for (const text of ['ROC: holdout', 'False positive rate', 'True positive rate', 'Champion GBDT (AUC', 'Challenger logistic (AUC', '95% CI', 'Chance', a.auc.toFixed(3), a.ci[0].toFixed(3)]) {
      expect(svg).toContain(text);
    }
  });

  it('draws a reliability diagram with the diagonal and each ECE in the subtitle', () => {
    const good = calibrationTable(y, strong, { bins: 10 });
    const bad = calibrationTable(
      y,
      strong.map((v) => v * v),
      { bins: 10 },
    );
    const svg = calibrationPlotSvg([
      { name: 'Calibrated', bins: good.bins },
      { name: 'Squared', bins: bad.bins },
    ]);
    for (const text of ['Calibration', 'Mean predicted probability', 'Observed rate', 'Calibrated', 'Squared', 'Perfectly calibrated', `ECE: Calibrated ${good.ece.toFixed(3)}`, `Squared ${bad.ece.toFixed(3)}`]) {
      expect(svg).toContain(text);
    }
  });

  it('refuses an empty plot', () => {
    expect(() => rocPlotSvg([])).toThrow(/at least one/);
    expect(() => calibrationPlotSvg([])).toThrow(/at least one/);
  });

  it('writes an SVG and a non-empty PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'irisk-binary-plot-'));
    try {
      const paths = await writePlot(dir, 'roc', rocPlotSvg([rocInput('model', strong)]));
      expect(paths.svg).toBe(join(dir, 'roc.svg'));
      expect((await readFile(paths.svg, 'utf8')).startsWith('<svg')).toBe(true);
      const png = await readFile(paths.png);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
      const cal = await writePlot(dir, 'calibration', calibrationPlotSvg([{ name: 'model', bins: calibrationTable(y, strong).bins }]));
      expect((await readFile(cal.png)).length).toBeGreaterThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
