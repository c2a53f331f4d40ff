/**
 * The enrolled gallery: 1:N search over every template, and enrolment exactly once per person.
 *
 * Enrolments and deletions run one at a time (an in-process queue; the index file's lock keeps
 * other processes out), and each enrolment searches the gallery as it stands after every earlier
 * one has committed: of two concurrent enrolments of one person, the second finds the first and
 * fails with DUPLICATE naming them. A person is acknowledged only once their row is committed
 * (see store.ts), and deleted persons leave search and disk before `delete` returns.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IriskError } from '../../lib/errors.js';
import { matchPacked, packTemplate, type MatchResult } from '../iris/matcher.js';
import { DEFAULT_PIPELINE_CONFIG } from '../iris/config.js';
import { maskedFraction, type IrisTemplate, type TemplateShape } from '../iris/template.js';
import { DEFAULT_DUPLICATE_POLICY, duplicatesOf, isMatch, type DuplicateMatch, type DuplicatePolicy } from './duplicates.js';
import { createGalleryKernel, DEFAULT_CASCADE, type CascadeStage, type KernelKind, type ScanOptions } from './kernel.js';
import { templateCells, type GalleryLayout } from './layout.js';
import { ParallelGalleryScanner } from './scan-parallel.js';
import { openGalleryStore, personExists, personNotFound, type EnrolledPerson, type GalleryStore } from './store.js';

/** How a gallery is opened. */
export interface GalleryOptions {
  /** Shape of a new gallery's templates (default: the pipeline's 16x256x2). */
  readonly shape?: TemplateShape;
  /** Duplicate rule, threshold, mirror check, match parameters. */
  readonly policy?: Partial<DuplicatePolicy>;
  /** 'single': one thread; 'parallel': worker threads; 'auto' (default): parallel from 20,000 templates on. */
  readonly scanner?: 'auto' | 'single' | 'parallel';
  /** Scan kernel: 'auto' (default: native when built, WebAssembly otherwise), 'native' or 'wasm'. */
  readonly kernel?: KernelKind;
  /**
   * Prune with a cascade before full comparisons: true for the tuned one (DEFAULT_CASCADE: 8x
   * faster, 4,000/4,000 synthetic genuine pairs kept), or stages of one's own. Off by default: an
   * enrolment then compares every template in full.
   */
  readonly cascade?: boolean | readonly CascadeStage[];
}

/** A gallery hit: an enrolled person and the eye a probe matched best. */
export interface SearchHit {
  readonly personId: string;
  readonly enrolledEye: 'left' | 'right';
  readonly distance: number;
  readonly rotation: number;
  readonly overlapBits: number;
  /** Below the policy's threshold. */
  readonly match: boolean;
}

/** What `stats()` reports. */
export interface GalleryStats {
  readonly persons: number;
  readonly templates: number;
  /** Slots of deleted persons (zeroed, still scanned until compaction). */
  readonly erasedSlots: number;
  readonly shape: TemplateShape;
  readonly bytesInMemory: number;
  readonly policy: Omit<DuplicatePolicy, 'params'> & { rotations: number };
  readonly scanner: string;
}

/** Something that scans probes against every slot in one pass (one thread or worker threads). */
interface Scanner {
  /** e.g. 'native x 2 threads'. */
  name(): string;
  scan(layout: GalleryLayout, probes: readonly IrisTemplate[], options: ScanOptions): Promise<MatchResult[][]>;
  close(): Promise<void>;
}

const AUTO_PARALLEL_FROM = 20_000;
const CLOSED = 'closed';
const MAX_PERSON_ID = 256;

/** An open gallery; `close()` when done. */
export class Gallery {
  private readonly persons = new Map<string, EnrolledPerson>();
  private owners: (EnrolledPerson | null)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private scanner: Promise<Scanner> | null = null;
  private scannerName: string | null = null;
  /** The nearest enrolled eye's distance to the left eye of the last duplicate search. */
  private lastNearest: number | null = null;
  /** Set by close(), or when memory could no longer be kept equal to the store: every later call is refused. */
  private unusable: string | null = null;
  readonly policy: DuplicatePolicy;

