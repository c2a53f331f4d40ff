/**
 * Validated, sorted comparison scores: the one-off O(n log n) preparation that every metric, curve
 * and bootstrap replicate then reads in linear or logarithmic time.
 */
import { IriskError } from '../../lib/errors.js';
import type { PairScores } from './pairs.js';

/**
 * Genuine and impostor distances sorted ascending, with the subjects behind each pair, and the
 * distinct score values of both sets merged (the only thresholds at which FMR or FNMR change).
 * Subject indices are dense, 0..subjectCount-1.
 */
export interface SortedScores {
  /** Genuine distances, ascending. */
  readonly genuine: Float64Array;
  /** Subject of each genuine pair (aligned with `genuine`). */
  readonly genuineSubject: Int32Array;
  /** Impostor distances, ascending. */
  readonly impostor: Float64Array;
  /** First subject of each impostor pair (aligned with `impostor`). */
  readonly impostorSubjectA: Int32Array;
  /**
   * Second subject of each impostor pair, or `subjectCount` when both sides belong to one subject
   * (two different eyes of the same person). The bootstrap gives that extra slot multiplicity 1, so
   * a pair's weight is always `mult[A] * mult[partner]` with no branch.
   */
  readonly impostorPartner: Int32Array;
  readonly subjectCount: number;
  /** Distinct distances of both sets merged, ascending. */
  readonly thresholds: Float64Array;
  /** For each threshold u, how many genuine distances are <= thresholds[u]. */
  readonly genuineAtOrBelow: Int32Array;
  /** For each threshold u, how many impostor distances are <= thresholds[u]. */
  readonly impostorAtOrBelow: Int32Array;
  /** Subject names by dense index, when the input carried them. */
  readonly subjectNames?: readonly string[];
}

function invalid(message: string, details: Record<string, unknown> = {}): IriskError {
  return new IriskError('DATASET_INVALID', message, details);
}

/**
 * Validates pair scores and sorts them once. Throws DATASET_INVALID (with the offending pair's index)
 * on mismatched column lengths, a non-finite distance, a bad subject index, a genuine pair spanning
 * two subjects, or when either the genuine or the impostor set is empty (FNMR or FMR undefined).
 */
