/**
 * `irisk gallery ...`: enrol a person (left and right eye) exactly once, search the gallery with
 * one eye, show its counts, delete a person. Eyes are given as images (encoded, with the
 * presentation-attack check) or template JSON files.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { IriskError, isIriskError } from '../../../lib/errors.js';
import { Gallery, type GalleryOptions } from '../../../identity/gallery/gallery.js';
import { DEFAULT_DUPLICATE_POLICY } from '../../../identity/gallery/duplicates.js';
import type { KernelKind } from '../../../identity/gallery/kernel.js';
import { loadPipelineConfig, loadTemplateOrImage } from '../../../identity/iris/io.js';
import type { PipelineTrace } from '../../../identity/iris/pipeline.js';
import type { IrisTemplate, TemplateShape } from '../../../identity/iris/template.js';
import { DEFAULT_PAD_MODEL_REF } from '../../../identity/pad/detector.js';
import { emit, intOption, numberOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';
import { checkPresentation } from './iris.js';

interface GalleryCommonOptions extends OutputOptions {
  dataDir?: string;
  wait: string;
}

interface GallerySearchOptions extends GalleryCommonOptions {
  rule: string;
  threshold: string;
  mirror: boolean;
  rotations?: string;
  cascade?: boolean;
  kernel: string;
  config?: string;
  pad: boolean;
  padModel: string;
}

interface GalleryEnrollOptions extends GallerySearchOptions {
  person: string;
}

/** Registers the gallery commands. */
export function registerGalleryCommands(program: Command): void {
  const gallery = program.command('gallery').description('1:N uniqueness: enrol each person once, search every enrolled iris');
  const common = (c: Command): Command =>
    c
      .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk); the gallery lives in <data-dir>/gallery')
      .option('--wait <seconds>', 'how long to wait for another process using the gallery', '30')
      .option('--json', 'machine-readable output');
  const matching = (c: Command): Command =>
    common(c)
      .option('--rule <and|or>', 'duplicate when both eyes match (and) or either (or)', DEFAULT_DUPLICATE_POLICY.rule)
      .option('--threshold <hd>', 'a match is a distance below this', String(DEFAULT_DUPLICATE_POLICY.threshold))
      .option('--no-mirror', 'skip the swapped-eyes check (left compared with enrolled right eyes)')
      .option('--rotations <n>', `largest column shift each way (default ${DEFAULT_DUPLICATE_POLICY.params.rotations}: ${2 * DEFAULT_DUPLICATE_POLICY.params.rotations + 1} rotations)`)
      .option('--cascade', 'prune with the tuned cascade (partial comparisons first; about 8x faster on large galleries; kept every one of 4,000 synthetic genuine pairs, unmeasured on real ones)')
      .option('--kernel <auto|native|wasm>', 'scan kernel: native when built, else WebAssembly (auto)', 'auto')
      .option('--config <file>', 'pipeline config JSON (to encode images)')
      .option('--pad-model <ref>', 'presentation-attack detector for images', DEFAULT_PAD_MODEL_REF)
      .option('--no-pad', 'skip the presentation-attack check on images');

  matching(
    gallery
      .command('enroll')
      .description('Enrol a person unless they are already enrolled (under any id): DUPLICATE (exit 3) names the matching person')
      .requiredOption('--person <id>', 'the new person id')
      .argument('<left>', 'left eye: image or template JSON')
      .argument('<right>', 'right eye: image or template JSON'),
  ).action((left: string, right: string, opts: GalleryEnrollOptions) =>
    run(opts, async () => {
      const [l, r] = [await loadEye(left, opts), await loadEye(right, opts)];
      await withGallery(opts, l, true, async (g) => {
        const p = await g.enroll(opts.person, l, r);
        emit(opts, { enrolled: true, personId: p.personId, persons: g.stats().persons }, `enrolled ${p.personId} (${persons(g.stats().persons)} in the gallery)`);
      });
    }),
  );

  matching(
    gallery
      .command('search')
      .description('The enrolled persons closest to an eye (either enrolled eye); with two eyes, also the duplicate verdict of the rule')
      .argument('<eye>', 'image or template JSON')
      .argument('[right]', 'the right eye, to check a whole person (the first argument is then the left eye)')
      .option('--top <k>', 'how many persons to list', '5'),
  ).action((eye: string, right: string | undefined, opts: GallerySearchOptions & { top: string }) =>
    run(opts, async () => {
      const top = intOption(opts.top, '--top', 1, 10_000);
      const probe = await loadEye(eye, opts);
      const other = right === undefined ? undefined : await loadEye(right, opts);
      await withGallery(opts, probe, false, async (g) => {
        const hits = await g.search(probe, top);
        const duplicates = other === undefined ? undefined : await g.duplicates(probe, other);
        const lines = hits.map((h, i) => `${String(i + 1).padStart(3)}. ${h.personId}  ${h.enrolledEye} eye  distance ${h.distance.toFixed(4)}  rotation ${h.rotation}${h.match ? '  MATCH' : ''}`);
        if (hits.length === 0) lines.push('the gallery is empty');
        if (duplicates) lines.push(duplicates.length === 0 ? `no duplicate (${g.policy.rule.toUpperCase()} rule)` : `DUPLICATE of ${duplicates.map((d) => d.personId + (d.mirrored ? ' (eyes swapped)' : '')).join(', ')}`);
        emit(opts, { hits, ...(duplicates ? { duplicates } : {}), threshold: g.policy.threshold, searched: g.stats().templates }, lines.join('\n'));
      });
    }),
  );

  common(gallery.command('stats').description('Persons, templates, erased slots, shape and memory of the gallery')).action((opts: GalleryCommonOptions) =>
    run(opts, () =>
      withGallery(opts, undefined, false, async (g) => {
        const s = g.stats();
        emit(
          opts,
          { ...s, repairedSlotsOnOpen: g.repairedSlots },
          `${persons(s.persons)}, ${s.templates} templates (${s.erasedSlots} erased slots), ${s.shape.rows}x${s.shape.cols}x${s.shape.filters} codes, ` +
            `${(s.bytesInMemory / 2 ** 20).toFixed(1)} MiB in memory` +
            (g.repairedSlots > 0 ? `\nrepaired ${g.repairedSlots} slots an interrupted enrolment or deletion left` : ''),
        );
      }),
    ),
  );

  common(gallery.command('delete').description('Remove a person from search and from disk').argument('<id>', 'person id')).action((id: string, opts: GalleryCommonOptions) =>
    run(opts, () =>
      withGallery(opts, undefined, false, async (g) => {
        await g.delete(id);
        emit(opts, { deleted: id, persons: g.stats().persons }, `deleted ${id} (${persons(g.stats().persons)} left)`);
      }),
    ),
  );
}

