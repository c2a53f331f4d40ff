/**
 * Evaluation plots rendered server-side with ECharts (SVG), and written as SVG plus PNG. One generic
 * line chart (`lineChartSvg`) underlies the DET and score-distribution plots and is meant for ROC,
 * calibration and drift plots too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as echarts from 'echarts';
import { svgToPng } from '../../lib/image.js';
import { IriskError } from '../../lib/errors.js';
import type { DetPoint, Histogram } from './curves.js';
import { useDejaVuMetrics } from './text-metrics.js';

const FONT = 'DejaVu Sans, sans-serif';
const INK = '#1f2937';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';
/** Okabe-Ito colours: distinguishable with the common forms of colour blindness. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Axis of a line chart. `format` picks tick labels: plain numbers, percentages, or powers of ten. */
export interface ChartAxis {
  label: string;
  scale?: 'linear' | 'log';
  min?: number;
  max?: number;
  format?: 'number' | 'percent' | 'power10';
}

/** One series: points joined by lines, optionally filled down to the axis. */
export interface ChartSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
  dashed?: boolean;
  lineWidth?: number;
  /** Fill under the line with this opacity (0..1). */
  fill?: number;
  /** Leave the series out of the legend (reference lines). */
  hideInLegend?: boolean;
  /** Mark each point with a dot (e.g. the bins of a reliability diagram). */
  showPoints?: boolean;
}

/** A labelled point drawn on top of the series (e.g. the EER). */
export interface ChartMarker {
  x: number;
  y: number;
  label?: string;
  color?: string;
  /** Where the label sits relative to the point (default right). */
  labelPosition?: 'left' | 'right' | 'top' | 'bottom';
}

/** A labelled vertical line (e.g. a decision threshold). */
export interface ChartRule {
  x: number;
  label?: string;
  color?: string;
}

/** Everything a line chart shows. Width and height are in CSS pixels (default 800 x 520). */
export interface LineChartSpec {
  title: string;
  subtitle?: string;
  x: ChartAxis;
  y: ChartAxis;
  series: readonly ChartSeries[];
  markers?: readonly ChartMarker[];
  verticalLines?: readonly ChartRule[];
  /** Corner of the plot area holding the legend (default top-right); pick the corner the data leave empty. */
  legendPosition?: 'top-right' | 'bottom-right' | 'top-left';
  width?: number;
  height?: number;
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Tick label for a value in the given format ("10⁻³", "0.1%", "0.345"). */
export function formatTick(value: number, format: ChartAxis['format'] = 'number'): string {
  if (format === 'power10' && value > 0) {
    const e = Math.log10(value);
    if (Math.abs(e - Math.round(e)) < 1e-9) {
      const k = Math.round(e);
      return k === 0 ? '1' : `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c] ?? c)}`;
    }
  }
  if (format === 'percent') return `${Number((value * 100).toPrecision(6))}%`;
  return String(Number(value.toPrecision(6)));
}

function axisOption(axis: ChartAxis, nameGap: number): Record<string, unknown> {
  const log = axis.scale === 'log';
  return {
    type: log ? 'log' : 'value',
    ...(log ? { logBase: 10 } : {}),
    name: axis.label,
    nameLocation: 'middle',
    nameGap,
    nameTextStyle: { fontSize: 13, color: INK, fontFamily: FONT },
    ...(axis.min !== undefined ? { min: axis.min } : {}),
    ...(axis.max !== undefined ? { max: axis.max } : {}),
    axisLine: { show: true, onZero: false, lineStyle: { color: MUTED } },
    axisTick: { show: true, lineStyle: { color: MUTED } },
    axisLabel: { fontSize: 11, color: INK, fontFamily: FONT, formatter: (v: number) => formatTick(v, axis.format) },
    splitLine: { show: true, lineStyle: { color: GRID } },
    ...(log ? { minorTick: { show: true, splitNumber: 9 }, minorSplitLine: { show: true, lineStyle: { color: '#f3f4f6' } } } : {}),
  };
}

/** Keeps only points an axis can draw (a log axis cannot show values <= 0). */
function drawable(points: ReadonlyArray<readonly [number, number]>, spec: LineChartSpec): [number, number][] {
  const xLog = spec.x.scale === 'log';
  const yLog = spec.y.scale === 'log';
  const out: [number, number][] = [];
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y) || (xLog && x <= 0) || (yLog && y <= 0)) continue;
    out.push([x, y]);
  }
  return out;
}

/**
 * Renders a line chart to an SVG document: title, axis labels, legend, optional labelled markers and
 * vertical rules, on a white background (so the PNG is legible anywhere). Points that a log axis
 * cannot show (<= 0) are dropped.
 */