  private constructor(
    private readonly store: GalleryStore,
    private readonly layout: GalleryLayout,
    persons: readonly EnrolledPerson[],
    private readonly options: GalleryOptions,
    /** Slots cleaned on open (uncommitted or half-deleted templates a crash left). */
    readonly repairedSlots: number,
  ) {
    this.policy = { ...DEFAULT_DUPLICATE_POLICY, ...options.policy };
    this.owners = new Array<EnrolledPerson | null>(layout.size).fill(null);
    for (const p of persons) this.own(p);
  }

  /** True when a gallery has been created under `<dataDir>/gallery`. */
  static existsIn(dataDir: string): boolean {
    return existsSync(join(dataDir, 'gallery', 'index.duckdb'));
  }

  /** Opens (creating when absent) the gallery under `<dataDir>/gallery`. */
  static async open(dataDir: string, options: GalleryOptions = {}): Promise<Gallery> {
    const { store, loaded } = await openGalleryStore(join(dataDir, 'gallery'), options.shape);
    return new Gallery(store, loaded.layout, loaded.persons, options, loaded.repairedSlots);
  }

  /**
   * Enrols a person (left and right templates) unless they are already enrolled under any id:
   * DUPLICATE (details: the matching person id and both eyes' distances) when the policy finds
   * them; PERSON_EXISTS when the id is taken by someone else. Resolves once durable, with the
   * distance of the new left eye to the nearest enrolled eye (the best impostor: a monitor of how
   * crowded the gallery is getting; null in an empty gallery).
   */
  async enroll(personId: string, left: IrisTemplate, right: IrisTemplate): Promise<EnrolledPerson & { nearestDistance: number | null }> {
    checkPersonId(personId);
    this.checkShape(left, 'left');
    this.checkShape(right, 'right');
    checkUsable(left, 'left');
    checkUsable(right, 'right');
    return this.exclusive(async () => {
      const found = await this.duplicates(left, right);
      const nearestDistance = this.lastNearest;
      const [dup] = found;
      if (dup) {
        throw new IriskError('DUPLICATE', `already enrolled as ${dup.personId}${dup.mirrored ? ' (eyes swapped)' : ''}: left ${dup.left.distance.toFixed(3)}, right ${dup.right.distance.toFixed(3)} (threshold ${this.policy.threshold}, ${this.policy.rule.toUpperCase()} rule)`, {
          personId: dup.personId,
          match: dup,
        });
      }
      if (this.persons.has(personId)) throw personExists(personId);
      const slot = this.layout.size;
      this.layout.reserve(2); // nothing after the commit may fail for lack of memory
      const person = await this.store.commitPerson(personId, slot, left, right);
      this.afterCommit(() => {
        this.layout.append(left);
        this.layout.append(right);
        this.own(person);
      });
      return { ...person, nearestDistance };
    });
  }

  /** Enrolled persons that (left, right) matches under the policy, best first. */
  async duplicates(left: IrisTemplate, right: IrisTemplate): Promise<DuplicateMatch[]> {
    this.checkOpen();
    this.checkShape(left, 'left');
    this.checkShape(right, 'right');
    // Under OR both eyes are scanned, in one pass over the gallery.
    const [l, r] = await this.scan(this.policy.rule === 'or' ? [left, right] : [left]);
    const scans = { left: l!, right: r ?? null };
    let nearest: number | null = null;
    l!.forEach((m, slot) => {
      if (this.owners[slot] && m.overlapBits > 0 && (nearest === null || m.distance < nearest)) nearest = m.distance;
    });
    this.lastNearest = nearest;
    return duplicatesOf(this.layout, { owner: (s) => this.owners[s] ?? null }, { left: packTemplate(left), right: packTemplate(right) }, scans, this.policy);
  }

