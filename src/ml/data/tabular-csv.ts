/**
 * Reads a numeric CSV into labelled training data: one binary label column, an optional id column,
 * every other named column a float32 feature. Columns with an empty header (a row index written by
 * a data-frame library) are row ids, never features. Every problem is a DATASET_INVALID error that
 * names the line and column.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { IriskError } from '../../lib/errors.js';
import { parseCsvRows } from '../../lib/csv.js';
import type { LabelledData } from './dataset.js';

/** A plain decimal number (no hex, no "Infinity"); values must also fit float32, as XGBoost reads them. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Cell texts read as a missing value. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '?']);

export interface TabularCsvOptions {
  /** Name of the 0/1 label column. */
  label: string;
  /** Name of an id column to keep out of the features. */
  id?: string;
  /**
   * Exactly these feature columns, in this order (a model's feature schema); other columns are
   * ignored. Without it, every named column besides label and id is a feature.
   */
  features?: readonly string[];
  /** Name used in messages (usually the file path). */
  source?: string;
}

/** Training data read from a CSV, with what is needed to fingerprint and describe it. */
export interface TabularCsv extends LabelledData {
  /** Row ids (from the id column, or the unnamed first column, or 1-based line numbers). */
  readonly ids: readonly string[];
  /** Columns left out of the features and why. */
  readonly ignoredColumns: readonly { name: string; reason: string }[];
  /** sha256 of the file's text (UTF-8): the training-data fingerprint recorded with a model. */
  readonly fingerprint: string;
}

function fail(source: string, message: string, details: Record<string, unknown> = {}): never {
  throw new IriskError('DATASET_INVALID', `${source}: ${message}`, details);
}

/** Parses CSV text; see the module comment. */
export function parseTabularCsv(text: string, options: TabularCsvOptions): TabularCsv {
  const source = options.source ?? 'csv';
  if (text.trim() === '') fail(source, 'the file is empty; expected a header line and data rows');
  const { header, rows } = parseCsvRows(text, source);
  if (rows.length === 0) fail(source, 'has a header but no data rows');
  const labelCol = header.indexOf(options.label);
  if (labelCol < 0) fail(source, `has no label column "${options.label}"; columns are: ${header.map((h) => JSON.stringify(h)).join(', ')}`);
  let idCol = -1;
  if (options.id !== undefined) {
    idCol = header.indexOf(options.id);
    if (idCol < 0) fail(source, `has no id column "${options.id}"; columns are: ${header.map((h) => JSON.stringify(h)).join(', ')}`);
    if (idCol === labelCol) fail(source, 'the id column and the label column are the same');
  }
  const ignored: { name: string; reason: string }[] = [];
  const featureCols: number[] = [];
  const seen = new Set<string>();
  if (options.features) {
    const wanted = options.features;
    const missing = wanted.filter((f) => !header.includes(f));
    if (missing.length > 0) fail(source, `lacks the model's feature column(s) ${missing.map((f) => JSON.stringify(f)).join(', ')}`);
    featureCols.push(...wanted.map((f) => header.indexOf(f)));
    header.forEach((name, j) => {
      if (j !== labelCol && !wanted.includes(name)) ignored.push({ name: name || `(column ${j + 1})`, reason: 'not a model feature' });
    });
  }
  header.forEach((name, j) => {
    if (options.features) return;
    if (j === labelCol) return;
    if (j === idCol) return ignored.push({ name, reason: 'id column' });
    if (name === '') {
      if (idCol < 0) idCol = j;
      return ignored.push({ name: `(column ${j + 1})`, reason: 'unnamed column: a row index, not a feature' });
    }
    if (seen.has(name)) fail(source, `column name "${name}" appears twice`);
    seen.add(name);
    featureCols.push(j);
  });
  if (featureCols.length === 0) fail(source, 'has no feature columns besides the label and id');

  const n = rows.length;
  const cols = featureCols.length;
  const values = new Float32Array(n * cols);
  const labels = new Uint8Array(n);
  const ids: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    const line = r + 2;
    const rawLabel = row[labelCol]!.trim();
    const y = Number(rawLabel);
    if (rawLabel === '' || (y !== 0 && y !== 1)) {
      fail(source, `line ${line}: label "${options.label}" is ${JSON.stringify(rawLabel)}; a binary label must be 0 or 1`, { line, column: options.label });
    }
    labels[r] = y;
    ids[r] = idCol >= 0 ? row[idCol]! : String(line - 1);
    for (let j = 0; j < cols; j++) {
      const cell = row[featureCols[j]!]!.trim();
      if (MISSING_TOKENS.has(cell)) {
        values[r * cols + j] = Number.NaN;
        continue;
      }
      const v = DECIMAL.test(cell) ? Number(cell) : Number.NaN;
      if (!Number.isFinite(Math.fround(v))) {
        fail(source, `line ${line}, column "${header[featureCols[j]!]}": ${JSON.stringify(cell.slice(0, 40))} is not a finite number within float32 range (missing values may be empty or NA)`, {
          line,
          column: header[featureCols[j]!],
        });
      }
      values[r * cols + j] = v;
    }
  }
  let positives = 0;
  for (let r = 0; r < n; r++) positives += labels[r]!;
  if (positives === 0 || positives === n) {
    fail(source, `label "${options.label}" has only the value ${positives === 0 ? 0 : 1}; a binary classifier needs both 0 and 1`);
  }
  return {
    rows: n,
    cols,
    values,
    labels,
    featureNames: featureCols.map((j) => header[j]!),
    ids,
    ignoredColumns: ignored,
    fingerprint: createHash('sha256').update(text).digest('hex'),
  };
}

/** Reads and parses a CSV file; FILE_NOT_FOUND when it is not there. */
export async function readTabularCsv(path: string, options: Omit<TabularCsvOptions, 'source'>): Promise<TabularCsv> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IriskError('FILE_NOT_FOUND', `${path} does not exist`);
    if (code === 'EISDIR') throw new IriskError('DATASET_INVALID', `${path} is a directory, not a CSV file`);
    throw new IriskError('DATASET_INVALID', `${path} could not be read: ${(e as Error).message}`);
  }
  return parseTabularCsv(text, { ...options, source: path });
}
