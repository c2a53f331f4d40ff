/**
 * Presentation-attack detection metrics in ISO/IEC 30107-3 vocabulary, over scored presentations
 * (score, isAttack, species):
 *
 * - APCER of a species (attack presentation classification error rate): the share of that
 *   species' attack presentations classified bona fide. Reported per species; the headline is the
 *   worst (maximum) over species, never a pooled average.
 * - BPCER (bona fide presentation classification error rate): the share of bona fide
 *   presentations classified attack.
 * - BPCER at APCER x: the BPCER at the operating point where APCER is at most x (per species, and
 *   for the worst species: every species' APCER at most x); "BPCER20" is BPCER at APCER 5%.
 * - DET curves per species: APCER against BPCER over every threshold.
 *
 * Decision rule throughout: **attack if score >= threshold**, with the score a probability (or any
 * monotone measure) of attack. Hence APCER(t) = #{attack scores < t} / n_species and BPCER(t) =
 * #{bona fide scores >= t} / n_bonafide; a score equal to the threshold is an attack. Rates are
 * exact counts; thresholds chosen for a target are exact too (see `thresholdForBpcer` and
 * `thresholdForApcer`).
 */
import { IriskError } from '../../lib/errors.js';
import { downsampleCurve } from './binary-curves.js';
import type { DetCurveInput } from './plots.js';

/** The decision rule every rate in this module uses, quoted in reports. */
export const PAD_DECISION_RULE = 'attack if score >= threshold';
/** APCER ceilings at which BPCER is reported by default (1% and 5%). */
export const DEFAULT_APCER_TARGETS: readonly number[] = [0.01, 0.05];
/** BPCER ceiling at which per-species APCER is reported by default (the leave-one-species-out figure). */
export const DEFAULT_BPCER_TARGET = 0.01;

/** One scored presentation. `species` names the attack instrument species (ignored for bona fide). */
export interface PadSample {
  readonly score: number;
  readonly isAttack: boolean;
  readonly species?: string;
}

/** Samples validated and grouped: each group's scores sorted ascending. */
export interface GroupedPadScores {
  readonly bonafide: Float64Array;
  /** Attack scores by species, species in first-seen order. */
  readonly species: ReadonlyMap<string, Float64Array>;
}

function invalid(message: string, details: Record<string, unknown> = {}): IriskError {
  return new IriskError('DATASET_INVALID', message, details);
}

/**
 * Validates and groups samples. Throws DATASET_INVALID on a non-finite score, an attack without a
 * species, or (when `expectedSpecies` is given) an expected species without any presentation.
 * Empty groups are allowed here; each metric checks what it needs.
 */
export function groupPadScores(samples: readonly PadSample[], expectedSpecies: readonly string[] = []): GroupedPadScores {
  const bonafide: number[] = [];
  const bySpecies = new Map<string, number[]>();
  for (const s of expectedSpecies) bySpecies.set(s, []);
  samples.forEach((s, index) => {
    if (!Number.isFinite(s.score)) {
      throw invalid(`PAD sample #${index} has score ${s.score}; every presentation needs a finite score (a failed one belongs in the failure counts)`, { index });
    }
    if (!s.isAttack) {
      bonafide.push(s.score);
      return;
    }
    if (typeof s.species !== 'string' || s.species === '') throw invalid(`Attack sample #${index} has no species`, { index });
    let list = bySpecies.get(s.species);
    if (!list) bySpecies.set(s.species, (list = []));
    list.push(s.score);
  });
  for (const [name, list] of bySpecies) {
    if (list.length === 0) throw invalid(`Attack species '${name}' has no presentations; its APCER is undefined`, { species: name });
  }
  const sortAsc = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
  return { bonafide: sortAsc(bonafide), species: new Map([...bySpecies].map(([k, v]) => [k, sortAsc(v)])) };
}

type ScoresInput = readonly PadSample[] | GroupedPadScores;

function grouped(input: ScoresInput): GroupedPadScores {
  return 'bonafide' in input ? input : groupPadScores(input);
}

function requireBonafide(g: GroupedPadScores): void {
  if (g.bonafide.length === 0) throw invalid('There are no bona fide presentations; BPCER is undefined');
}

function requireAttacks(g: GroupedPadScores): void {
  if (g.species.size === 0) throw invalid('There are no attack presentations; APCER is undefined');
}

function checkTarget(target: number, what: string): void {
  if (!(target >= 0 && target <= 1)) throw new IriskError('CONFIG_INVALID', `${what} target must be in [0, 1], got ${target}`, { target });
}

