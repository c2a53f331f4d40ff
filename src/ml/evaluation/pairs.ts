/**
 * Comparison scores as the evaluation consumes them. An all-vs-all run over a dataset yields one
 * fractional Hamming distance per pair of captures (lower = more similar). A pair is *genuine* when
 * both captures share an eye class (subject + eye) and *impostor* otherwise (ISO/IEC 19795-1
 * "genuine / impostor attempt" at the comparison level). Subjects matter separately from eye
 * classes because captures of one person are not independent: confidence intervals resample people.
 *
 * The columnar form (`PairScores`) keeps 500k pairs in a few megabytes with no per-pair objects.
 */
import { IriskError } from '../../lib/errors.js';

/** One comparison between captures `a` and `b`, in the row form an evaluation runner may produce. */
export interface ScoredPair {
  a: number;
  b: number;
  classA: string;
  classB: string;
  subjectA: string;
  subjectB: string;
  distance: number;
}

/**
 * Columnar comparison scores: entry k of every array describes pair k. Subject indices are any
 * non-negative integers (they need not be dense). `genuine[k]` is 1 when both sides share an eye
 * class, which implies `subjectA[k] === subjectB[k]`.
 */
export interface PairScores {
  readonly distance: Float64Array;
  readonly subjectA: Int32Array;
  readonly subjectB: Int32Array;
  readonly genuine: Uint8Array;
  /** Optional names for subject indices, for reports and error messages. */
  readonly subjectNames?: readonly string[];
}

/**
 * Converts row-form pairs to columns. Genuine means same eye class (`classA === classB`); subjects
 * are numbered in order of first appearance. Throws DATASET_INVALID when a pair claims one eye class
 * for two different subjects.
 */
export function pairScoresFromPairs(pairs: readonly ScoredPair[]): PairScores {
  const n = pairs.length;
  const distance = new Float64Array(n);
  const subjectA = new Int32Array(n);
  const subjectB = new Int32Array(n);
  const genuine = new Uint8Array(n);
  const ids = new Map<string, number>();
  const names: string[] = [];
  const idOf = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    return id;
  };
  for (let k = 0; k < n; k++) {
    const p = pairs[k]!;
    const same = p.classA === p.classB;
    if (same && p.subjectA !== p.subjectB) {
      throw new IriskError(
        'DATASET_INVALID',
        `Pair #${k} (captures ${p.a} and ${p.b}) shares eye class "${p.classA}" but belongs to subjects "${p.subjectA}" and "${p.subjectB}"; an eye class must belong to one subject`,
        { index: k, classA: p.classA, subjectA: p.subjectA, subjectB: p.subjectB },
      );
    }
    distance[k] = p.distance;
    subjectA[k] = idOf(p.subjectA);
    subjectB[k] = idOf(p.subjectB);
    genuine[k] = same ? 1 : 0;
  }
  return { distance, subjectA, subjectB, genuine, subjectNames: names };
}

/**
 * Accumulates pairs one at a time into growing typed arrays, so a comparison loop over hundreds of
 * thousands of pairs never allocates per pair.
 */
export class PairScoresBuilder {
  private n = 0;
  private distance = new Float64Array(1024);
  private subjectA = new Int32Array(1024);
  private subjectB = new Int32Array(1024);
  private genuine = new Uint8Array(1024);

  /** Number of pairs added so far. */
  get length(): number {
    return this.n;
  }

  /** Adds one comparison; `genuine` means both captures share an eye class. */
  add(distance: number, subjectA: number, subjectB: number, genuine: boolean): void {
    if (this.n === this.distance.length) this.grow();
    const k = this.n++;
    this.distance[k] = distance;
    this.subjectA[k] = subjectA;
    this.subjectB[k] = subjectB;
    this.genuine[k] = genuine ? 1 : 0;
  }

  /** The pairs added so far, trimmed to size (copies, so the builder may keep going). */
  build(subjectNames?: readonly string[]): PairScores {
    const n = this.n;
    return {
      distance: this.distance.slice(0, n),
      subjectA: this.subjectA.slice(0, n),
      subjectB: this.subjectB.slice(0, n),
      genuine: this.genuine.slice(0, n),
      ...(subjectNames ? { subjectNames } : {}),
    };
  }

  private grow(): void {
    const size = this.distance.length * 2;
    this.distance = grown(this.distance, size);
    this.subjectA = grown(this.subjectA, size);
    this.subjectB = grown(this.subjectB, size);
    this.genuine = grown(this.genuine, size);
  }
}

/** A copy of a typed array in a larger one of the same kind. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(arr: T, size: number): T {
  const out = new (arr.constructor as new (length: number) => T)(size);
  out.set(arr as ArrayLike<number>);
  return out;
}
