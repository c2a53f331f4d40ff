/**
 * Model version metadata: its shape, its validation (before anything is written), and the
 * content address (version id) computed from the files and the metadata.
 */
import { createHash } from 'node:crypto';
import { IriskError } from '../../lib/errors.js';

/** One input feature of a model, in the order the model expects them. */
export interface FeatureSpec {
  name: string;
  type: 'number';
}

/** What a model was trained on: a fingerprint of the exact rows, their count, and where they came from. */
export interface TrainingDataRef {
  /** sha256 hex of the training data (as the trainer defines it, e.g. of the canonical CSV). */
  fingerprint: string;
  rows: number;
  source?: string;
}

/** A JSON value (finite numbers only) as accepted in params and metrics. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Everything known about a model version besides its files. */
export interface ModelMetadata {
  /** The model line, e.g. "credit-default", "pad": aliases are per line. */
  name: string;
  /** Model family: "xgboost", "logistic", ... */
  kind: string;
  featureSchema: FeatureSpec[];
  trainingData: TrainingDataRef;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** Code that trained it, e.g. `codeVersion()`: "0.1.0+git.1a2b3c4d5e6f". */
  codeVersion: string;
  /** The version this one was derived from (full id), or null. */
  parent: string | null;
  /** ISO 8601 time of registration (not part of the id). */
  createdAt: string;
  /** Who registered it (not part of the id). */
  createdBy: string;
  description?: string;
}

/** Metadata as given to `register`: createdAt/createdBy default to the registry clock and the OS user. */
export type ModelMetadataInput = Omit<ModelMetadata, 'createdAt' | 'createdBy'> & { createdAt?: string; createdBy?: string };

/** One stored file of a version. */
export interface ModelFileEntry {
  name: string;
  sha256: string;
  size: number;
}

/** Plain file names: no directories, no hidden files, not the registry's own metadata.json. */
export const FILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Model line names: lower case, may contain digits, '.', '_' and '-'. */
export const MODEL_NAME_RE = /^[a-z][a-z0-9._-]{0,63}$/;
/** Alias names. Names that could be read as a version-id prefix (8+ hex digits) are refused too. */
export const ALIAS_RE = /^[a-z][a-z0-9_-]{0,63}$/;
/** A full version id: sha256 hex. */
export const VERSION_ID_RE = /^[0-9a-f]{64}$/;
/** The smallest version-id prefix a reference may use. */
export const MIN_PREFIX = 8;
/** The file holding a version's record inside its directory. */
export const METADATA_FILE = 'metadata.json';

const SHA256_RE = /^[0-9a-f]{64}$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const METADATA_KEYS = new Set(['name', 'kind', 'featureSchema', 'trainingData', 'params', 'metrics', 'codeVersion', 'parent', 'createdAt', 'createdBy', 'description']);

/** Throws REGISTRY_INVALID unless `alias` is a valid alias name. */
export function validateAlias(alias: unknown): string {
  if (typeof alias !== 'string' || !ALIAS_RE.test(alias)) {
    throw invalid(`alias "${String(alias)}" is not valid: use lower case letters, digits, '_' and '-', starting with a letter`, { alias });
  }
  if (looksLikeIdPrefix(alias)) throw invalid(`alias "${alias}" could be read as a version id prefix; choose a name that is not ${MIN_PREFIX}+ hex digits`, { alias });
  return alias;
}

/** Throws REGISTRY_INVALID unless `name` is a valid model line name. */
export function validateModelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !MODEL_NAME_RE.test(name)) {
    throw invalid(`${field} "${String(name)}" is not a valid model line name: lower case letters, digits, '.', '_' and '-', starting with a letter`, { field });
  }
  return name;
}

/** Throws REGISTRY_INVALID unless `name` is a plain file name a version may hold. */
export function validateFileName(name: string): string {
  if (!FILE_NAME_RE.test(name) || name === METADATA_FILE) {
    throw invalid(`file name "${name}" is not allowed: plain names only (letters, digits, '.', '_', '-'; no directories, no leading dot, not ${METADATA_FILE})`, { file: name });
  }
  return name;
}

/** True for strings of 8+ lower-case hex digits, which references treat as version ids. */
export function looksLikeIdPrefix(s: string): boolean {
  return s.length >= MIN_PREFIX && /^[0-9a-f]+$/.test(s);
}

/**
 * Validates metadata given to `register` and returns a normalised copy (createdAt as
 * `Date.toISOString()`, defaults filled in). Throws REGISTRY_INVALID naming the first bad field.
 * Checks shape only; that the parent exists is the registry's job.
 */