/** How many of the ascending scores are < t (binary search). */
function countBelow(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The smallest double greater than x (x itself for +Infinity and NaN). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return view.getFloat64(0);
}

/** How many errors a ceiling allows among n presentations: floor(target n), robust to round-off (0.29 * 100 is 28.999...). */
function allowedErrors(target: number, n: number): number {
  return Math.floor(target * n + 1e-9);
}

/** APCER of each attack species at a threshold: the share of its presentations scored below it. */
export function apcerBySpecies(samples: ScoresInput, threshold: number): Record<string, number> {
  const g = grouped(samples);
  requireAttacks(g);
  const out: Record<string, number> = {};
  for (const [name, scores] of g.species) out[name] = countBelow(scores, threshold) / scores.length;
  return out;
}

/** BPCER at a threshold: the share of bona fide presentations scored at or above it. */
export function bpcer(samples: ScoresInput, threshold: number): number {
  const g = grouped(samples);
  requireBonafide(g);
  return (g.bonafide.length - countBelow(g.bonafide, threshold)) / g.bonafide.length;
}

/**
 * The smallest threshold whose BPCER is at most `target` (so APCER is as low as that ceiling
 * allows). With k = floor(target n) bona fide errors allowed, it is the smallest double above the
 * (k+1)-th highest bona fide score: exactly the bona fide scores above that one are then
 * classified attack, and ties at it are not. -Infinity when k >= n (every presentation is
 * classified attack).
 */
export function thresholdForBpcer(bonafideScores: ArrayLike<number>, target: number): number {
  checkTarget(target, 'BPCER');
  const sorted = sortedFinite(bonafideScores, 'bona fide');
  const n = sorted.length;
  const k = allowedErrors(target, n);
  if (k >= n) return -Infinity;
  return nextUp(sorted[n - 1 - k]!);
}

/**
 * The largest threshold whose APCER is at most `target` (so BPCER is as low as that ceiling
 * allows). With k = floor(target n) attack errors allowed, it is the (k+1)-th lowest attack score
 * itself: the k lower ones (and nothing tied with that score) are classified bona fide. +Infinity
 * when k >= n (every presentation is classified bona fide).
 */
export function thresholdForApcer(attackScores: ArrayLike<number>, target: number): number {
  checkTarget(target, 'APCER');
  const sorted = sortedFinite(attackScores, 'attack');
  const k = allowedErrors(target, sorted.length);
  return k >= sorted.length ? Infinity : sorted[k]!;
}

function sortedFinite(scores: ArrayLike<number>, what: string): Float64Array {
  if (scores.length === 0) throw invalid(`There are no ${what} scores to choose a threshold from`);
  const sorted = Float64Array.from(scores).sort();
  if (!Number.isFinite(sorted[0]!) || !Number.isFinite(sorted[sorted.length - 1]!)) throw invalid(`The ${what} scores include a non-finite value`);
  return sorted;
}

/**
 * The largest threshold keeping every species' APCER at most `target`: the smallest of the
 * per-species `thresholdForApcer`. Throws DATASET_INVALID without attack presentations.
 */
export function thresholdForMaxApcer(samples: ScoresInput, target: number): number {
  const g = grouped(samples);
  requireAttacks(g);
  let t = Infinity;
  for (const scores of g.species.values()) t = Math.min(t, thresholdForApcer(scores, target));
  return t;
}

/** BPCER at one APCER ceiling, per species and for the worst species. */
export interface BpcerAtApcerEntry {
  readonly target: number;
  /** BPCER when every species' APCER is at most the target: the maximum of the per-species figures. */
  readonly worst: number;
  /** The species that sets `worst`. */
  readonly worstSpecies: string;
  /** The threshold behind `worst`: the smallest of the per-species thresholds (+Infinity when the target allows every error). */
  readonly threshold: number;
  readonly bySpecies: Record<string, { readonly bpcer: number; readonly threshold: number }>;
}

/**
 * BPCER at each APCER ceiling (keys are the targets as strings: "0.01", "0.05"). Per species the
 * threshold is `thresholdForApcer` of that species' scores; the worst case is the largest BPCER,
 * i.e. the BPCER at the smallest of those thresholds.
 */
