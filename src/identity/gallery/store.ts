/**
 * The gallery on disk, under `<data-dir>/gallery/`:
 *
 * - `templates.bin`: every template's packed cells (as the scan layout holds them), slot after
 *   slot, so loading is one read straight into the shared scan buffer. Written before the commit.
 * - `index.duckdb`: who is enrolled (person id, left slot, right slot, time) and the template
 *   shape. A row committed here is the enrolment; nothing else is.
 *
 * Enrolment: write both templates at the next two slots and fsync, then commit the row. Killed
 * before the commit, the slots hold bytes no row points at: the next open truncates them away.
 * Deletion: commit the row's removal, then overwrite both slots with zeros and fsync. Killed in
 * between, the next open zeroes every slot no row points at. So after any crash the gallery holds
 * exactly the committed enrolments, and a deleted person's templates are gone from the file.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, realpathSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, sqlString, type Database } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import { DEFAULT_SHAPE, type IrisTemplate, type TemplateShape } from '../iris/template.js';
import { GalleryLayout, sharedWords, templateCells } from './layout.js';
import { IO_CHUNK, readIntoShared } from './read-parallel.js';

/** An enrolled person: a left and a right template, at two slots of the layout. */
export interface EnrolledPerson {
  readonly personId: string;
  readonly leftSlot: number;
  readonly rightSlot: number;
  readonly enrolledAt: Date;
}

