/**
 * The report of `irisk pad eval`: `report.json` (stable keys: apcer, maxApcer, bpcer, bpcerAtApcer,
 * leaveOneOut, ...), DET plots (APCER against BPCER, one curve per species), and the error gallery:
 * the attacks that passed and the live eyes that were rejected, copied into `errors/` with an
 * `errors.html` page to look at them.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { detCurves, padDetCurveInputs, PAD_DECISION_RULE } from '../../ml/evaluation/pad.js';
import { detCurveSvg, writePlot } from '../../ml/evaluation/plots.js';
import { BONA_FIDE_SPECIES } from '../iris/dataset.js';
import type { PadDataset } from './dataset.js';
import { operatingRates, type OperatingRates, type PadProtocolResult, type PadProtocols, type ScoredPresentation } from './evaluate.js';

/** At most this many presentations of each error kind are copied into the gallery (the worst first). */
export const GALLERY_LIMIT = 60;

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const roundAll = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));

/** One presentation in the error lists. */
export interface PadErrorEntry {
  name: string;
  species: string;
  score: number;
  threshold: number;
  /** The pipeline's own verdict: "encoded" or the error code that rejected the capture. */
  pipeline: string;
  /** The copy under the report directory (relative), when copied. */
  image?: string;
}

/** Passed attacks (lowest scores first) and rejected live eyes (highest first). */
export function padErrors(ds: PadDataset, scored: readonly ScoredPresentation[]): { passedAttacks: PadErrorEntry[]; rejectedBonafide: PadErrorEntry[] } {
  const entry = (s: ScoredPresentation): PadErrorEntry => {
    const o = ds.outcomes[s.row]!;
    return { name: ds.items[s.row]!.name, species: s.species, score: round(s.score), threshold: round(s.threshold), pipeline: o.ok ? 'encoded' : o.code };
  };
  const passed = scored.filter((s) => s.isAttack && s.score < s.threshold).sort((a, b) => a.score - b.score);
  const rejected = scored.filter((s) => !s.isAttack && s.score >= s.threshold).sort((a, b) => b.score - a.score);
  return { passedAttacks: passed.map(entry), rejectedBonafide: rejected.map(entry) };
}

/** Encoding outcomes by species: how many presentations the iris pipeline itself rejected. */
export function pipelineRejections(ds: PadDataset): Record<string, { presentations: number; rejected: number }> {
  const out: Record<string, { presentations: number; rejected: number }> = {};
  ds.items.forEach((item, i) => {
    const c = (out[item.species] ??= { presentations: 0, rejected: 0 });
    c.presentations++;
    if (!ds.outcomes[i]!.ok) c.rejected++;
  });
  return out;
}

function operatingJson(o: OperatingRates): Record<string, unknown> {
  return { apcer: roundAll(o.apcer), maxApcer: round(o.maxApcer), bpcer: round(o.bpcer) };
}

/** The JSON summary of both protocols (plain data). */
export function padEvalReportJson(ds: PadDataset, p: PadProtocols, context: Record<string, unknown>): Record<string, unknown> {
  const { allSeen } = p;
  const pooled = allSeen.pooled;
  const loo = Object.fromEntries(
    Object.entries(p.leaveOneOut).map(([sp, r]) => {
      const atBpcer = Object.values(r.pooled.apcerAtBpcer)[0]!;
      return [sp, { apcerAtBpcer: { [String(atBpcer.target)]: round(atBpcer.apcer[sp]!) }, ...operatingJson(r.operating), eer: round(r.pooled.eer[sp]!) }];
    }),
  );
  const looMax = Math.max(...Object.entries(p.leaveOneOut).map(([sp, r]) => Object.values(r.pooled.apcerAtBpcer)[0]!.apcer[sp]!));
  return {
    dataset: ds.dir,
    decisionRule: PAD_DECISION_RULE,
    ...context,
    counts: { bonafide: pooled.counts.bonafide, attack: pooled.counts.attack, bySpecies: pooled.counts.bySpecies },
    protocol: 'all species seen: cross-validation, folds grouped by subject; each fold scored by a detector fitted on the other folds, whose threshold was chosen on its own training rows',
    ...operatingJson(allSeen.operating),
    bpcerAtApcer: roundAll(pooled.bpcerAtApcer),
    bpcerAtApcerDetail: pooled.bpcerAtApcerDetail,
    apcerAtBpcer: pooled.apcerAtBpcer,
    eer: roundAll(pooled.eer),
    leaveOneOut: loo,
    leaveOneOutMaxApcerAtBpcer: round(looMax),
    pipelineRejections: pipelineRejections(ds),
    errors: padErrors(ds, allSeen.scored),
  };
}

