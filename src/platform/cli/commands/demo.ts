/**
 * `irisk demo` (what `npm start` runs): a working instance on embedded defaults. It builds a small
 * seeded synthetic iris world under the data directory, encodes and evaluates it, and prints the
 * report's path and headline figures.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { evaluateIrisDataset, summariseReport } from '../../../identity/iris/evaluate.js';
import { terminalProgress } from '../../../lib/progress.js';
import { writeIrisWorld } from '../../../synth/iris/index.js';
import { emit, intOption } from '../output.js';
import { run } from '../run.js';

/** The data directory: --data-dir, else IRISK_DATA_DIR, else ./.irisk. */
export function dataDir(option?: string): string {
  return resolve(option ?? process.env.IRISK_DATA_DIR ?? '.irisk');
}

/** Registers the demo command. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Build a small synthetic iris world, encode and evaluate it, and print the report (what `npm start` runs)')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('-s, --subjects <n>', 'synthetic subjects (two eyes each)', '10')
    .option('-c, --captures <k>', 'captures per eye', '4')
    .option('--seed <s>', 'world seed', '1')
    .option('--json', 'machine-readable output')
    .action((opts: { dataDir?: string; subjects: string; captures: string; seed: string; json?: boolean }) =>
      run(opts, async () => {
        const subjects = intOption(opts.subjects, '--subjects', 2, 10_000);
        const captures = intOption(opts.captures, '--captures', 2, 100);
        const seed = intOption(opts.seed, '--seed', 0, 2 ** 32 - 1);
        const root = join(dataDir(opts.dataDir), 'demo', `iris-s${seed}-${subjects}x${captures}`);
        const world = join(root, 'world');
        const progress = terminalProgress(!opts.json && process.stderr.isTTY === true);
        const log = (m: string): void => {
          if (!opts.json) process.stderr.write(m + '\n');
        };
        if (!existsSync(join(world, 'manifest.csv'))) {
          log(`building a synthetic iris world (${subjects} subjects x 2 eyes x ${captures} captures, seed ${seed}) in ${world}`);
          await writeIrisWorld(world, { subjects, captures, seed }, progress);
        } else log(`reusing the synthetic iris world in ${world}`);
        log('encoding and evaluating it');
        const reportDir = join(root, 'report');
        const report = await evaluateIrisDataset(world, reportDir, { progress, bootstrapReplicates: 500, worstPairs: 5 });
        emit(opts, { world, reportDir, eer: report.eer, failureToEnrollRate: report.failureToEnrollRate, segmentation: report.segmentation }, summariseReport(report, join(reportDir, 'report.json')));
      }),
    );
}