/** What a store holds once opened. */
export interface LoadedGallery {
  readonly layout: GalleryLayout;
  readonly persons: EnrolledPerson[];
  /** Slots that held uncommitted or deleted templates and were cleaned on this open. */
  readonly repairedSlots: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gallery_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS gallery_persons (person_id VARCHAR PRIMARY KEY, left_slot BIGINT NOT NULL, right_slot BIGINT NOT NULL, enrolled_at TIMESTAMP NOT NULL)`,
];
/** Spare room, as a fraction of the templates loaded, left for enrolments before the first growth. */
const HEADROOM = 0.25;

/** Persistence of one gallery: open with `openGalleryStore`, `close()` when done. */
export class GalleryStore {
  private closed = false;

  private constructor(
    /** The gallery folder (as opened, resolved). */
    private readonly dir: string,
    private readonly db: Database,
    private readonly fd: number,
    /** Path of templates.bin. */
    private readonly path: string,
    readonly shape: TemplateShape,
    /** Bytes per template slot in templates.bin. */
    readonly slotBytes: number,
  ) {}

  /** @internal use `openGalleryStore`. */
  static async open(folder: string, shape: TemplateShape | undefined): Promise<{ store: GalleryStore; loaded: LoadedGallery }> {
    mkdirSync(folder, { recursive: true });
    const dir = realpathSync(folder);
    // DuckDB's lock keeps other processes out; a second open in this process would share its
    // instance and keep a second, diverging layout, so it is refused here.
    if (openDirs.has(dir)) throw new IriskError('STORE_UNAVAILABLE', `the gallery in ${dir} is already open in this process; use that Gallery`, { locked: true, file: dir });
    openDirs.add(dir);
    let db: Database;
    try {
      db = await openDatabase(join(dir, 'index.duckdb'));
    } catch (e) {
      openDirs.delete(dir);
      throw e;
    }
    let fd = -1;
    try {
      for (const sql of SCHEMA) await db.run(sql);
      const stored = await storedShape(db, shape);
      const file = join(dir, 'templates.bin');
      fd = openSync(file, 'a+');
      closeSync(fd);
      fd = openSync(file, 'r+');
      const store = new GalleryStore(dir, db, fd, file, stored, GalleryLayout.wordsFor(stored, 1) * 2);
      return { store, loaded: await store.load() };
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      db.close();
      openDirs.delete(dir);
      throw e;
    }
  }

  /**
   * Makes a person durable at `leftSlot` and `leftSlot + 1` (the next free slots): templates first,
   * then the committing row. PERSON_EXISTS when the id is taken (nothing is changed then).
   */
  async commitPerson(personId: string, leftSlot: number, left: IrisTemplate, right: IrisTemplate, at = new Date()): Promise<EnrolledPerson> {
    this.writeSlots(leftSlot, [templateCells(left), templateCells(right)]);
    try {
      await this.db.run('INSERT INTO gallery_persons VALUES (?, ?, ?, ?)', [personId, leftSlot, leftSlot + 1, at]);
    } catch (e) {
      if (isDuplicateKey(e)) throw personExists(personId);
      throw commitFailed(e);
    }
    return { personId, leftSlot, rightSlot: leftSlot + 1, enrolledAt: at };
  }

  /**
   * Makes many persons durable in one transaction, from slot `firstSlot` on (persons[i] at
   * firstSlot + 2i and + 2i + 1), each eye given as its packed cells (`templateCells`). No
   * duplicate search: for loading a gallery already known to hold each person once (benchmarks,
   * migrations). PERSON_EXISTS when an id is taken (nothing is committed then).
   */
  async commitMany(firstSlot: number, persons: readonly { personId: string; left: Uint16Array; right: Uint16Array }[], at = new Date()): Promise<void> {
    const words = this.slotBytes / 2;
    const cells = new Uint16Array(2 * persons.length * words);
    persons.forEach((p, i) => {
      if (p.left.length !== words || p.right.length !== words) throw new IriskError('TEMPLATE_INCOMPATIBLE', `person ${p.personId}: ${p.left.length} and ${p.right.length} cells per eye, the gallery holds ${words}`);
      cells.set(p.left, 2 * i * words);
      cells.set(p.right, (2 * i + 1) * words);
    });
    this.writeSlots(firstSlot, [cells]);
    const stamp = at.toISOString();
    const rows = persons.map((p, i) => `(${sqlString(p.personId)}, ${firstSlot + 2 * i}, ${firstSlot + 2 * i + 1}, TIMESTAMP '${stamp.slice(0, 23).replace('T', ' ')}')`);
    try {
      await this.db.run(`INSERT INTO gallery_persons VALUES ${rows.join(', ')}`);
    } catch (e) {
      if (isDuplicateKey(e)) throw new IriskError('PERSON_EXISTS', `one of the persons is already enrolled: ${(e as Error).message.split('\n')[0]}`);
      throw commitFailed(e);
    }
  }

  /** Commits a person's removal (PERSON_NOT_FOUND when no row); their slots are then `eraseSlots`' to zero. */
  async deletePersonRow(person: EnrolledPerson): Promise<void> {
    const removed = await this.db.run('DELETE FROM gallery_persons WHERE person_id = ?', [person.personId]);
    if (removed === 0) throw personNotFound(person.personId);
  }

  /** Overwrites slots of templates.bin with zeros and makes that durable. */
  eraseSlots(slots: readonly number[]): void {
    const zeros = new Uint8Array(this.slotBytes);
    ioStep(`erasing slots of ${this.path}`, () => {
      for (const s of slots) writeAll(this.fd, zeros, s * this.slotBytes);
      fdatasyncSync(this.fd);
    });
  }

  /** Closes the index and the template file (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openDirs.delete(this.dir);
    closeSync(this.fd);
    this.db.close();
  }

  /** Reads the committed persons and their templates; truncates uncommitted slots, zeroes orphaned ones. */
  private async load(): Promise<LoadedGallery> {
    // The file is read while the index is queried; slots past the last committed one are dropped after.
    const bytes = fstatSync(this.fd).size;
    const held = Math.floor(bytes / this.slotBytes);
    const words = sharedWords(Math.max(1, Math.ceil(held * (1 + HEADROOM))) * (this.slotBytes / 2));
    const [rows] = await Promise.all([
      this.db.all<{ person_id: string; left_slot: number; right_slot: number; enrolled_at: Date }>('SELECT person_id, left_slot, right_slot, enrolled_at FROM gallery_persons ORDER BY left_slot'),
      readIntoShared(this.path, new Uint8Array(words.buffer, 0, held * this.slotBytes)),
    ]);
    const persons = rows.map((r) => ({ personId: r.person_id, leftSlot: Number(r.left_slot), rightSlot: Number(r.right_slot), enrolledAt: r.enrolled_at }));
    const slots = checkSlots(persons);
    if (held < slots) {
      throw new IriskError('STORE_CORRUPT', `the gallery index names ${slots} template slots but templates.bin holds ${held}: the template file was truncated or replaced`, { slots, held });
    }
    // Repairs: trailing slots holding templates (a cleanly deleted last person's are zero already) and a torn partial slot.
    let repaired = bytes % this.slotBytes === 0 ? 0 : 1;
    for (let t = slots; t < held; t++) if (!wordsZero(words, t * (this.slotBytes / 2), (t + 1) * (this.slotBytes / 2))) repaired++;
    if (bytes !== slots * this.slotBytes) {
      ftruncateSync(this.fd, slots * this.slotBytes);
      words.fill(0, slots * (this.slotBytes / 2), held * (this.slotBytes / 2));
    }
    const layout = GalleryLayout.adopt(this.shape, words, slots);
    const owned = new Uint8Array(slots);
    for (const p of persons) owned[p.leftSlot] = owned[p.rightSlot] = 1;
    const orphans: number[] = [];
    for (let s = 0; s < slots; s++) if (!owned[s] && !isErased(layout, s)) orphans.push(s);
    if (orphans.length > 0) {
      for (const s of orphans) layout.erase(s);
      this.eraseSlots(orphans);
      repaired += orphans.length;
    }
    return { layout, persons, repairedSlots: repaired };
  }

  /** Writes consecutive slots from `first` on (each array a whole number of slots). */
  private writeSlots(first: number, cells: readonly Uint16Array[]): void {
    let at = first * this.slotBytes;
    ioStep(`writing templates to ${this.path}`, () => {
      for (const c of cells) {
        writeAll(this.fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
        at += c.byteLength;
      }
      fdatasyncSync(this.fd);
    });
  }

}

/**
 * Opens (creating when absent) the gallery stored in `dir`, and loads it. A new gallery holds
 * templates of `shape` (default: the pipeline's); an existing one must hold that shape when given.
 * TEMPLATE_INCOMPATIBLE when the stored gallery holds another shape; STORE_UNAVAILABLE when another
 * process has it open; STORE_CORRUPT when its files disagree beyond what a crash can leave.
 */
export function openGalleryStore(dir: string, shape?: TemplateShape): Promise<{ store: GalleryStore; loaded: LoadedGallery }> {
  return GalleryStore.open(dir, shape);
}

/** The shape recorded in the index, recording `shape` (or the default) in a new gallery. */
async function storedShape(db: Database, given: TemplateShape | undefined): Promise<TemplateShape> {
  const row = await db.one<{ value: string }>(`SELECT value FROM gallery_meta WHERE key = 'shape'`);
  const shape = given ?? DEFAULT_SHAPE;
  if (!row) {
    new GalleryLayout(shape, 1); // refuses shapes the scan layout cannot hold
    await db.run(`INSERT INTO gallery_meta VALUES ('shape', ?)`, [JSON.stringify({ rows: shape.rows, cols: shape.cols, filters: shape.filters })]);
    return shape;
  }
  const stored = parseShape(row.value);
  if (given && (stored.rows !== shape.rows || stored.cols !== shape.cols || stored.filters !== shape.filters)) {
    throw new IriskError('TEMPLATE_INCOMPATIBLE', `this gallery holds ${stored.rows}x${stored.cols}x${stored.filters} templates, not ${shape.rows}x${shape.cols}x${shape.filters}`, { stored, given: shape });
  }
  return stored;
}

function parseShape(text: string): TemplateShape {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = null;
  }
  const s = v as TemplateShape | null;
  const ok = (n: unknown): boolean => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 4096;
  if (!s || !ok(s.rows) || !ok(s.cols) || !ok(s.filters)) throw new IriskError('STORE_CORRUPT', `the gallery index records an unreadable template shape: ${text.slice(0, 80)}`);
  return { rows: s.rows, cols: s.cols, filters: s.filters };
}

function isErased(layout: GalleryLayout, slot: number): boolean {
  const { code, mask } = layout.packedAt(slot);
  return code.every((w) => w === 0) && mask.every((w) => w === 0);
}

function wordsZero(words: Uint16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (words[i] !== 0) return false;
  return true;
}

/** Number of slots the index names; STORE_CORRUPT unless every person holds two adjacent slots no one else holds. */
function checkSlots(persons: readonly EnrolledPerson[]): number {
  let slots = 0;
  const seen = new Set<number>();
  for (const p of persons) {
    if (!Number.isSafeInteger(p.leftSlot) || p.leftSlot < 0 || p.rightSlot !== p.leftSlot + 1 || seen.has(p.leftSlot) || seen.has(p.rightSlot)) {
      throw new IriskError('STORE_CORRUPT', `the gallery index gives person ${p.personId} slots ${p.leftSlot} and ${p.rightSlot}: not two adjacent slots of their own`, { personId: p.personId });
    }
    seen.add(p.leftSlot).add(p.rightSlot);
    slots = Math.max(slots, p.rightSlot + 1);
  }
  return slots;
}

/** Runs a file operation; an operating-system error becomes STORE_UNAVAILABLE naming what failed. */
function ioStep(what: string, step: () => void): void {
  try {
    step();
  } catch (e) {
    if (e instanceof IriskError) throw e;
    throw new IriskError('STORE_UNAVAILABLE', `${what} failed: ${(e as Error).message}`, { locked: false });
  }
}

/** A DuckDB primary-key violation (an id already in the index). */
function isDuplicateKey(e: unknown): boolean {
  return /duplicate key|PRIMARY KEY|unique/i.test((e as Error).message);
}

function commitFailed(e: unknown): IriskError {
  if (e instanceof IriskError) return e;
  return new IriskError('STORE_UNAVAILABLE', `committing to the gallery index failed: ${(e as Error).message.split('\n')[0]}`, { locked: false });
}

/** Gallery folders open in this process (resolved paths). */
const openDirs = new Set<string>();

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(IO_CHUNK, bytes.length - done), position + done);
}

/** PERSON_EXISTS for an id already enrolled. */
export function personExists(personId: string): IriskError {
  return new IriskError('PERSON_EXISTS', `person ${personId} is already enrolled; delete them first or choose another id`, { personId });
}

/** PERSON_NOT_FOUND for an id not enrolled. */
export function personNotFound(personId: string): IriskError {
  return new IriskError('PERSON_NOT_FOUND', `no person ${personId} is enrolled`, { personId });
}
