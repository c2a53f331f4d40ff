/**
 * The model registry: immutable, content-addressed model versions and per-line aliases that move
 * only through an append-only audit log, so "which model version made this decision last March"
 * has one answer.
 *
 * Layout under the data directory:
 *   models/<id>/            the version's files (read-only) and metadata.json (its record)
 *   irisk.duckdb            tables model_versions (the index) and alias_events (the audit log)
 *
 * A version directory is written under a temporary name in models/ and renamed into place, so it
 * is either complete or absent. The index row is inserted after the rename; a crash in between
 * leaves a directory without a row, which the next `register` of the same content verifies and
 * indexes (reporting `repaired: true`).
 */
import { constants as fsConstants, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database, type Row } from '../../lib/duckdb.js';
import { IriskError } from '../../lib/errors.js';
import {
  ALIAS_RE,
  canonicalJson,
  looksLikeIdPrefix,
  METADATA_FILE,
  MIN_PREFIX,
  MODEL_NAME_RE,
  sha256Hex,
  validateAlias,
  validateFileName,
  validateMetadata,
  validateModelName,
  VERSION_ID_RE,
  versionId,
  type ModelFileEntry,
  type ModelMetadata,
  type ModelMetadataInput,
} from './metadata.js';
import { ALIAS_AT_SQL, ALIASES_AT_SQL, CURRENT_ALIAS_SQL, CURRENT_ALIASES_SQL, SCHEMA_SQL } from './schema.js';

/** One file of a stored version, with its path on disk. */
export interface ModelFile extends ModelFileEntry {
  path: string;
}

/** A registered model version. */
export interface ModelVersion {
  /** sha256 hex content address. */
  id: string;
  metadata: ModelMetadata;
  /** Files sorted by name. */
  files: ModelFile[];
  sizeBytes: number;
  /** The version's directory. */
  dir: string;
}

/** One row of the alias audit log. */
export interface AliasEvent {
  seq: number;
  name: string;
  alias: string;
  /** The version the alias pointed to before, or null. */
  from: string | null;
  /** The version it points to after, or null when the alias was retired. */
  to: string | null;
  /** ISO 8601, UTC. */
  at: string;
  reason: string;
  actor: string;
}

/** What an alias pointed to at some time: `event` null = never set by then; `version` null = retired. */
export interface AliasAt {
  name: string;
  alias: string;
  at: string;
  version: string | null;
  event: AliasEvent | null;
}

/** Result of `register`. */
export interface RegisterResult {
  version: ModelVersion;
  /** False when identical content was already registered (the existing version is returned). */
  created: boolean;
  /** True when a half-done earlier registration (directory without index row, or a damaged directory) was completed. */
  repaired?: boolean;
}

/** Result of `promote` / `unsetAlias`. */
export interface AliasChange {
  event: AliasEvent;
  /** False when the alias already pointed there: nothing was appended and `event` is the latest one. */
  changed: boolean;
}

/** Result of `verify`. */
export interface VerifyResult {
  id: string;
  ok: boolean;
  problems: string[];
}

/** Options of `openRegistry`. */
export interface RegistryOptions {
  /** Time source for createdAt and alias events (tests inject explicit times). Default: the system clock. */
  clock?: () => Date;
  /** Default createdBy / actor. Default: `defaultActor()`. */
  user?: string;
}

/** The DuckDB file of a data directory (shared with other stores of the instance). */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'irisk.duckdb');
}

/** $USER, else the OS account name, else "unknown". */
export function defaultActor(): string {
  if (process.env.USER && process.env.USER.trim()) return process.env.USER;
  try {
    const u = userInfo().username;
    if (u) return u;
  } catch {
    // No passwd entry (e.g. an anonymous container uid): fall through.
  }
  return 'unknown';
}

/**
 * Opens the registry of a data directory: creates models/ and the tables if needed, and removes
 * temporary directories left by a crashed registration (those of processes no longer running;
 * the DuckDB file lock we now hold means no other live process is registering). Throws
 * STORE_UNAVAILABLE when the database is locked by another process.
 */