export function validateMetadata(input: unknown, defaults: { now: Date; user: string }): ModelMetadata {
  if (!isPlainObject(input)) throw invalid('metadata must be an object', { field: 'metadata' });
  for (const k of Object.keys(input)) if (!METADATA_KEYS.has(k)) throw invalid(`metadata has an unknown field "${k}"`, { field: k });
  const m = input as Record<string, unknown>;
  const name = validateModelName(m.name);
  const kind = nonEmptyString(m.kind, 'kind', 64);

  if (!Array.isArray(m.featureSchema)) throw invalid('featureSchema must be an array of { name, type: "number" }', { field: 'featureSchema' });
  const seen = new Set<string>();
  const featureSchema = m.featureSchema.map((f: unknown, i: number): FeatureSpec => {
    const field = `featureSchema[${i}]`;
    if (!isPlainObject(f)) throw invalid(`${field} must be an object { name, type }`, { field });
    for (const k of Object.keys(f)) if (k !== 'name' && k !== 'type') throw invalid(`${field} has an unknown field "${k}"`, { field });
    const fname = nonEmptyString(f.name, `${field}.name`, 256);
    if (f.type !== 'number') throw invalid(`${field}.type must be "number" (got ${JSON.stringify(f.type)})`, { field: `${field}.type` });
    if (seen.has(fname)) throw invalid(`featureSchema names feature "${fname}" twice`, { field });
    seen.add(fname);
    return { name: fname, type: 'number' };
  });

  const td = m.trainingData;
  if (!isPlainObject(td)) throw invalid('trainingData must be an object { fingerprint, rows, source? }', { field: 'trainingData' });
  for (const k of Object.keys(td)) if (!['fingerprint', 'rows', 'source'].includes(k)) throw invalid(`trainingData has an unknown field "${k}"`, { field: `trainingData.${k}` });
  if (typeof td.fingerprint !== 'string' || !SHA256_RE.test(td.fingerprint)) {
    throw invalid('trainingData.fingerprint must be a sha256 hex digest (64 lower-case hex digits)', { field: 'trainingData.fingerprint' });
  }
  if (typeof td.rows !== 'number' || !Number.isSafeInteger(td.rows) || td.rows < 0) throw invalid('trainingData.rows must be a non-negative integer', { field: 'trainingData.rows' });
  const trainingData: TrainingDataRef = { fingerprint: td.fingerprint, rows: td.rows };
  if (td.source !== undefined) trainingData.source = nonEmptyString(td.source, 'trainingData.source', 4096);

  const params = jsonObject(m.params, 'params');
  const metrics = jsonObject(m.metrics, 'metrics');
  const codeVersion = nonEmptyString(m.codeVersion, 'codeVersion', 256);

  let parent: string | null;
  if (m.parent === null) parent = null;
  else if (typeof m.parent === 'string' && VERSION_ID_RE.test(m.parent)) parent = m.parent;
  else throw invalid('parent must be null or a full version id (64 lower-case hex digits)', { field: 'parent' });

  let createdAt: string;
  if (m.createdAt === undefined) createdAt = defaults.now.toISOString();
  else {
    const t = typeof m.createdAt === 'string' && ISO_RE.test(m.createdAt) ? Date.parse(m.createdAt) : NaN;
    if (!Number.isFinite(t)) throw invalid('createdAt must be an ISO 8601 time with a zone, e.g. 2024-03-01T12:00:00Z', { field: 'createdAt' });
    createdAt = new Date(t).toISOString();
  }
  const createdBy = m.createdBy === undefined ? defaults.user : nonEmptyString(m.createdBy, 'createdBy', 256);

  const out: ModelMetadata = { name, kind, featureSchema, trainingData, params, metrics, codeVersion, parent, createdAt, createdBy };
  if (m.description !== undefined) {
    if (typeof m.description !== 'string') throw invalid('description must be a string', { field: 'description' });
    out.description = m.description;
  }
  return out;
}

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The version id: sha256 of a canonical serialisation (sorted keys, no whitespace) of
 * `{ files: [{ name, sha256 }] sorted by name, metadata without createdAt/createdBy }`, prefixed
 * with a format tag. Same files and same metadata give the same id whoever registers them and when.
 */
export function versionId(files: readonly { name: string; sha256: string }[], metadata: ModelMetadata): string {
  const { createdAt: _a, createdBy: _b, ...hashed } = metadata;
  const fileList = [...files].map((f) => ({ name: f.name, sha256: f.sha256 })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sha256Hex('irisk-model-version/1\n' + canonicalJson({ files: fileList, metadata: hashed }));
}

/** JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace; undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson((value as Record<string, unknown>)[k])).join(',') + '}';
  }
  throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
}

function invalid(message: string, details: Record<string, unknown>): IriskError {
  return new IriskError('REGISTRY_INVALID', message, details);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function nonEmptyString(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max || /[\u0000-\u001f]/.test(v)) {
    throw invalid(`${field} must be a non-empty single-line string of at most ${max} characters`, { field });
  }
  return v;
}

/** A plain object of JSON values (finite numbers, no undefined, no class instances), deep-copied. */
function jsonObject(v: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(v)) throw invalid(`${field} must be an object`, { field });
  return checkJson(v, field) as Record<string, unknown>;
}

function checkJson(v: unknown, path: string): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid(`${path} is not a finite number`, { field: path });
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => checkJson(x, `${path}[${i}]`));
  if (isPlainObject(v)) {
    const o: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) throw invalid(`${path}.${k} is undefined (not a JSON value)`, { field: `${path}.${k}` });
      // defineProperty, not assignment: a "__proto__" key stays a plain member.
      Object.defineProperty(o, k, { value: checkJson(x, `${path}.${k}`), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  throw invalid(`${path} is not a JSON value (${typeof v})`, { field: path });
}
