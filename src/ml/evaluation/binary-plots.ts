/**
 * Plots of binary classifiers, drawn with the shared `lineChartSvg`: ROC curves with their AUCs and
 * confidence intervals, and reliability diagrams. Write them with `writePlot` (SVG + PNG).
 */
import { IriskError } from '../../lib/errors.js';
import { downsampleCurve, type RocPoint } from './binary-curves.js';
import { calibrationErrors, type CalibrationBin } from './calibration-table.js';
import { lineChartSvg, PALETTE, type ChartSeries } from './plots.js';

/** One ROC curve to draw. `aucCi` (and its `confidence`, default 0.95) is quoted in the legend. */
export interface RocCurveInput {
  name: string;
  points: readonly RocPoint[];
  auc: number;
  aucCi?: readonly [number, number];
  confidence?: number;
}

/** Options of ROC and reliability plots. `maxPoints` bounds the points drawn per curve (default 500). */
export interface BinaryPlotOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  maxPoints?: number;
}

const DIAGONAL_COLOR = '#9ca3af';

function size(opts: BinaryPlotOptions): { width?: number; height?: number } {
  return { width: opts.width ?? 720, height: opts.height ?? 640 };
}

function aucLabel(c: RocCurveInput): string {
  const auc = `AUC ${c.auc.toFixed(3)}`;
  if (!c.aucCi) return `${c.name} (${auc})`;
  const level = Math.round((c.confidence ?? 0.95) * 100);
  return `${c.name} (${auc}, ${level}% CI ${c.aucCi[0].toFixed(3)}–${c.aucCi[1].toFixed(3)})`;
}

/**
 * ROC plot: true positive rate against false positive rate, one line per curve (downsampled for
 * drawing), the chance diagonal dashed, each curve's AUC and CI in the legend. The legend sits at
 * the bottom right, which ROC curves above chance leave empty.
 */
export function rocPlotSvg(curves: readonly RocCurveInput[], opts: BinaryPlotOptions = {}): string {
  if (curves.length === 0) throw new IriskError('USAGE', 'A ROC plot needs at least one curve');
  const series: ChartSeries[] = curves.map((c, k) => ({
    name: aucLabel(c),
    points: downsampleCurve(c.points, (p) => [p.fpr, p.tpr] as const, opts.maxPoints ?? 500).map((p) => [p.fpr, p.tpr] as const),
    color: PALETTE[k % PALETTE.length]!,
  }));
  series.push({ name: 'Chance (AUC 0.5)', points: [[0, 0], [1, 1]], color: DIAGONAL_COLOR, dashed: true, lineWidth: 1 });
  return lineChartSvg({
    title: opts.title ?? 'ROC curve',
    ...(opts.subtitle !== undefined ? { subtitle: opts.subtitle } : {}),
    x: { label: 'False positive rate', min: 0, max: 1 },
    y: { label: 'True positive rate', min: 0, max: 1 },
    series,
    legendPosition: 'bottom-right',
    ...size(opts),
  });
}

/** One model's reliability bins to draw (from `calibrationTable`). */
export interface CalibrationSeriesInput {
  name: string;
  bins: readonly CalibrationBin[];
}

const AXIS_LIMITS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1];

/** Axis limit: the smallest round value a little above every bin (1 once the data pass 0.5). */
function axisLimit(series: readonly CalibrationSeriesInput[]): number {
  let top = 0;
  for (const s of series) for (const b of s.bins) top = Math.max(top, b.meanPredicted, b.observedRate);
  return AXIS_LIMITS.find((l) => l >= top * 1.05) ?? 1;
}

/**
 * Reliability diagram: observed rate against mean predicted probability per bin (dots joined by
 * lines), the perfect-calibration diagonal dashed, and each series' ECE in the subtitle. When every
 * bin lies below 0.5 (typical of default probabilities) both axes zoom to the data so the bins do
 * not crowd into a corner. The legend sits top-left.
 */
export function calibrationPlotSvg(series: readonly CalibrationSeriesInput[], opts: BinaryPlotOptions = {}): string {
  if (series.length === 0) throw new IriskError('USAGE', 'A calibration plot needs at least one series');
  const limit = axisLimit(series);
  const lines: ChartSeries[] = series.map((s, k) => ({
    name: s.name,
    points: s.bins.map((b) => [b.meanPredicted, b.observedRate] as const),
    color: PALETTE[k % PALETTE.length]!,
    showPoints: true,
  }));
  lines.push({ name: 'Perfectly calibrated', points: [[0, 0], [limit, limit]], color: DIAGONAL_COLOR, dashed: true, lineWidth: 1 });
  const ece = series.map((s) => `${s.name} ${calibrationErrors(s.bins).ece.toFixed(3)}`).join(' · ');
  return lineChartSvg({
    title: opts.title ?? 'Calibration (reliability diagram)',
    subtitle: opts.subtitle ?? `ECE: ${ece}`,
    x: { label: 'Mean predicted probability', min: 0, max: limit },
    y: { label: 'Observed rate', min: 0, max: limit },
    series: lines,
    legendPosition: 'top-left',
    ...size(opts),
  });
}