export function lineChartSvg(spec: LineChartSpec): string {
  useDejaVuMetrics();
  const width = spec.width ?? 800;
  const height = spec.height ?? 520;
  const series: Record<string, unknown>[] = spec.series.map((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    return {
      type: 'line',
      name: s.name,
      data: drawable(s.points, spec),
      showSymbol: s.showPoints === true,
      symbol: s.showPoints ? 'circle' : 'none',
      ...(s.showPoints ? { symbolSize: 6 } : {}),
      silent: true,
      z: 3,
      color,
      lineStyle: { color, width: s.lineWidth ?? 2, type: s.dashed ? 'dashed' : 'solid' },
      ...(s.fill ? { areaStyle: { color, opacity: s.fill } } : {}),
    };
  });
  if (spec.verticalLines && spec.verticalLines.length > 0) {
    series.push({
      type: 'line',
      name: '__rules',
      data: [],
      silent: true,
      z: 4,
      markLine: {
        symbol: 'none',
        silent: true,
        animation: false,
        // Sorted by x, labels alternate left/right of their line so neighbouring rules stay legible.
        data: [...spec.verticalLines]
          .sort((a, b) => a.x - b.x)
          .map((r, k) => ({
            xAxis: r.x,
            lineStyle: { color: r.color ?? INK, type: 'dashed', width: 1.2 },
            label: {
              show: r.label !== undefined,
              formatter: r.label ?? '',
              position: k % 2 === 0 ? 'insideEndTop' : 'insideEndBottom',
              color: r.color ?? INK,
              fontSize: 11,
              fontFamily: FONT,
            },
          })),
      },
    });
  }
  for (const m of spec.markers ?? []) {
    const color = m.color ?? INK;
    series.push({
      type: 'scatter',
      name: `__marker ${m.label ?? ''}`,
      data: drawable([[m.x, m.y]], spec),
      symbol: 'circle',
      symbolSize: 9,
      silent: true,
      z: 5,
      itemStyle: { color: '#ffffff', borderColor: color, borderWidth: 2 },
      label: {
        show: m.label !== undefined,
        formatter: m.label ?? '',
        position: m.labelPosition ?? 'right',
        distance: 8,
        color,
        fontSize: 11,
        fontFamily: FONT,
        backgroundColor: 'rgba(255,255,255,0.85)',
        padding: [2, 4],
      },
    });
  }
  const legendNames = spec.series.filter((s) => !s.hideInLegend).map((s) => s.name);
  const gridTop = spec.subtitle ? 70 : 56;
  const legendPlace =
    spec.legendPosition === 'bottom-right'
      ? { right: 48, bottom: 76 }
      : spec.legendPosition === 'top-left'
        ? { left: 90, top: gridTop + 10 }
        : { right: 24, top: spec.subtitle ? 78 : 58 };
  const option = {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT, color: INK },
    title: {
      text: spec.title,
      subtext: spec.subtitle ?? '',
      left: 20,
      top: 12,
      textStyle: { fontSize: 17, fontWeight: 'bold', color: INK, fontFamily: FONT },
      subtextStyle: { fontSize: 12, color: MUTED, fontFamily: FONT },
    },
    legend: {
      data: legendNames,
      ...legendPlace,
      orient: 'vertical',
      backgroundColor: 'rgba(255,255,255,0.9)',
      borderColor: GRID,
      borderWidth: 1,
      padding: [6, 10],
      itemWidth: 22,
      itemHeight: 3,
      textStyle: { fontSize: 12, color: INK, fontFamily: FONT },
      icon: 'rect',
    },
    grid: { left: 78, right: 36, top: gridTop, bottom: 64 },
    xAxis: axisOption(spec.x, 34),
    yAxis: axisOption(spec.y, 52),
    series,
  };
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option as echarts.EChartsOption);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** One DET curve to draw, with its EER if known (marked on the curve). */
export interface DetCurveInput {
  name: string;
  points: readonly DetPoint[];
  eer?: number;
}

/** Options for DET plots: axis floors default to the smallest power of ten below the data. */
export interface DetPlotOptions {
  title?: string;
  subtitle?: string;
  minFmr?: number;
  minFnmr?: number;
  width?: number;
  height?: number;
  /** Axis labels (default FMR and FNMR; a PAD plot says APCER and BPCER). */
  xLabel?: string;
  yLabel?: string;
}

function floorPow10(v: number): number {
  return 10 ** Math.floor(Math.log10(v) + 1e-9);
}

/**
 * DET plot: FNMR against FMR on log-log axes, one line per curve, the EER of each marked with a ring
 * on the FMR = FNMR diagonal (drawn dashed) and quoted in the legend. Operating points with a zero rate cannot appear on log axes.
 */