export function bpcerAtApcer(samples: ScoresInput, targets: readonly number[] = DEFAULT_APCER_TARGETS): Record<string, BpcerAtApcerEntry> {
  const g = grouped(samples);
  requireBonafide(g);
  requireAttacks(g);
  const out: Record<string, BpcerAtApcerEntry> = {};
  for (const target of targets) {
    const bySpecies: Record<string, { bpcer: number; threshold: number }> = {};
    let worst = -1;
    let worstSpecies = '';
    let threshold = Infinity;
    for (const [name, scores] of g.species) {
      const t = thresholdForApcer(scores, target);
      const b = bpcer(g, t);
      bySpecies[name] = { bpcer: b, threshold: t };
      if (b > worst) {
        worst = b;
        worstSpecies = name;
      }
      threshold = Math.min(threshold, t);
    }
    out[String(target)] = { target, worst, worstSpecies, threshold, bySpecies };
  }
  return out;
}

/** Per-species APCER at the threshold that holds BPCER to a ceiling (the leave-one-species-out figure). */
export interface ApcerAtBpcerEntry {
  readonly target: number;
  readonly threshold: number;
  /** BPCER achieved at the threshold (<= target). */
  readonly bpcer: number;
  readonly apcer: Record<string, number>;
  readonly maxApcer: number;
}

/** APCER of every species at `thresholdForBpcer(bona fide, target)`. */
export function apcerAtBpcer(samples: ScoresInput, target: number = DEFAULT_BPCER_TARGET): ApcerAtBpcerEntry {
  const g = grouped(samples);
  requireBonafide(g);
  requireAttacks(g);
  const threshold = thresholdForBpcer(g.bonafide, target);
  const apcer = apcerBySpecies(g, threshold);
  return { target, threshold, bpcer: bpcer(g, threshold), apcer, maxApcer: Math.max(...Object.values(apcer)) };
}

/** One point of a PAD DET curve: the rates when deciding attack at score >= threshold. */
export interface PadDetPoint {
  readonly threshold: number;
  readonly apcer: number;
  readonly bpcer: number;
}

/** A species' DET curve and its equal error rate (where APCER = BPCER, interpolated). */
export interface PadDetCurve {
  readonly species: string;
  readonly points: readonly PadDetPoint[];
  readonly eer: number;
}

/**
 * DET curve of each species against all bona fide presentations: one point at every distinct
 * score of the two sets (ascending threshold: APCER rises from 0, BPCER falls), closed by the
 * point just above the highest score (APCER 1, BPCER 0). Curves longer than `maxPoints` (default
 * 500) are thinned evenly along their length in log-log space, keeping both ends.
 */
export function detCurves(samples: ScoresInput, maxPoints = 500): PadDetCurve[] {
  const g = grouped(samples);
  requireBonafide(g);
  requireAttacks(g);
  return [...g.species].map(([species, attacks]) => {
    const points = sweep(g.bonafide, attacks);
    const floor = 0.5 / Math.max(g.bonafide.length, attacks.length);
    const log = (v: number): number => Math.log10(Math.max(v, floor));
    return { species, points: downsampleCurve(points, (p) => [log(p.apcer), log(p.bpcer)], maxPoints), eer: eerOfCurve(points) };
  });
}

/** Exact DET points over the merged distinct scores of two ascending arrays. */
function sweep(bonafide: Float64Array, attacks: Float64Array): PadDetPoint[] {
  const nb = bonafide.length;
  const na = attacks.length;
  const points: PadDetPoint[] = [];
  let i = 0; // bona fide scores < t
  let j = 0; // attack scores < t
  while (i < nb || j < na) {
    const t = Math.min(i < nb ? bonafide[i]! : Infinity, j < na ? attacks[j]! : Infinity);
    points.push({ threshold: t, apcer: j / na, bpcer: (nb - i) / nb });
    while (i < nb && bonafide[i] === t) i++;
    while (j < na && attacks[j] === t) j++;
  }
  const top = Math.max(bonafide[nb - 1]!, attacks[na - 1]!);
  points.push({ threshold: nextUp(top), apcer: 1, bpcer: 0 });
  return points;
}

/** Where APCER - BPCER changes sign along the curve, linearly interpolated between the two points. */
function eerOfCurve(points: readonly PadDetPoint[]): number {
  for (let u = 0; u < points.length; u++) {
    const p = points[u]!;
    if (p.apcer < p.bpcer) continue;
    if (u === 0 || p.apcer === p.bpcer) return p.apcer;
    const q = points[u - 1]!;
    const dq = q.apcer - q.bpcer;
    const dp = p.apcer - p.bpcer;
    const alpha = -dq / (dp - dq);
    return q.apcer + alpha * (p.apcer - q.apcer);
  }
  return 1;
}

/**
 * PAD DET curves in the input shape of `detCurveSvg` (plots.ts): APCER on the x axis (its `fmr`),
 * BPCER on the y axis (its `fnmr`). Give the plot a PAD title; its axis labels say FMR and FNMR.
 */
