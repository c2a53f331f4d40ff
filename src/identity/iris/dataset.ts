/**
 * Iris datasets for evaluation: a folder with a manifest.csv (`path,subject,eye`, optional
 * ground-truth circles, an optional `species` column for presentation attacks) or one sub-folder
 * per eye class.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCsv } from '../../lib/csv.js';
import { IriskError } from '../../lib/errors.js';
import type { Circle } from './geometry.js';

/** Ground truth of one capture, where the dataset has it. */
export interface SegmentationTruth {
  readonly pupil: Circle;
  readonly iris: Circle;
}

/** One capture of an eye. `eyeClass` (subject + eye) is the identity a genuine pair shares. */
export interface DatasetItem {
  readonly path: string;
  readonly name: string;
  readonly subject: string;
  readonly eye: string;
  readonly eyeClass: string;
  /**
   * What was presented: `bona_fide` for a live eye (also when the manifest has no `species`
   * column, and for folder datasets), else the attack species (`print`, `screen`, `lens`,
   * `prosthetic`, ...). An attack's subject and eye are the ones it impersonates, if any.
   */
  readonly species: string;
  readonly truth?: SegmentationTruth;
}

/** The species of a live eye. */
export const BONA_FIDE_SPECIES = 'bona_fide';

/** How to load a dataset. */
export interface LoadDatasetOptions {
  /**
   * Keep attack presentations (rows whose `species` is not bona_fide). Off by default, so that
   * recognition evaluations see live eyes only; presentation-attack detection turns it on.
   */
  readonly attacks?: boolean;
}

const IMAGE_EXT = /\.(png|jpe?g|bmp|tiff?|webp)$/i;
const TRUTH_KEYS = ['pupil_x', 'pupil_y', 'pupil_r', 'iris_x', 'iris_y', 'iris_r'] as const;

/**
 * Loads a dataset folder (live eyes only unless `options.attacks`); throws DATASET_INVALID when
 * it is missing, empty or malformed.
 */
export async function loadIrisDataset(dir: string, options: LoadDatasetOptions = {}): Promise<DatasetItem[]> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new IriskError('DATASET_INVALID', `Dataset folder not found: ${dir}`, { dir });
  const manifest = join(root, 'manifest.csv');
  const all = existsSync(manifest) ? await fromManifest(root, manifest) : await fromFolders(root);
  const items = options.attacks ? all : all.filter((i) => i.species === BONA_FIDE_SPECIES);
  if (items.length < 2) throw new IriskError('DATASET_INVALID', `${dir} holds ${items.length} image(s); an evaluation needs at least 2`, { dir });
  return items;
}

async function fromManifest(root: string, manifest: string): Promise<DatasetItem[]> {
  const { header, records } = parseCsv(await readFile(manifest, 'utf8'), manifest);
  for (const col of ['path', 'subject', 'eye']) {
    if (!header.includes(col)) throw new IriskError('DATASET_INVALID', `${manifest} has no "${col}" column (need path,subject,eye)`);
  }
  const hasTruth = TRUTH_KEYS.every((k) => header.includes(k));
  return records.map((r, i) => {
    if (!r.path || !r.subject) throw new IriskError('DATASET_INVALID', `${manifest} line ${i + 2}: empty path or subject`, { line: i + 2 });
    const truth = hasTruth ? parseTruth(r) : undefined;
    return {
      path: join(root, r.path),
      name: r.path,
      subject: r.subject,
      eye: r.eye!,
      eyeClass: `${r.subject}:${r.eye}`,
      species: r.species?.trim() || BONA_FIDE_SPECIES,
      ...(truth ? { truth } : {}),
    };
  });
}

function parseTruth(r: Record<string, string>): SegmentationTruth | undefined {
  const v = TRUTH_KEYS.map((k) => Number(r[k]));
  if (v.some((x) => !Number.isFinite(x)) || r[TRUTH_KEYS[0]] === '') return undefined;
  return { pupil: { x: v[0]!, y: v[1]!, r: v[2]! }, iris: { x: v[3]!, y: v[4]!, r: v[5]! } };
}

async function fromFolders(root: string): Promise<DatasetItem[]> {
  const items: DatasetItem[] = [];
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const files = (await readdir(join(root, e.name))).filter((f) => IMAGE_EXT.test(f)).sort();
    for (const f of files) {
      items.push({ path: join(root, e.name, f), name: `${e.name}/${f}`, subject: e.name, eye: '', eyeClass: e.name, species: BONA_FIDE_SPECIES });
    }
  }
  if (items.length === 0) throw new IriskError('DATASET_INVALID', `${root} has neither a manifest.csv nor sub-folders of images (one per eye class)`);
  return items;
}