  /** The `top` enrolled persons closest to one eye's template (either enrolled eye), closest first. */
  async search(probe: IrisTemplate, top = 10): Promise<SearchHit[]> {
    this.checkOpen();
    this.checkShape(probe, 'probe');
    if (!Number.isInteger(top) || top < 1) throw new IriskError('USAGE', `top must be a whole number >= 1 (got ${top})`);
    const [results] = await this.scan([probe]);
    const best = new Map<string, SearchHit>();
    results!.forEach((r, slot) => {
      const p = this.owners[slot];
      if (!p || r.overlapBits === 0) return;
      const prior = best.get(p.personId);
      if (prior && prior.distance <= r.distance) return;
      best.set(p.personId, this.hit(p.personId, slot === p.leftSlot ? 'left' : 'right', r));
    });
    return [...best.values()].sort((a, b) => a.distance - b.distance || (a.personId < b.personId ? -1 : 1)).slice(0, top);
  }

  /**
   * 1:1 verification: `probe` against the enrolled person's `eye` (or, when not given, whichever of
   * their eyes is closer). PERSON_NOT_FOUND when not enrolled.
   */
  verify(personId: string, probe: IrisTemplate, eye?: 'left' | 'right'): SearchHit {
    this.checkOpen();
    this.checkShape(probe, 'probe');
    const person = this.persons.get(personId);
    if (!person) throw personNotFound(personId);
    const packed = packTemplate(probe);
    const eyes = eye ? [eye] : (['left', 'right'] as const);
    let best: SearchHit | null = null;
    for (const e of eyes) {
      const r = matchPacked(packed, this.layout.packedAt(e === 'left' ? person.leftSlot : person.rightSlot), this.policy.params);
      if (!best || r.distance < best.distance) best = this.hit(personId, e, r);
    }
    return best!;
  }

  /** Removes a person from search and from disk; PERSON_NOT_FOUND when not enrolled. */
  delete(personId: string): Promise<void> {
    return this.exclusive(async () => {
      const person = this.persons.get(personId);
      if (!person) throw personNotFound(personId);
      // Committed: gone from search at once, then from the file (an open zeroes what a failure here leaves).
      await this.store.deletePersonRow(person);
      this.afterCommit(() => {
        for (const s of [person.leftSlot, person.rightSlot]) {
          this.owners[s] = null;
          this.layout.erase(s);
        }
        this.persons.delete(personId);
      });
      this.store.eraseSlots([person.leftSlot, person.rightSlot]);
    });
  }

  /** The enrolled person with this id, or undefined. */
  person(personId: string): EnrolledPerson | undefined {
    return this.persons.get(personId);
  }

  /** Ids of every enrolled person, in enrolment order. */
  personIds(): string[] {
    return [...this.persons.values()].sort((a, b) => a.leftSlot - b.leftSlot).map((p) => p.personId);
  }

  /** Counts and settings. */
  stats(): GalleryStats {
    const { params, ...policy } = this.policy;
    return {
      persons: this.persons.size,
      templates: this.layout.size,
      erasedSlots: this.layout.size - 2 * this.persons.size,
      shape: this.layout.shape,
      bytesInMemory: this.layout.size * this.layout.stride * 2,
      policy: { ...policy, rotations: params.rotations },
      scanner: this.scannerName ?? this.scannerKind(),
    };
  }

  /** Stops scan workers and closes the store (after queued enrolments finish); later calls are refused. Idempotent. */
  async close(): Promise<void> {
    if (this.unusable === CLOSED) return;
    const queued = this.queue;
    this.unusable = CLOSED;
    await queued.catch(() => undefined);
    const scanner = await this.scanner?.catch(() => null);
    await scanner?.close();
    this.store.close();
  }

  private hit(personId: string, enrolledEye: 'left' | 'right', r: MatchResult): SearchHit {
    return { personId, enrolledEye, distance: r.distance, rotation: r.rotation, overlapBits: r.overlapBits, match: isMatch(r, this.policy) };
  }

