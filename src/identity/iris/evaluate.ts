/**
 * Biometric evaluation of the iris pipeline on a dataset: encode every capture (failures count
 * toward failure to enrol), compare all pairs (the two eyes of one subject are different irises,
 * so they form impostor pairs), and report ISO/IEC 19795-1 figures with subject-bootstrap
 * intervals, segmentation accuracy where ground truth exists, and the worst pairs to look at.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadGray } from '../../lib/image.js';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { evaluateVerification, type VerificationReport } from '../../ml/evaluation/biometric.js';
import { detCurve, scoreHistograms } from '../../ml/evaluation/curves.js';
import { PairScoresBuilder } from '../../ml/evaluation/pairs.js';
import { sortScores } from '../../ml/evaluation/sorted-scores.js';
import { DEFAULT_PIPELINE_CONFIG, type PipelineConfig } from './config.js';
import { defaultWorkers, encodeFiles } from './encode-pool.js';
import { loadIrisDataset, type DatasetItem } from './dataset.js';
import { writeDebugImages } from './debug.js';
import { packTemplate, type PackedTemplate } from './matcher.js';
import { encodeImage, type PipelineTrace } from './pipeline.js';
import { writeIrisPlots } from './plots.js';
import { scoreSegmentation, summariseSegmentation, type SegmentationScore } from './segmentation-metrics.js';
import { WasmProbe } from './wasm-matcher.js';

/** Options of an evaluation run. */
export interface IrisEvalOptions {
  readonly config?: PipelineConfig;
  readonly bootstrapReplicates?: number;
  readonly seed?: number;
  /** How many worst genuine and best impostor pairs to list (with debug images). */
  readonly worstPairs?: number;
  readonly progress?: Progress;
  /** Worker threads for encoding (default: the available cores, at most 8; 1 = this thread). */
  readonly workers?: number;
}

/** One listed pair. */
export interface ListedPair {
  readonly a: string;
  readonly b: string;
  readonly distance: number;
  readonly rotation: number;
  readonly overlapBits: number;
  readonly debugDir: string;
}

/** The report written to report.json (stable keys). */
export interface IrisEvalReport extends VerificationReport {
  readonly dataset: string;
  readonly images: number;
  readonly eyeClasses: number;
  readonly failureToEnrollRate: number;
  readonly failures: { path: string; code: string; message: string }[];
  readonly segmentation: (SegmentationScore & { images: number }) | null;
  readonly worstGenuinePairs: ListedPair[];
  readonly bestImpostorPairs: ListedPair[];
  /** Mean encoding time per image (decode included) in its thread, and mean time per comparison. */
  readonly timing: { encodeMsMean: number; compareUsMean: number };
  readonly plots: string[];
}

interface Enrolled {
  item: DatasetItem;
  packed: PackedTemplate;
  subjectIndex: number;
}