/**
 * Opens the gallery (waiting up to --wait seconds for another process to release it), runs `fn`,
 * closes. Only `create` makes a new gallery (of the shape of `eye`); an existing one must hold that shape.
 */
async function withGallery(opts: GalleryCommonOptions & Partial<GallerySearchOptions>, eye: TemplateShape | undefined, create: boolean, fn: (g: Gallery) => Promise<void>): Promise<void> {
  const options = { ...galleryOptions(opts), ...(eye ? { shape: { rows: eye.rows, cols: eye.cols, filters: eye.filters } } : {}) };
  const deadline = Date.now() + 1000 * numberOption(opts.wait, '--wait', 0, 86_400);
  if (!create && !Gallery.existsIn(dataDir(opts.dataDir))) {
    throw new IriskError('STORE_UNAVAILABLE', `there is no gallery in ${dataDir(opts.dataDir)} yet; enrol someone with \`irisk gallery enroll\` first`, { locked: false });
  }
  let g: Gallery;
  for (;;) {
    try {
      g = await Gallery.open(dataDir(opts.dataDir), options);
      break;
    } catch (e) {
      if (!isIriskError(e, 'STORE_UNAVAILABLE') || e.details.locked !== true || Date.now() >= deadline) throw e;
      await sleep(50 + Math.random() * 100);
    }
  }
  try {
    await fn(g);
  } finally {
    await g.close();
  }
}

function galleryOptions(opts: Partial<GallerySearchOptions>): GalleryOptions {
  const rule = opts.rule ?? DEFAULT_DUPLICATE_POLICY.rule;
  if (rule !== 'and' && rule !== 'or') throw new IriskError('USAGE', `--rule must be "and" or "or" (got "${rule}")`);
  const params = { ...DEFAULT_DUPLICATE_POLICY.params };
  if (opts.rotations !== undefined) params.rotations = intOption(opts.rotations, '--rotations', 0, 60);
  return {
    policy: {
      rule,
      threshold: opts.threshold === undefined ? DEFAULT_DUPLICATE_POLICY.threshold : numberOption(opts.threshold, '--threshold', 0, 1),
      mirror: opts.mirror ?? true,
      params,
    },
    cascade: opts.cascade === true,
    kernel: kernelOption(opts.kernel ?? 'auto'),
  };
}

/** "1 person", "2 persons". */
function persons(n: number): string {
  return `${n} person${n === 1 ? '' : 's'}`;
}

function kernelOption(k: string): KernelKind {
  if (k !== 'auto' && k !== 'native' && k !== 'wasm') throw new IriskError('USAGE', `--kernel must be auto, native or wasm (got "${k}")`);
  return k;
}

/** An eye from a template JSON file, or encoded from an image (refused when PAD calls it an attack, unless --no-pad). */
async function loadEye(path: string, opts: GallerySearchOptions): Promise<IrisTemplate> {
  let trace: PipelineTrace | null = null;
  const loaded = await loadTemplateOrImage(path, await loadPipelineConfig(opts.config), { onTrace: (t) => (trace = t) });
  if (loaded.fromImage && opts.pad) await checkPresentation(path, trace!, loaded.fromImage, opts.padModel, opts.dataDir);
  return loaded.template;
}