export function sortScores(scores: PairScores): SortedScores {
  const { distance, subjectA, subjectB, genuine } = scores;
  const n = distance.length;
  if (subjectA.length !== n || subjectB.length !== n || genuine.length !== n) {
    throw invalid(
      `Pair score columns differ in length (distance ${n}, subjectA ${subjectA.length}, subjectB ${subjectB.length}, genuine ${genuine.length})`,
    );
  }
  let ng = 0;
  let maxSubject = 0;
  for (let k = 0; k < n; k++) {
    const d = distance[k]!;
    if (!Number.isFinite(d)) {
      throw invalid(`Distance of pair #${k} is ${d}; every comparison must produce a finite distance (a failed comparison belongs in the failure counts, not in the scores)`, {
        index: k,
        distance: String(d),
      });
    }
    const a = subjectA[k]!;
    const b = subjectB[k]!;
    if (a < 0 || b < 0) throw invalid(`Pair #${k} has a negative subject index (${a}, ${b})`, { index: k, subjectA: a, subjectB: b });
    if (genuine[k]) {
      if (a !== b) {
        throw invalid(`Pair #${k} is marked genuine but compares subjects ${a} and ${b}; a genuine pair shares one eye class and hence one subject`, {
          index: k,
          subjectA: a,
          subjectB: b,
        });
      }
      ng++;
    }
    if (a > maxSubject) maxSubject = a;
    if (b > maxSubject) maxSubject = b;
  }
  const ni = n - ng;
  if (ng === 0) {
    throw invalid(
      `No genuine comparisons among ${n} pairs: FNMR and EER are undefined. The dataset needs at least two captures of some eye`,
      { pairs: n },
    );
  }
  if (ni === 0) {
    throw invalid(`No impostor comparisons among ${n} pairs: FMR and EER are undefined. The dataset needs captures of at least two eyes`, {
      pairs: n,
    });
  }

  const gIdx = new Uint32Array(ng);
  const iIdx = new Uint32Array(ni);
  for (let k = 0, g = 0, i = 0; k < n; k++) {
    if (genuine[k]) gIdx[g++] = k;
    else iIdx[i++] = k;
  }
  sortIndicesByValue(gIdx, distance);
  sortIndicesByValue(iIdx, distance);

  const dense = densify(subjectA, subjectB, maxSubject);
  const { subjectCount, original } = dense;
  const gD = new Float64Array(ng);
  const gS = new Int32Array(ng);
  for (let k = 0; k < ng; k++) {
    const p = gIdx[k]!;
    gD[k] = distance[p]!;
    gS[k] = dense.a[p]!;
  }
  const iD = new Float64Array(ni);
  const iA = new Int32Array(ni);
  const iB = new Int32Array(ni);
  for (let k = 0; k < ni; k++) {
    const p = iIdx[k]!;
    iD[k] = distance[p]!;
    const a = dense.a[p]!;
    const b = dense.b[p]!;
    iA[k] = a;
    iB[k] = a === b ? subjectCount : b;
  }

  // Merge the two sorted sets into distinct thresholds with the counts at or below each.
  const th = new Float64Array(ng + ni);
  const gAt = new Int32Array(ng + ni);
  const iAt = new Int32Array(ng + ni);
  let m = 0;
  for (let g = 0, i = 0; g < ng || i < ni; ) {
    const t = i >= ni || (g < ng && gD[g]! <= iD[i]!) ? gD[g]! : iD[i]!;
    while (g < ng && gD[g]! <= t) g++;
    while (i < ni && iD[i]! <= t) i++;
    th[m] = t;
    gAt[m] = g;
    iAt[m] = i;
    m++;
  }

  let subjectNames: string[] | undefined;
  if (scores.subjectNames) {
    subjectNames = new Array<string>(subjectCount);
    for (let d = 0; d < subjectCount; d++) subjectNames[d] = scores.subjectNames[original[d]!] ?? String(original[d]);
  }
  return {
    genuine: gD,
    genuineSubject: gS,
    impostor: iD,
    impostorSubjectA: iA,
    impostorPartner: iB,
    subjectCount,
    thresholds: th.slice(0, m),
    genuineAtOrBelow: gAt.slice(0, m),
    impostorAtOrBelow: iAt.slice(0, m),
    ...(subjectNames ? { subjectNames } : {}),
  };
}

/** Largest subject index renumbered through a flat lookup table; beyond it, through a Map. */
const DENSE_LOOKUP_LIMIT = 1 << 24;

/**
 * Renumbers subject indices 0..subjectCount-1 in order of first appearance, returning the renumbered
 * columns and the original index of each dense one.
 */
function densify(subjectA: Int32Array, subjectB: Int32Array, maxSubject: number): { a: Int32Array; b: Int32Array; subjectCount: number; original: number[] } {
  const n = subjectA.length;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const original: number[] = [];
  if (maxSubject < DENSE_LOOKUP_LIMIT) {
    const table = new Int32Array(maxSubject + 1).fill(-1);
    const id = (x: number): number => {
      const d = table[x]!;
      return d >= 0 ? d : (table[x] = original.push(x) - 1);
    };
    for (let k = 0; k < n; k++) {
      a[k] = id(subjectA[k]!);
      b[k] = id(subjectB[k]!);
    }
  } else {
    const table = new Map<number, number>();
    const id = (x: number): number => {
      let d = table.get(x);
      if (d === undefined) table.set(x, (d = original.push(x) - 1));
      return d;
    };
    for (let k = 0; k < n; k++) {
      a[k] = id(subjectA[k]!);
      b[k] = id(subjectB[k]!);
    }
  }
  return { a, b, subjectCount: original.length, original };
}

/**
 * Sorts `idx` (indices into `values`) by value, stably. Sorting the values natively and then placing
 * each index by binary search is several times faster than a comparator sort over indices.
 */
function sortIndicesByValue(idx: Uint32Array, values: Float64Array): void {
  const n = idx.length;
  const v = new Float64Array(n);
  for (let k = 0; k < n; k++) v[k] = values[idx[k]!]!;
  v.sort();
  const filled = new Int32Array(n);
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const x = values[idx[k]!]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    out[lo + filled[lo]!++] = idx[k]!;
  }
  idx.set(out);
}

/** Number of values in an ascending array that are <= t (binary search). */
export function countAtOrBelow(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