export function detCurveSvg(curves: readonly DetCurveInput[], opts: DetPlotOptions = {}): string {
  if (curves.length === 0) throw new IriskError('USAGE', 'A DET plot needs at least one curve');
  let minX = Infinity;
  let minY = Infinity;
  for (const c of curves) {
    for (const p of c.points) {
      if (p.fmr > 0) minX = Math.min(minX, p.fmr);
      if (p.fnmr > 0) minY = Math.min(minY, p.fnmr);
    }
  }
  const lo = Math.min(Number.isFinite(minX) ? minX : 1e-3, Number.isFinite(minY) ? minY : 1e-3);
  const xMin = opts.minFmr ?? Math.min(1e-2, floorPow10(Number.isFinite(minX) ? minX : lo));
  const yMin = opts.minFnmr ?? Math.min(1e-2, floorPow10(Number.isFinite(minY) ? minY : lo));
  const d0 = Math.min(xMin, yMin);
  const series: ChartSeries[] = curves.map((c, k) => ({
    name: c.eer !== undefined ? `${c.name} (EER ${formatRate(c.eer)})` : c.name,
    points: c.points.map((p) => [p.fmr, p.fnmr] as const),
    color: PALETTE[k % PALETTE.length]!,
  }));
  series.push({ name: 'equal error rates', points: [[d0, d0], [1, 1]], color: '#9ca3af', dashed: true, lineWidth: 1, hideInLegend: true });
  const markers: ChartMarker[] = [];
  curves.forEach((c, k) => {
    if (c.eer !== undefined && c.eer > 0) markers.push({ x: c.eer, y: c.eer, color: PALETTE[k % PALETTE.length]! });
  });
  return lineChartSvg({
    title: opts.title ?? 'DET curve',
    ...(opts.subtitle !== undefined ? { subtitle: opts.subtitle } : {}),
    x: { label: opts.xLabel ?? 'False match rate (FMR)', scale: 'log', min: xMin, max: 1, format: 'power10' },
    y: { label: opts.yLabel ?? 'False non-match rate (FNMR)', scale: 'log', min: yMin, max: 1, format: 'power10' },
    series,
    markers,
    ...(opts.width !== undefined ? { width: opts.width } : {}),
    ...(opts.height !== undefined ? { height: opts.height } : {}),
  });
}

/** Options for score-distribution plots. */
export interface ScoreHistogramPlotOptions {
  title?: string;
  subtitle?: string;
  /** Decision thresholds drawn as labelled vertical lines (default 0.32 and 0.345). */
  thresholds?: readonly number[];
  xLabel?: string;
  width?: number;
  height?: number;
}

/** Rate as a short percentage: "2.31%", "0.012%". */
export function formatRate(rate: number): string {
  if (rate === 0) return '0%';
  const pct = rate * 100;
  return `${pct >= 1 ? pct.toFixed(2) : Number(pct.toPrecision(2))}%`;
}

function stepPoints(h: Histogram): [number, number][] {
  const pts: [number, number][] = [[h.edges[0]!, 0]];
  for (let k = 0; k < h.density.length; k++) {
    pts.push([h.edges[k]!, h.density[k]!], [h.edges[k + 1]!, h.density[k]!]);
  }
  pts.push([h.edges[h.edges.length - 1]!, 0]);
  return pts;
}

/**
 * Overlaid genuine and impostor score distributions (densities over the histograms' bins, drawn as
 * filled step outlines) with the decision thresholds as labelled vertical lines.
 */
export function scoreHistogramSvg(genuineHist: Histogram, impostorHist: Histogram, opts: ScoreHistogramPlotOptions = {}): string {
  const thresholds = opts.thresholds ?? [0.32, 0.345];
  return lineChartSvg({
    title: opts.title ?? 'Score distributions',
    subtitle: opts.subtitle ?? `${genuineHist.n.toLocaleString('en-US')} genuine and ${impostorHist.n.toLocaleString('en-US')} impostor comparisons`,
    x: { label: opts.xLabel ?? 'Fractional Hamming distance', min: genuineHist.lo, max: genuineHist.hi },
    y: { label: 'Density', min: 0 },
    series: [
      { name: 'Genuine (same eye)', points: stepPoints(genuineHist), color: PALETTE[0]!, fill: 0.25, lineWidth: 1.5 },
      { name: 'Impostor (different eyes)', points: stepPoints(impostorHist), color: PALETTE[1]!, fill: 0.25, lineWidth: 1.5 },
    ],
    verticalLines: thresholds.map((t) => ({ x: t, label: `threshold ${t}`, color: '#374151' })),
    ...(opts.width !== undefined ? { width: opts.width } : {}),
    ...(opts.height !== undefined ? { height: opts.height } : {}),
  });
}

/** Writes `baseName.svg` and `baseName.png` (rendered at 2x) into `dir`, creating it; returns both paths. */
export async function writePlot(dir: string, baseName: string, svg: string): Promise<{ svg: string; png: string }> {
  await mkdir(dir, { recursive: true });
  const svgPath = join(dir, `${baseName}.svg`);
  const pngPath = join(dir, `${baseName}.png`);
  await writeFile(svgPath, svg);
  await writeFile(pngPath, await svgToPng(svg));
  return { svg: svgPath, png: pngPath };
}