/** Runs the evaluation and writes report.json, plots and debug images into reportDir. */
export async function evaluateIrisDataset(datasetDir: string, reportDir: string, options: IrisEvalOptions = {}): Promise<IrisEvalReport> {
  const config = options.config ?? DEFAULT_PIPELINE_CONFIG;
  const progress = options.progress ?? silentProgress;
  const items = await loadIrisDataset(datasetDir);
  await mkdir(reportDir, { recursive: true });

  const subjects = new Map<string, number>();
  const enrolled: Enrolled[] = [];
  const failures: IrisEvalReport['failures'] = [];
  const segScores: SegmentationScore[] = [];
  progress.start(items.length, 'encoding');
  const outcomes = await encodeFiles(
    items.map((i) => i.path),
    config,
    options.workers ?? defaultWorkers(),
    () => progress.tick(),
  );
  progress.stop();
  let encodeMs = 0;
  for (const o of outcomes) {
    const item = items[o.index]!;
    encodeMs += o.ms;
    if (!o.ok) {
      failures.push({ path: item.name, code: o.code, message: o.message });
      continue;
    }
    if (!subjects.has(item.subject)) subjects.set(item.subject, subjects.size);
    enrolled.push({ item, packed: packTemplate(o.template), subjectIndex: subjects.get(item.subject)! });
    if (item.truth) segScores.push(scoreSegmentation(o, item.truth));
  }

  const builder = new PairScoresBuilder();
  const pairRefs: { i: number; j: number; rotation: number; overlap: number }[] = [];
  const pairCount = (enrolled.length * (enrolled.length - 1)) / 2;
  const t1 = performance.now();
  progress.start(enrolled.length, 'comparing');
  for (let i = 0; i < enrolled.length; i++) {
    const probe = new WasmProbe(enrolled[i]!.packed, config.match);
    for (let j = i + 1; j < enrolled.length; j++) {
      const m = probe.compare(enrolled[j]!.packed);
      const a = enrolled[i]!;
      const b = enrolled[j]!;
      builder.add(m.distance, a.subjectIndex, b.subjectIndex, a.item.eyeClass === b.item.eyeClass);
      pairRefs.push({ i, j, rotation: m.rotation, overlap: m.overlapBits });
    }
    progress.tick();
  }
  progress.stop();
  const compareUs = pairCount > 0 ? ((performance.now() - t1) * 1000) / pairCount : 0;

  const scores = builder.build([...subjects.keys()]);
  const sorted = sortScores(scores);
  const verification = evaluateVerification(sorted, {
    bootstrap: { replicates: options.bootstrapReplicates ?? 1000, seed: options.seed ?? 1 },
    enrolment: { attempted: items.length, failed: failures.length },
  });
  const plots = await writeIrisPlots(reportDir, detCurve(sorted), scoreHistograms(sorted), verification);

  const listed = await listPairs(reportDir, enrolled, scores.distance, scores.genuine, pairRefs, options.worstPairs ?? 10, config);
  const report: IrisEvalReport = {
    ...verification,
    dataset: datasetDir,
    images: items.length,
    eyeClasses: new Set(items.map((i) => i.eyeClass)).size,
    failureToEnrollRate: failures.length / items.length,
    failures,
    segmentation: summariseSegmentation(segScores),
    worstGenuinePairs: listed.genuine,
    bestImpostorPairs: listed.impostor,
    timing: { encodeMsMean: encodeMs / items.length, compareUsMean: compareUs },
    plots,
  };
  await writeFile(join(reportDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

async function listPairs(
  reportDir: string,
  enrolled: Enrolled[],
  distance: Float64Array,
  genuine: Uint8Array,
  refs: { i: number; j: number; rotation: number; overlap: number }[],
  count: number,
  config: PipelineConfig,
): Promise<{ genuine: ListedPair[]; impostor: ListedPair[] }> {
  const idx = refs.map((_, k) => k);
  const worstGenuine = idx.filter((k) => genuine[k]).sort((x, y) => distance[y]! - distance[x]!).slice(0, count);
  const bestImpostor = idx.filter((k) => !genuine[k]).sort((x, y) => distance[x]! - distance[y]!).slice(0, count);
  // One capture often appears in several listed pairs: trace each capture once.
  const traces = new Map<number, PipelineTrace>();
  const traceOf = async (index: number): Promise<PipelineTrace> => {
    let trace = traces.get(index);
    if (!trace) {
      encodeImage(await loadGray(enrolled[index]!.item.path), config, { onTrace: (t) => (trace = t) });
      traces.set(index, trace!);
    }
    return trace!;
  };
  const describe = async (k: number, kind: string, rank: number): Promise<ListedPair> => {
    const ref = refs[k]!;
    const dir = join(reportDir, 'pairs', `${kind}-${String(rank + 1).padStart(2, '0')}`);
    for (const [label, index] of [['a', ref.i], ['b', ref.j]] as const) await writeDebugImages(dir, await traceOf(index), `${label}-`);
    return { a: enrolled[ref.i]!.item.name, b: enrolled[ref.j]!.item.name, distance: distance[k]!, rotation: ref.rotation, overlapBits: ref.overlap, debugDir: dir };
  };
  const g: ListedPair[] = [];
  for (const [rank, k] of worstGenuine.entries()) g.push(await describe(k, 'genuine', rank));
  const im: ListedPair[] = [];
  for (const [rank, k] of bestImpostor.entries()) im.push(await describe(k, 'impostor', rank));
  return { genuine: g, impostor: im };
}

/** A short human summary of a report: the headline figures with their intervals. */
export function summariseReport(r: IrisEvalReport, reportPath: string): string {
  const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
  const ci = (c: [number, number] | null): string => (c ? ` [${pct(c[0])}, ${pct(c[1])}]` : '');
  const lines = [
    `report: ${reportPath}`,
    `images ${r.images} (${r.eyeClasses} eye classes), failure to enrol ${pct(r.failureToEnrollRate)}`,
    `genuine pairs ${r.genuinePairs}, impostor pairs ${r.impostorPairs}, d' ${r.dPrime?.toFixed(2) ?? 'n/a'}`,
    `EER ${pct(r.eer)}${ci(r.eerCi)} at threshold ${r.eerThreshold.toFixed(3)}`,
  ];
  for (const [target, e] of Object.entries(r.fnmrAtFmr)) {
    lines.push(`FNMR at FMR ${target}: ${e.resolvable && e.fnmr !== null ? pct(e.fnmr) + ci(e.ci) : 'not resolvable with this many impostor pairs'}`);
  }
  for (const [t, e] of Object.entries(r.fmrAtThreshold)) lines.push(`at threshold ${t}: FMR ${pct(e.fmr)}, FNMR ${pct(e.fnmr)}`);
  if (r.segmentation) {
    const s = r.segmentation;
    lines.push(`segmentation: pupil IoU ${s.pupilIoU.toFixed(3)}, iris IoU ${s.irisIoU.toFixed(3)}, boundary error ${s.pupilBoundaryErrorPx.toFixed(2)} / ${s.irisBoundaryErrorPx.toFixed(2)} px`);
  }
  const pngs = r.plots.filter((p) => p.endsWith('.png'));
  if (pngs.length > 0) lines.push(`plots: ${pngs.join(', ')}`);
  if (r.worstGenuinePairs.length + r.bestImpostorPairs.length > 0) lines.push(`worst pairs with debug images: ${join(reportPath, '..', 'pairs')}`);
  return lines.join('\n');
}
