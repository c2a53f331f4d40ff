/**
 * `irisk iris ...`: encode an image into a template, compare two images or templates, evaluate a
 * dataset, and show the pipeline config.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { configToJson, DEFAULT_PIPELINE_CONFIG } from '../../../identity/iris/config.js';
import { writeDebugImages } from '../../../identity/iris/debug.js';
import { loadPipelineConfig, loadTemplateOrImage } from '../../../identity/iris/io.js';
import type { EncodeResult, PipelineTrace } from '../../../identity/iris/pipeline.js';
import { padVerdictOf, requireBonaFide } from '../../../identity/pad/check.js';
import { DEFAULT_PAD_MODEL_REF, openPadDetector, type PadVerdict } from '../../../identity/pad/detector.js';
import { dataDir } from './demo.js';
import { maskedFraction, serializeTemplate } from '../../../identity/iris/template.js';
import { compareTemplates } from '../../../identity/iris/wasm-matcher.js';
import { evaluateIrisDataset, summariseReport } from '../../../identity/iris/evaluate.js';
import { terminalProgress } from '../../../lib/progress.js';
import { emit, intOption, numberOption } from '../output.js';
import { run } from '../run.js';

/** Registers the iris commands. */
export function registerIrisCommands(program: Command): void {
  const iris = program.command('iris').description('Iris recognition: encode, compare, evaluate');

  iris
    .command('encode')
    .description('Encode a near-infrared eye image into an iris template (open-iris compatible JSON)')
    .argument('<image>', 'eye image (PNG, JPEG, TIFF, BMP; 8-bit grayscale)')
    .option('-o, --out <file>', 'write the template JSON here instead of standard output')
    .option('--debug-dir <dir>', 'write segmentation, normalised iris and code images here (also on failure)')
    .option('--config <file>', 'pipeline config JSON (see `irisk iris config`)')
    .option('--pad-model <ref>', 'presentation-attack detector to check the capture with', DEFAULT_PAD_MODEL_REF)
    .option('--no-pad', 'skip the presentation-attack check')
    .option('--data-dir <dir>', 'data directory holding the PAD model (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nA capture the PAD model calls an attack is refused with PAD_ATTACK_SUSPECTED (exit 3) and its score;\ntrain and promote a detector with `irisk pad train DATASET --promote`, or pass --no-pad.')
    .action((image: string, opts: { out?: string; debugDir?: string; config?: string; padModel: string; pad: boolean; dataDir?: string; json?: boolean }) =>
      run(opts, async () => {
        const config = await loadPipelineConfig(opts.config);
        let trace: PipelineTrace | null = null;
        try {
          const loaded = await loadTemplateOrImage(image, config, { onTrace: (t) => (trace = t) });
          const result = loaded.fromImage;
          if (!result) throw new IriskError('USAGE', `${image} is already a template; \`irisk iris encode\` takes an eye image`);
          const pad = opts.pad ? await checkPresentation(image, trace!, result, opts.padModel, opts.dataDir) : null;
          const serialized = serializeTemplate(loaded.template);
          if (opts.out) {
            await mkdir(dirname(opts.out), { recursive: true });
            await writeFile(opts.out, JSON.stringify(serialized) + '\n');
          }
          const summary = {
            template: opts.out ? undefined : serialized,
            out: opts.out,
            pupil: result.pupil,
            iris: result.iris,
            quality: result.metrics,
            unmaskedBits: Math.round(maskedFraction(loaded.template) * loaded.template.mask.length),
            timingsMs: result.timings,
            pad,
          };
          if (!opts.out && !opts.json) process.stdout.write(JSON.stringify(serialized) + '\n');
          else
            emit(
              opts,
              summary,
              `template written to ${opts.out}\npupil (${fmtCircle(result.pupil)}), iris (${fmtCircle(result.iris)}), ` +
                `${summary.unmaskedBits} usable bits, visible iris ${(100 * result.metrics.visibleFraction).toFixed(0)}%\n` +
                (pad ? `PAD score ${pad.score.toFixed(3)} < threshold ${pad.threshold.toFixed(3)}: bona fide` : 'PAD check skipped (--no-pad)'),
            );
        } finally {
          if (opts.debugDir && trace) {
            const files = await writeDebugImages(opts.debugDir, trace);
            if (!opts.json) process.stderr.write(`debug images: ${files.join(', ')}\n`);
          }
        }
      }),
    );

  iris
    .command('compare')
    .description('Compare two eye images or templates: fractional Hamming distance over rotations, and the decision')
    .argument('<a>', 'image or template JSON')
    .argument('<b>', 'image or template JSON')
    .option('-t, --threshold <hd>', 'match when the distance is at or below this', '0.345')
    .option('-r, --rotations <n>', 'largest column shift each way (15 = 31 rotations)')
    .option('--normalise <kind>', 'none, daugman or linear (open-iris form)')
    .option('--config <file>', 'pipeline config JSON (used to encode images)')
    .option('--json', 'machine-readable output')
    .action((a: string, b: string, opts: { threshold: string; rotations?: string; normalise?: string; config?: string; json?: boolean }) =>
      run(opts, async () => {
        const config = await loadPipelineConfig(opts.config);
        const threshold = numberOption(opts.threshold, '--threshold', 0, 1);
        const params = { ...config.match };
        if (opts.rotations !== undefined) params.rotations = intOption(opts.rotations, '--rotations', 0, 127);
        if (opts.normalise !== undefined) params.normalisation = normalisationOption(opts.normalise);
        const [ta, tb] = [await loadTemplateOrImage(a, config), await loadTemplateOrImage(b, config)];
        const r = compareTemplates(ta.template, tb.template, params);
        const match = r.overlapBits > 0 && r.distance <= threshold;
        emit(
          opts,
          { ...r, threshold, match },
          `distance ${r.distance.toFixed(4)} at rotation ${r.rotation} over ${r.overlapBits} common bits: ${match ? 'MATCH' : 'NO MATCH'} (threshold ${threshold})`,
        );
      }),
    );

  iris
    .command('eval')
    .description('Evaluate on a dataset (manifest.csv with path,subject,eye or one sub-folder per eye class): EER, FNMR@FMR with intervals, FTE, plots')
    .argument('<dataset>', 'dataset folder')
    .requiredOption('--report <dir>', 'folder for report.json, plots and debug images of the worst pairs')
    .option('--config <file>', 'pipeline config JSON')
    .option('--bootstrap <n>', 'bootstrap replicates for confidence intervals', '1000')
    .option('--seed <s>', 'bootstrap seed', '1')
    .option('--worst <n>', 'worst genuine and best impostor pairs to list with debug images', '10')
    .option('--workers <n>', 'worker threads for encoding (default: the available cores, at most 8)')
    .option('--json', 'print the whole report as JSON')
    .action((dataset: string, opts: { report: string; config?: string; bootstrap: string; seed: string; worst: string; workers?: string; json?: boolean }) =>
      run(opts, async () => {
        const report = await evaluateIrisDataset(dataset, opts.report, {
          config: await loadPipelineConfig(opts.config),
          bootstrapReplicates: intOption(opts.bootstrap, '--bootstrap', 10, 100_000),
          seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
          worstPairs: intOption(opts.worst, '--worst', 0, 1000),
          ...(opts.workers !== undefined ? { workers: intOption(opts.workers, '--workers', 1, 64) } : {}),
          progress: terminalProgress(!opts.json && process.stderr.isTTY === true),
        });
        emit(opts, report, summariseReport(report, join(opts.report, 'report.json')));
      }),
    );

  iris
    .command('config')
    .description('Print the default pipeline config (stages and parameters) as JSON, to copy and edit')
    .action(() => {
      process.stdout.write(JSON.stringify(configToJson(DEFAULT_PIPELINE_CONFIG), null, 2) + '\n');
    });
}

/** The PAD verdict on an encoded capture; throws PAD_ATTACK_SUSPECTED for an attack. */
export async function checkPresentation(image: string, trace: PipelineTrace, result: EncodeResult, ref: string, dir: string | undefined): Promise<PadVerdict & { model: string | null }> {
  const detector = await openPadDetector(dataDir(dir), ref);
  const verdict = padVerdictOf(detector, trace.image!, result, trace);
  requireBonaFide(verdict, image, detector);
  return { ...verdict, model: detector.version };
}

function fmtCircle(c: { x: number; y: number; r: number }): string {
  return `x ${c.x.toFixed(1)}, y ${c.y.toFixed(1)}, r ${c.r.toFixed(1)}`;
}

function normalisationOption(kind: string) {
  switch (kind) {
    case 'none':
      return { kind: 'none' } as const;
    case 'daugman':
      return { kind: 'daugman', typicalBits: 8000 } as const;
    case 'linear':
      return { kind: 'linear', mean: 0.45, gradient: 0.00005 } as const;
    default:
      throw new IriskError('USAGE', `--normalise must be none, daugman or linear (got "${kind}")`);
  }
}
