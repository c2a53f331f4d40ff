/** `irisk synth ...`: seeded synthetic worlds. */
import type { Command } from 'commander';
import { writeIrisWorld } from '../../../synth/iris/index.js';
import { terminalProgress } from '../../../lib/progress.js';
import { emit, intOption, sizeOption } from '../output.js';
import { run } from '../run.js';

/** Registers the synth commands. */
export function registerSynthCommands(program: Command): void {
  const synth = program.command('synth').description('Generate seeded synthetic worlds');
  synth
    .command('iris')
    .description('Near-infrared eye images with ground truth: <out>/images/*.png, <out>/masks/*.png, <out>/manifest.csv')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-s, --subjects <n>', 'number of subjects (each has a left and a right eye)', '10')
    .option('-c, --captures <k>', 'captures per eye', '4')
    .option('--seed <s>', 'random seed: same seed, same world', '1')
    .option('--size <WxH>', 'image size (640x480 default; 320x280 is CASIA-Interval-like)', '640x480')
    .option('--json', 'machine-readable output')
    .action((opts: { out: string; subjects: string; captures: string; seed: string; size: string; json?: boolean }) =>
      run(opts, async () => {
        const { width, height } = sizeOption(opts.size);
        const options = {
          subjects: intOption(opts.subjects, '--subjects', 1, 100_000),
          captures: intOption(opts.captures, '--captures', 1, 1000),
          seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
          width,
          height,
        };
        const res = await writeIrisWorld(opts.out, options, terminalProgress(!opts.json && process.stderr.isTTY === true));
        emit(opts, { ...res, ...options }, `wrote ${res.count} images and ${res.manifestPath}`);
      }),
    );
}