export async function openRegistry(dataDir: string, options: RegistryOptions = {}): Promise<ModelRegistry> {
  const modelsDir = join(dataDir, 'models');
  const db = await openDatabase(databasePath(dataDir));
  try {
    for (const sql of SCHEMA_SQL) await db.run(sql);
    await mkdir(modelsDir, { recursive: true });
    for (const entry of await readdir(modelsDir)) {
      const pid = /^\.tmp-(\d+)-/.exec(entry)?.[1];
      if (pid !== undefined && !processAlive(Number(pid))) await rm(join(modelsDir, entry), { recursive: true, force: true });
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return new ModelRegistry(dataDir, modelsDir, db, options.clock ?? (() => new Date()), options.user ?? defaultActor());
}

/** An open registry. Methods taking `id` want a full id; use `resolve` for references. Call `close()` when done. */
export class ModelRegistry {
  /** Serialises the writing operations of this handle (register, promote, unset). */
  private writing: Promise<unknown> = Promise.resolve();

  /** @internal use `openRegistry`. */
  constructor(
    readonly dataDir: string,
    readonly modelsDir: string,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly user: string,
  ) {}

  /**
   * Registers a version: validates everything (metadata shape, file names, parent exists) before
   * writing anything, then writes the directory atomically and indexes it. Registering identical
   * content again returns the existing version with `created: false` (and its original createdAt).
   */
  register(input: { files: Record<string, Uint8Array | string>; metadata: ModelMetadataInput }): Promise<RegisterResult> {
    return this.exclusive(() => this.registerNow(input));
  }

  /**
   * Resolves a reference to a version: a full id or a prefix of at least 8 hex digits,
   * `NAME@ALIAS` (e.g. credit-default@champion), or a bare alias set on exactly one model line.
   * Errors: MODEL_VERSION_NOT_FOUND, MODEL_ALIAS_NOT_FOUND, MODEL_REF_AMBIGUOUS (with `candidates`),
   * REGISTRY_INVALID (not a reference).
   */
  async resolve(ref: string): Promise<ModelVersion> {
    return this.get(await this.resolveId(ref));
  }

  /** Resolves a reference to a full version id (see `resolve`). */
  async resolveId(ref: string): Promise<string> {
    const r = ref.trim();
    const at = r.indexOf('@');
    if (at >= 0) {
      const name = r.slice(0, at);
      const alias = r.slice(at + 1);
      if (!MODEL_NAME_RE.test(name) || !ALIAS_RE.test(alias)) throw new IriskError('REGISTRY_INVALID', `"${ref}" is not a NAME@ALIAS reference`, { ref });
      const current = await this.currentAlias(name, alias);
      if (current?.to) return current.to;
      const known = (await this.aliases(name)).map((a) => `${a.name}@${a.alias}`);
      throw new IriskError(
        'MODEL_ALIAS_NOT_FOUND',
        current
          ? `${name}@${alias} was retired at ${current.at} (${current.reason})`
          : `model line "${name}" has no alias "${alias}"${known.length ? ` (set: ${known.join(', ')})` : ''}`,
        { ref, name, alias, retiredAt: current?.at ?? null, known },
      );
    }
    const lower = r.toLowerCase();
    if (looksLikeIdPrefix(lower)) {
      const rows = await this.db.all<{ id: string }>('SELECT id FROM model_versions WHERE starts_with(id, ?) ORDER BY id LIMIT 11', [lower]);
      if (rows.length === 1) return rows[0]!.id;
      if (rows.length === 0) throw new IriskError('MODEL_VERSION_NOT_FOUND', `no model version ${lower.length === 64 ? 'has id' : 'id starts with'} ${lower}`, { ref });
      const candidates = rows.slice(0, 10).map((x) => x.id);
      throw new IriskError('MODEL_REF_AMBIGUOUS', `version prefix ${lower} matches ${rows.length > 10 ? 'more than 10' : rows.length} versions; give more digits (${candidates.map((c) => c.slice(0, 16)).join(', ')})`, {
        ref,
        candidates,
      });
    }
    if (ALIAS_RE.test(r)) {
      const rows = (await this.aliases()).filter((a) => a.alias === r);
      if (rows.length === 1) return rows[0]!.version;
      const candidates = rows.map((a) => `${a.name}@${a.alias}`);
      if (rows.length === 0) throw new IriskError('MODEL_ALIAS_NOT_FOUND', `no model line has an alias "${r}" set`, { ref, candidates });
      throw new IriskError('MODEL_REF_AMBIGUOUS', `alias "${r}" is set on ${rows.length} model lines; say which: ${candidates.join(', ')}`, { ref, candidates });
    }
    throw new IriskError(
      'REGISTRY_INVALID',
      `"${ref}" is not a model reference: use a version id (or at least ${MIN_PREFIX} of its leading hex digits), NAME@ALIAS, or an alias`,
      { ref },
    );
  }

  /** A version by full id: its metadata and the paths of its files. Throws MODEL_VERSION_NOT_FOUND. */
  async get(id: string): Promise<ModelVersion> {
    const row = VERSION_ID_RE.test(id) ? await this.db.one('SELECT id, metadata, files, size_bytes FROM model_versions WHERE id = ?', [id]) : undefined;
    if (!row) throw new IriskError('MODEL_VERSION_NOT_FOUND', `no model version has id ${id}`, { id });
    return this.fromRow(row);
  }

  /**
   * The bytes of one file of a version, after checking them against the sha256 and size recorded
   * at registration. Throws REGISTRY_CORRUPT when the file is missing or differs.
   */
  async readFile(id: string, name: string): Promise<Buffer> {
    const version = await this.get(id);
    const file = version.files.find((f) => f.name === name);
    if (!file) {
      throw new IriskError('REGISTRY_INVALID', `version ${id.slice(0, 12)} has no file "${name}" (it has ${version.files.map((f) => f.name).join(', ')})`, { id, file: name });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file.path);
    } catch (e) {
      throw new IriskError('REGISTRY_CORRUPT', `file ${file.path} of model version ${id} is missing or unreadable`, { id, file: name, path: file.path, reason: String(e) });
    }
    const actual = sha256Hex(bytes);
    if (actual !== file.sha256 || bytes.length !== file.size) {
      throw new IriskError('REGISTRY_CORRUPT', `file ${file.path} of model version ${id} was modified after registration (sha256 ${actual}, registered ${file.sha256})`, {
        id,
        file: name,
        path: file.path,
        expected: file.sha256,
        actual,
      });
    }
    return bytes;
  }

  /**
   * Re-checks a whole version on disk: every file's hash and size, no stray files, metadata.json
   * equal to the index, and the id recomputed from the content. Reports problems instead of throwing.
   */
  async verify(id: string): Promise<VerifyResult> {
    const version = await this.get(id);
    return { id, ...(await this.checkDir(version.dir, recordOf(version))) };
  }

  /** Versions, oldest first, optionally of one model line. */
  async list(filter: { name?: string } = {}): Promise<ModelVersion[]> {
    const rows = await this.db.all(
      'SELECT id, metadata, files, size_bytes FROM model_versions WHERE (?::VARCHAR IS NULL OR name = ?::VARCHAR) ORDER BY created_at, id',
      [filter.name ?? null, filter.name ?? null],
    );
    return rows.map((r) => this.fromRow(r));
  }

  /**
   * Points `alias` of the version's model line at the version, appending an event (from = the
   * previous target or null). `reason` is required. Promoting to the current target appends nothing
   * (`changed: false`). Throws REGISTRY_INVALID for a bad alias, empty reason or actor, or a clock
   * earlier than the alias's last event.
   */
  promote(ref: string, alias: string, opts: { reason: string; actor?: string }): Promise<AliasChange> {
    return this.exclusive(async () => {
      validateAlias(alias);
      const reason = requiredText(opts.reason, 'reason');
      const actor = requiredText(opts.actor ?? this.user, 'actor');
      const version = await this.resolve(ref);
      return this.appendEvent(version.metadata.name, alias, version.id, reason, actor);
    });
  }

  /** Retires `alias` of model line `name` (appends an event with to = null). Throws MODEL_ALIAS_NOT_FOUND when it is not set. */
  unsetAlias(name: string, alias: string, opts: { reason: string; actor?: string }): Promise<AliasChange> {
    return this.exclusive(async () => {
      validateModelName(name);
      validateAlias(alias);
      const reason = requiredText(opts.reason, 'reason');
      const actor = requiredText(opts.actor ?? this.user, 'actor');
      const current = await this.currentAlias(name, alias);
      if (!current?.to) throw new IriskError('MODEL_ALIAS_NOT_FOUND', `${name}@${alias} is not set`, { name, alias });
      return this.appendEvent(name, alias, null, reason, actor);
    });
  }

  /** Aliases currently set (one entry per line and alias), optionally of one line. */
  async aliases(name?: string): Promise<{ name: string; alias: string; version: string; since: string; seq: number }[]> {
    const rows = await this.db.all(CURRENT_ALIASES_SQL, [name ?? null, name ?? null]);
    return rows.map(toEvent).map((e) => ({ name: e.name, alias: e.alias, version: e.to!, since: e.at, seq: e.seq }));
  }

  /** The alias audit log in append order, optionally filtered by line and alias. */
  async history(filter: { name?: string; alias?: string } = {}): Promise<AliasEvent[]> {
    const rows = await this.db.all(
      `SELECT seq, name, alias, from_version, to_version, changed_at, reason, actor FROM alias_events
       WHERE (?::VARCHAR IS NULL OR name = ?::VARCHAR) AND (?::VARCHAR IS NULL OR alias = ?::VARCHAR) ORDER BY seq`,
      [filter.name ?? null, filter.name ?? null, filter.alias ?? null, filter.alias ?? null],
    );
    return rows.map(toEvent);
  }

  /** What alias `alias` of line `name` pointed to at time `at` (one query: see ALIAS_AT_SQL). */
  async aliasAt(name: string, alias: string, at: Date): Promise<AliasAt> {
    const row = await this.db.one(ALIAS_AT_SQL, [name, alias, validDate(at)]);
    const event = row ? toEvent(row) : null;
    return { name, alias, at: at.toISOString(), version: event?.to ?? null, event };
  }

  /** `aliasAt` for every (line, alias) with an event at or before `at`, optionally filtered. */
  async aliasesAt(at: Date, filter: { name?: string; alias?: string } = {}): Promise<AliasAt[]> {
    const rows = await this.db.all(ALIASES_AT_SQL, [validDate(at), filter.name ?? null, filter.name ?? null, filter.alias ?? null, filter.alias ?? null]);
    return rows.map(toEvent).map((event) => ({ name: event.name, alias: event.alias, at: at.toISOString(), version: event.to, event }));
  }

  /** Closes the database (releases its lock). */
  close(): void {
    this.db.close();
  }

  // ---------------------------------------------------------------------------------------------

  private async registerNow(input: { files: Record<string, Uint8Array | string>; metadata: ModelMetadataInput }): Promise<RegisterResult> {
    // 1. Validate everything before touching the disk or the database.
    if (typeof input !== 'object' || input === null) throw new IriskError('REGISTRY_INVALID', 'register needs { files, metadata }', {});
    const metadata = validateMetadata(input.metadata, { now: this.clock(), user: this.user });
    const files = input.files;
    if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new IriskError('REGISTRY_INVALID', 'files must be an object { name: content }', { field: 'files' });
    const names = Object.keys(files).sort();
    if (names.length === 0) throw new IriskError('REGISTRY_INVALID', 'a model version needs at least one file', { field: 'files' });
    const contents = new Map<string, Buffer>();
    for (const name of names) {
      validateFileName(name);
      const c: unknown = files[name];
      if (typeof c === 'string') contents.set(name, Buffer.from(c, 'utf8'));
      else if (c instanceof Uint8Array) contents.set(name, Buffer.from(c)); // a copy: the caller may reuse its array
      else throw new IriskError('REGISTRY_INVALID', `file "${name}" must be a string or a Uint8Array`, { file: name });
    }
    const entries: ModelFileEntry[] = names.map((name) => ({ name, sha256: sha256Hex(contents.get(name)!), size: contents.get(name)!.length }));
    const id = versionId(entries, metadata);
    if (metadata.parent !== null && !(await this.exists(metadata.parent))) {
      throw new IriskError('MODEL_VERSION_NOT_FOUND', `parent ${metadata.parent} is not a registered model version`, { field: 'parent', parent: metadata.parent });
    }

    const dir = join(this.modelsDir, id);
    // 2. Already indexed: same content. Make sure the directory is intact (re-write it if not).
    if (await this.exists(id)) {
      const version = await this.get(id);
      const check = await this.checkDir(dir, recordOf(version));
      if (check.ok) return { version, created: false };
      await this.quarantine(dir);
      await this.writeDir(dir, contents, recordOf(version));
      return { version: await this.get(id), created: false, repaired: true };
    }
    // 3. Not indexed. A complete directory from an interrupted registration is kept (with its
    //    original createdAt/createdBy) and indexed; a damaged one is set aside and rewritten.
    let record: StoredRecord = { format: RECORD_FORMAT, id, metadata, files: entries };
    let repaired = false;
    if (existsSync(dir)) {
      const onDisk = await readRecord(dir);
      if (onDisk && onDisk.id === id && validRecordTimes(onDisk) && (await this.checkDir(dir, onDisk)).ok) {
        record = onDisk;
        repaired = true;
      } else {
        await this.quarantine(dir);
        repaired = true;
      }
    }
    if (!existsSync(dir)) await this.writeDir(dir, contents, record);
    // 4. Index it.
    //    ON CONFLICT: another handle on the same file may have indexed the same content meanwhile.
    const m = record.metadata;
    const inserted = await this.db.transaction((db) =>
      db.run(
        `INSERT INTO model_versions (id, name, kind, created_at, created_by, parent, size_bytes, metadata, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [id, m.name, m.kind, new Date(m.createdAt), m.createdBy, m.parent, sizeOf(record.files), JSON.stringify(m), JSON.stringify(record.files)],
      ),
    );
    return { version: await this.get(id), created: inserted > 0, ...(repaired ? { repaired } : {}) };
  }

  private async appendEvent(name: string, alias: string, to: string | null, reason: string, actor: string): Promise<AliasChange> {
    return this.db.transaction(async (db) => {
      const lastRow = await db.one(CURRENT_ALIAS_SQL, [name, alias]);
      const last = lastRow ? toEvent(lastRow) : null;
      const from = last?.to ?? null;
      if (last && from === to) return { event: last, changed: false };
      const now = validDate(this.clock());
      if (last && now.getTime() < Date.parse(last.at)) {
        throw new IriskError('REGISTRY_INVALID', `the clock (${now.toISOString()}) is earlier than the last change of ${name}@${alias} (${last.at}); the audit log only moves forward`, {
          name,
          alias,
          at: now.toISOString(),
          last: last.at,
        });
      }
      const rows = await db.all(
        `INSERT INTO alias_events (name, alias, from_version, to_version, changed_at, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)
         RETURNING seq, name, alias, from_version, to_version, changed_at, reason, actor`,
        [name, alias, from, to, now, reason, actor],
      );
      return { event: toEvent(rows[0]!), changed: true };
    });
  }

  private async currentAlias(name: string, alias: string): Promise<AliasEvent | null> {
    const row = await this.db.one(CURRENT_ALIAS_SQL, [name, alias]);
    return row ? toEvent(row) : null;
  }

  private async exists(id: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 AS x FROM model_versions WHERE id = ?', [id])) !== undefined;
  }

  /** Writes the files and metadata.json into a temporary directory, makes the files read-only, renames it to `dir`. */
  private async writeDir(dir: string, contents: Map<string, Buffer>, record: StoredRecord): Promise<void> {
    const tmp = await mkdtemp(join(this.modelsDir, `.tmp-${process.pid}-`));
    try {
      for (const [name, bytes] of contents) await writeReadOnly(join(tmp, name), bytes);
      await writeReadOnly(join(tmp, METADATA_FILE), Buffer.from(JSON.stringify(record, null, 2) + '\n'));
      await syncDir(tmp);
      await rename(tmp, dir);
      await syncDir(this.modelsDir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      // Another writer renamed the same content-addressed directory into place first: same bytes, fine.
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await this.checkDir(dir, record)).ok) return;
      throw e;
    }
  }

  /** Moves a damaged version directory to models/.corrupt/ (kept for inspection, never deleted). */
  private async quarantine(dir: string): Promise<void> {
    if (!existsSync(dir)) return;
    const target = join(this.modelsDir, '.corrupt');
    await mkdir(target, { recursive: true });
    await rename(dir, join(target, `${dir.slice(this.modelsDir.length + 1)}-${Date.now()}`));
  }

  /** Problems with a version directory compared with its record. */
  private async checkDir(dir: string, record: StoredRecord): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) return { ok: false, problems: [`directory ${dir} is missing`] };
    const expected = new Set([...record.files.map((f) => f.name), METADATA_FILE]);
    for (const entry of await readdir(dir)) if (!expected.has(entry)) problems.push(`unexpected file ${entry}`);
    for (const f of record.files) {
      try {
        const bytes = await readFile(join(dir, f.name));
        if (bytes.length !== f.size || sha256Hex(bytes) !== f.sha256) problems.push(`file ${f.name} differs from its registered sha256`);
      } catch {
        problems.push(`file ${f.name} is missing or unreadable`);
      }
    }
    const onDisk = await readRecord(dir);
    if (!onDisk) problems.push(`${METADATA_FILE} is missing or unreadable`);
    else if (canonicalJson(onDisk) !== canonicalJson(record)) problems.push(`${METADATA_FILE} differs from the index`);
    if (versionId(record.files, record.metadata) !== record.id) problems.push('the id does not match the content (metadata or file list changed)');
    return { ok: problems.length === 0, problems };
  }

  private fromRow(row: Row): ModelVersion {
    const id = String(row.id);
    const metadata = JSON.parse(String(row.metadata)) as ModelMetadata;
    const entries = JSON.parse(String(row.files)) as ModelFileEntry[];
    const dir = join(this.modelsDir, id);
    return { id, metadata, files: entries.map((f) => ({ ...f, path: join(dir, f.name) })), sizeBytes: Number(row.size_bytes), dir };
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.writing.then(task, task);
    this.writing = next.catch(() => undefined);
    return next;
  }
}

// -------------------------------------------------------------------------------------------------

const RECORD_FORMAT = 'irisk-model-version/1';

/** metadata.json: the version's whole record, enough to rebuild its index row. */
interface StoredRecord {
  format: typeof RECORD_FORMAT;
  id: string;
  metadata: ModelMetadata;
  files: ModelFileEntry[];
}

function recordOf(v: ModelVersion): StoredRecord {
  return { format: RECORD_FORMAT, id: v.id, metadata: v.metadata, files: v.files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })) };
}

async function readRecord(dir: string): Promise<StoredRecord | null> {
  try {
    const r = JSON.parse(await readFile(join(dir, METADATA_FILE), 'utf8')) as StoredRecord;
    if (r?.format !== RECORD_FORMAT || typeof r.id !== 'string' || !Array.isArray(r.files) || typeof r.metadata !== 'object') return null;
    return r;
  } catch {
    return null;
  }
}

/** The unhashed fields of a record read from disk (createdAt, createdBy) are well formed. */
function validRecordTimes(r: StoredRecord): boolean {
  try {
    const m = validateMetadata(r.metadata, { now: new Date(0), user: 'unknown' });
    return m.createdAt === r.metadata.createdAt && m.createdBy === r.metadata.createdBy;
  } catch {
    return false;
  }
}

/** True when a process with this id exists (ours included). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sizeOf(files: readonly ModelFileEntry[]): number {
  return files.reduce((s, f) => s + f.size, 0);
}

function toEvent(row: Row): AliasEvent {
  const at = row.changed_at;
  return {
    seq: Number(row.seq),
    name: String(row.name),
    alias: String(row.alias),
    from: row.from_version === null ? null : String(row.from_version),
    to: row.to_version === null ? null : String(row.to_version),
    at: at instanceof Date ? at.toISOString() : String(at),
    reason: String(row.reason),
    actor: String(row.actor),
  };
}

function requiredText(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new IriskError('REGISTRY_INVALID', `${field} is required and must not be empty`, { field });
  return v.trim();
}

function validDate(d: Date): Date {
  if (!(d instanceof Date) || !Number.isFinite(d.getTime())) throw new IriskError('REGISTRY_INVALID', 'invalid time', { field: 'at' });
  return d;
}

async function writeReadOnly(path: string, bytes: Buffer): Promise<void> {
  const fh = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o444);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o444);
}

/** fsync a directory so a rename or new entries survive a crash (best effort: not every platform allows it). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, fsConstants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Directories cannot be fsynced on some platforms (e.g. Windows); the rename itself is still atomic.
  }
}
