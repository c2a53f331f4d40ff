/**
 * `irisk synth templates`: a file of synthetic templates, one JSON record per line (id, the
 * template in open-iris form, and for a genuine variant the template it derives from with its
 * rotation and flip rate), streamed so that a million templates never sit in memory at once.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { silentProgress, type Progress } from '../../lib/progress.js';
import { Rng } from '../../lib/rng.js';
import { serializeTemplate } from '../../identity/iris/template.js';
import { checkInt, usage } from '../options.js';
import { genuineVariant, syntheticTemplate } from './generate.js';

/** What to write. */
export interface TemplateFileOptions {
  count: number;
  seed: number;
  /** Genuine variants per template (default 0). */
  genuine?: number;
  /** Bit-flip rate of the genuine variants (default 0.1). */
  flipRate?: number;
  /** Largest rotation of a genuine variant, in columns either way (default 8). */
  maxRotation?: number;
}

/** Counts written. */
export interface TemplateFileWritten {
  path: string;
  templates: number;
  genuineVariants: number;
}

/** The id of template `i` (zero-padded so that ids sort as indices do). */
export function syntheticTemplateId(i: number): string {
  return `T${String(i).padStart(7, '0')}`;
}

/** Validates the options (USAGE errors naming the option). */
export function resolveTemplateFileOptions(o: TemplateFileOptions): Required<TemplateFileOptions> {
  const flipRate = o.flipRate ?? 0.1;
  if (!(flipRate >= 0 && flipRate <= 0.5)) throw usage(`flip rate must be from 0 to 0.5, got ${flipRate}`);
  return {
    count: checkInt('count', o.count, 1, 100_000_000),
    seed: checkInt('seed', o.seed, 0, 2 ** 32 - 1),
    genuine: checkInt('genuine', o.genuine ?? 0, 0, 100),
    flipRate,
    maxRotation: checkInt('max rotation', o.maxRotation ?? 8, 0, 128),
  };
}

/** Writes the templates (and their genuine variants right after each) to `path` as NDJSON. */
export async function writeTemplateFile(path: string, options: TemplateFileOptions, progress: Progress = silentProgress): Promise<TemplateFileWritten> {
  const o = resolveTemplateFileOptions(options);
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([e]) => {
    throw e;
  });
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
  };
  progress.start(o.count, 'templates');
  let genuineVariants = 0;
  try {
    for (let i = 0; i < o.count; i++) {
      const id = syntheticTemplateId(i);
      const base = syntheticTemplate(i, { seed: o.seed });
      await write(JSON.stringify({ id, template: serializeTemplate(base) }) + '\n');
      const rng = new Rng(`rotations:${o.seed}:${i}`);
      for (let k = 0; k < o.genuine; k++) {
        const rotation = rng.int(-o.maxRotation, o.maxRotation);
        const variant = genuineVariant(base, `${o.seed}:${i}:${k}`, { flipRate: o.flipRate, rotation });
        await write(JSON.stringify({ id: `${id}-g${k + 1}`, genuineOf: id, rotation, flipRate: o.flipRate, template: serializeTemplate(variant) }) + '\n');
        genuineVariants++;
      }
      progress.tick();
    }
  } finally {
    progress.stop();
    out.end();
  }
  await Promise.race([once(out, 'finish'), failed]);
  return { path, templates: o.count, genuineVariants };
}