  private own(p: EnrolledPerson): void {
    this.persons.set(p.personId, p);
    this.owners[p.leftSlot] = p;
    this.owners[p.rightSlot] = p;
  }

  private async scan(probes: readonly IrisTemplate[]): Promise<MatchResult[][]> {
    // The promise is kept, so concurrent first scans share one scanner (one pool of workers).
    this.scanner ??= makeScanner(this.scannerKind(), this.options.kernel ?? 'auto', this.policy);
    const scanner = await this.scanner;
    this.scannerName = scanner.name();
    const cascade = this.options.cascade;
    return scanner.scan(this.layout, probes, cascade === undefined || cascade === false ? {} : { cascadeStages: cascade === true ? DEFAULT_CASCADE : cascade });
  }

  private scannerKind(): 'single' | 'parallel' {
    const kind = this.options.scanner ?? 'auto';
    return kind === 'auto' ? (this.layout.size >= AUTO_PARALLEL_FROM ? 'parallel' : 'single') : kind;
  }

  private checkShape(t: IrisTemplate, what: string): void {
    const s = this.layout.shape;
    if (t.rows !== s.rows || t.cols !== s.cols || t.filters !== s.filters) {
      throw new IriskError('TEMPLATE_INCOMPATIBLE', `the ${what} template is ${t.rows}x${t.cols}x${t.filters}; this gallery holds ${s.rows}x${s.cols}x${s.filters} templates`);
    }
  }

  /** Runs `fn` after every earlier enrolment or deletion has finished (refused once the gallery is closed or unusable). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    const guarded = (): Promise<T> => {
      this.checkOpen();
      return fn();
    };
    const run = this.queue.then(guarded, guarded);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Brings memory in line with a committed change; if that fails, the gallery refuses every later call (reopening restores it from the store). */
  private afterCommit(apply: () => void): void {
    try {
      apply();
    } catch (e) {
      this.unusable = `it could not apply a committed change in memory (${(e as Error).message}); reopen it`;
      throw new IriskError('INTERNAL', `the gallery ${this.unusable}`);
    }
  }

  private checkOpen(): void {
    if (this.unusable) throw new IriskError('STORE_UNAVAILABLE', this.unusable === CLOSED ? 'the gallery is closed' : `the gallery is unusable: ${this.unusable}`, { locked: false });
  }
}

async function makeScanner(threads: 'single' | 'parallel', kernel: KernelKind, policy: DuplicatePolicy): Promise<Scanner> {
  if (threads === 'parallel') {
    const pool = new ParallelGalleryScanner({ kernel });
    const name = await pool.ready();
    return { name: () => `${name} x ${pool.size} threads`, scan: (layout, probes, options) => pool.scanMany(layout, probes, policy.params, options), close: () => pool.close() };
  }
  const { kernel: k } = await createGalleryKernel(kernel);
  return {
    name: () => `${k.name} x 1 thread`,
    scan: async (layout, probes, options) => k.scanManyCells(layout, probes.map(templateCells), policy.params, options),
    close: async () => undefined,
  };
}

/** A template with fewer usable bits than the pipeline's quality gate allows (e.g. a blank mask) could never match anyone. */
function checkUsable(t: IrisTemplate, eye: string): void {
  const min = DEFAULT_PIPELINE_CONFIG.params.quality.minUnmaskedBitFraction;
  const usable = maskedFraction(t);
  if (usable < min) {
    throw new IriskError('IRIS_TOO_FEW_BITS', `the ${eye} template has ${(100 * usable).toFixed(1)}% usable bits; enrolment needs ${100 * min}%`, { eye, unmaskedBitFraction: usable });
  }
}

function checkPersonId(id: string): void {
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_PERSON_ID || /[\u0000-\u001f\u007f-\u009f]/.test(id) || lone.test(id)) {
    throw new IriskError('USAGE', `a person id is 1-${MAX_PERSON_ID} printable characters (got ${JSON.stringify(String(id).slice(0, 40))})`);
  }
}