/** DET plots of a protocol (one curve per species). */
async function detPlot(dir: string, name: string, title: string, results: readonly Pick<PadProtocolResult, 'scored'>[]): Promise<void> {
  const curves = results.flatMap((r) => detCurves(r.scored).filter((c) => c.species !== BONA_FIDE_SPECIES));
  await writePlot(dir, name, detCurveSvg(padDetCurveInputs(curves), { title, xLabel: 'Attack presentation classification error rate (APCER)', yLabel: 'Bona fide presentation classification error rate (BPCER)' }));
}

/** Copies the error images and writes `errors.html`; fills `image` of the entries it copied. */
async function writeGallery(dir: string, ds: PadDataset, errors: { passedAttacks: PadErrorEntry[]; rejectedBonafide: PadErrorEntry[] }): Promise<void> {
  const out = join(dir, 'errors');
  await mkdir(out, { recursive: true });
  const byName = new Map(ds.items.map((i) => [i.name, i.path]));
  const section = async (title: string, list: PadErrorEntry[]): Promise<string> => {
    const cells: string[] = [];
    for (const [k, e] of list.slice(0, GALLERY_LIMIT).entries()) {
      const file = `${String(k + 1).padStart(3, '0')}-${basename(e.name).replace(/[^\w.-]/g, '_')}`;
      await copyFile(byName.get(e.name)!, join(out, file));
      e.image = `errors/${file}`;
      cells.push(`<figure><img src="${e.image}" alt="${escapeHtml(e.name)}" loading="lazy"><figcaption>${escapeHtml(e.name)}<br>${escapeHtml(e.species)}: score ${e.score.toFixed(3)} (threshold ${e.threshold.toFixed(3)}), pipeline ${escapeHtml(e.pipeline)}</figcaption></figure>`);
    }
    const more = list.length > GALLERY_LIMIT ? ` (the ${GALLERY_LIMIT} worst shown)` : '';
    return `<h2>${title}: ${list.length}${more}</h2>\n<div class="grid">${cells.join('\n') || '<p>none</p>'}</div>`;
  };
  const html = `<!doctype html><meta charset="utf-8"><title>PAD errors</title>
<style>body{font-family:sans-serif;margin:1.5em}.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;width:240px}img{width:240px;image-rendering:auto}figcaption{font-size:12px}</style>
<h1>PAD errors (all species seen)</h1>
${await section('Attacks that passed', errors.passedAttacks)}
${await section('Live eyes rejected as attacks', errors.rejectedBonafide)}
`;
  await writeFile(join(dir, 'errors.html'), html);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Writes report.json and the error gallery of a registered detector scored on a dataset; returns the JSON. */
export async function writePadModelReport(dir: string, ds: PadDataset, scored: readonly ScoredPresentation[], context: Record<string, unknown>): Promise<Record<string, unknown>> {
  await mkdir(dir, { recursive: true });
  const rates = operatingRates(scored);
  const errors = padErrors(ds, scored);
  const bonafide = scored.filter((s) => !s.isAttack).length;
  const json: Record<string, unknown> = {
    dataset: ds.dir,
    decisionRule: PAD_DECISION_RULE,
    protocol: 'a registered detector at its own threshold, every presentation of the dataset',
    ...context,
    bonafide,
    attacks: scored.length - bonafide,
    rejectedBonafide: errors.rejectedBonafide.length,
    ...operatingJson(rates),
    pipelineRejections: pipelineRejections(ds),
    errors,
  };
  await writeGallery(dir, ds, errors);
  if (scored.some((s) => s.isAttack)) await detPlot(dir, 'det', 'PAD DET of the registered detector', [{ scored }]);
  await writeFile(join(dir, 'report.json'), JSON.stringify(json, null, 2) + '\n');
  return json;
}

/** Writes report.json, the DET plots and the error gallery; returns the JSON. */
export async function writePadEvalReport(dir: string, ds: PadDataset, p: PadProtocols, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  await mkdir(dir, { recursive: true });
  const json = padEvalReportJson(ds, p, context);
  await writeGallery(dir, ds, json.errors as { passedAttacks: PadErrorEntry[]; rejectedBonafide: PadErrorEntry[] });
  await detPlot(dir, 'det-all-seen', 'PAD DET, all species seen (out-of-fold)', [p.allSeen]);
  await detPlot(dir, 'det-leave-one-out', 'PAD DET, each species unseen in training', Object.values(p.leaveOneOut));
  await writeFile(join(dir, 'report.json'), JSON.stringify(json, null, 2) + '\n');
  return json;
}