export function padDetCurveInputs(curves: readonly PadDetCurve[]): DetCurveInput[] {
  return curves.map((c) => ({ name: c.species, eer: c.eer, points: c.points.map((p) => ({ threshold: p.threshold, fmr: p.apcer, fnmr: p.bpcer })) }));
}

/** How the report's operating threshold was set. */
export type PadThresholdChoice = { readonly threshold: number } | { readonly maxApcer: number } | { readonly bpcer: number };

/** Options of a PAD report. */
export interface PadReportOptions {
  /**
   * The operating threshold: given, or the largest one keeping every species' APCER at most
   * `maxApcer`, or the smallest one keeping BPCER at most `bpcer`. Default: `{ maxApcer: 0.05 }`.
   */
  readonly operatingPoint?: PadThresholdChoice;
  /** APCER ceilings for BPCER at APCER (default 1% and 5%). */
  readonly apcerTargets?: readonly number[];
  /** BPCER ceiling for per-species APCER at BPCER (default 1%). */
  readonly bpcerTarget?: number;
  /** Species that must be present (an expected species without presentations is an error). */
  readonly expectedSpecies?: readonly string[];
}

/** The ISO/IEC 30107-3 summary of one PAD evaluation (stable keys for report.json). */
export interface PadReport {
  readonly decisionRule: string;
  readonly counts: { readonly bonafide: number; readonly attack: number; readonly bySpecies: Record<string, number> };
  /** The operating threshold and how it was chosen. */
  readonly threshold: number;
  readonly thresholdChoice: PadThresholdChoice;
  /** APCER per species at the operating threshold. */
  readonly apcer: Record<string, number>;
  readonly maxApcer: number;
  readonly worstSpecies: string;
  /** BPCER at the operating threshold. */
  readonly bpcer: number;
  /** Worst-species BPCER at each APCER ceiling, keyed "0.01", "0.05". */
  readonly bpcerAtApcer: Record<string, number>;
  /** The same per species, with thresholds. */
  readonly bpcerAtApcerDetail: Record<string, BpcerAtApcerEntry>;
  /** Per-species APCER at the threshold holding BPCER to its ceiling, keyed by that ceiling. */
  readonly apcerAtBpcer: Record<string, ApcerAtBpcerEntry>;
  /** Equal error rate per species. */
  readonly eer: Record<string, number>;
}

/** Every ISO/IEC 30107-3 figure of one evaluation at once. Throws DATASET_INVALID without bona fide or attack presentations. */
export function padReport(samples: readonly PadSample[], options: PadReportOptions = {}): PadReport {
  const g = groupPadScores(samples, options.expectedSpecies);
  requireBonafide(g);
  requireAttacks(g);
  const choice = options.operatingPoint ?? { maxApcer: 0.05 };
  const threshold = operatingThreshold(g, choice);
  const apcer = apcerBySpecies(g, threshold);
  const [worstSpecies, maxApcer] = Object.entries(apcer).reduce((a, b) => (b[1] > a[1] ? b : a));
  const detail = bpcerAtApcer(g, options.apcerTargets ?? DEFAULT_APCER_TARGETS);
  const bpcerTarget = options.bpcerTarget ?? DEFAULT_BPCER_TARGET;
  const counts: Record<string, number> = {};
  for (const [name, scores] of g.species) counts[name] = scores.length;
  return {
    decisionRule: PAD_DECISION_RULE,
    counts: { bonafide: g.bonafide.length, attack: Object.values(counts).reduce((a, b) => a + b, 0), bySpecies: counts },
    threshold,
    thresholdChoice: choice,
    apcer,
    maxApcer,
    worstSpecies,
    bpcer: bpcer(g, threshold),
    bpcerAtApcer: Object.fromEntries(Object.entries(detail).map(([k, e]) => [k, e.worst])),
    bpcerAtApcerDetail: detail,
    apcerAtBpcer: { [String(bpcerTarget)]: apcerAtBpcer(g, bpcerTarget) },
    eer: Object.fromEntries(detCurves(g, 2).map((c) => [c.species, c.eer])),
  };
}

/** The threshold a choice names. */
function operatingThreshold(g: GroupedPadScores, choice: PadThresholdChoice): number {
  if ('threshold' in choice) {
    if (Number.isNaN(choice.threshold)) throw new IriskError('CONFIG_INVALID', 'The PAD threshold is NaN');
    return choice.threshold;
  }
  if ('bpcer' in choice) return thresholdForBpcer(g.bonafide, choice.bpcer);
  return thresholdForMaxApcer(g, choice.maxApcer);
}
