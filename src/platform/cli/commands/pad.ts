/**
 * `irisk pad ...`: train a presentation-attack detector on a dataset with attack presentations and
 * register it; evaluate the detector family by cross-validation (all species seen, and each
 * species left out), or a registered detector on any dataset (for example live eyes only, for
 * their BPCER).
 */
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { silentProgress, terminalProgress } from '../../../lib/progress.js';
import { loadPipelineConfig } from '../../../identity/iris/io.js';
import { loadPadDataset, padDataFingerprint, type PadDataset } from '../../../identity/pad/dataset.js';
import { DEFAULT_PAD_MODEL_REF, openPadDetector, PAD_MODEL_LINE, registerPadDetector } from '../../../identity/pad/detector.js';
import { withReferenceLive } from '../../../identity/pad/domain.js';
import { padCuesBySpecies } from '../../../identity/pad/explain.js';
import { evaluatePadProtocols, scoreWithDetector } from '../../../identity/pad/evaluate.js';
import { writePadEvalReport, writePadModelReport } from '../../../identity/pad/report.js';
import { DEFAULT_TARGET_APCER, fitPadDetector } from '../../../identity/pad/train.js';
import { openRegistry } from '../../../ml/registry/index.js';
import { emit, intOption, numberOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

interface PadCommonOptions extends OutputOptions {
  novelty?: boolean;
  config?: string;
  workers?: string;
  targetApcer: string;
  seed: string;
  dataDir?: string;
}

interface PadTrainOptions extends PadCommonOptions {
  promote?: boolean;
  referenceLive?: string;
}

interface PadEvalOptions extends PadCommonOptions {
  report: string;
  referenceLive?: string;
  folds: string;
  model?: string;
}

const REFERENCE_HELP = 'live captures from the target camera (no attacks needed), trained on as bona fide so that its real live eyes are not taken for attacks';

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** Registers the PAD commands. */
export function registerPadCommands(program: Command): void {
  const pad = program.command('pad').description('Presentation-attack detection: train a detector, evaluate it the ISO/IEC 30107-3 way');
  const common = (c: Command): Command =>
    c
      .option('--target-apcer <x>', 'APCER ceiling (every species) that sets the operating threshold', String(DEFAULT_TARGET_APCER))
      .option('--seed <n>', 'seed for folds and models', '1')
      .option('--novelty', 'add the novelty input (features outside the live range): better against unseen species, but use it only with --reference-live, or real live eyes of another camera are rejected')
      .option('--config <file>', 'pipeline config JSON (segmentation feeds the features)')
      .option('--workers <n>', 'worker threads for encoding (default: the available cores, at most 8)')
      .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
      .option('--json', 'machine-readable output');

  common(
    pad
      .command('train')
      .description('Train a PAD detector (XGBoost over 80 image features) on a dataset whose manifest.csv has a species column, and register it as a version of the "pad" model line')
      .argument('<dataset>', 'dataset folder with live and attack presentations (e.g. from `irisk synth iris --attacks ...`)')
      .option('--promote', 'make it the champion: what `irisk iris encode` uses')
      .option('--reference-live <dir>', REFERENCE_HELP),
  ).action((dataset: string, opts: PadTrainOptions) => run(opts, () => padTrain(dataset, opts)));

  common(
    pad
      .command('eval')
      .description('Evaluate PAD on a dataset: APCER per species, BPCER, BPCER at APCER 1% and 5%, DET curves, leave-one-species-out; or, with --model, a registered detector as it is')
      .argument('<dataset>', 'dataset folder (manifest.csv with a species column; with --model, live eyes alone are fine)')
      .requiredOption('--report <dir>', 'folder for report.json, DET plots and the error gallery (errors.html)')
      .option('--folds <k>', 'cross-validation folds, grouped by subject', '3')
      .option('--model <ref>', `evaluate this registered detector instead of cross-validating (e.g. ${DEFAULT_PAD_MODEL_REF})`)
      .option('--reference-live <dir>', `${REFERENCE_HELP}; on every training side, never scored`),
  ).action((dataset: string, opts: PadEvalOptions) => run(opts, () => padEval(dataset, opts)));
}

/** The dataset, featurised, with progress on the terminal. */
async function featurise(dataset: string, opts: PadCommonOptions, requireAttacks: boolean): Promise<PadDataset> {
  return loadPadDataset(dataset, {
    config: await loadPipelineConfig(opts.config),
    ...(opts.workers !== undefined ? { workers: intOption(opts.workers, '--workers', 1, 64) } : {}),
    progress: opts.json ? silentProgress : terminalProgress(),
    requireAttacks,
  });
}

/** The --reference-live captures, featurised (live eyes only), or null. */
async function featuriseReference(opts: PadCommonOptions & { referenceLive?: string }): Promise<PadDataset | null> {
  return opts.referenceLive === undefined ? null : featurise(opts.referenceLive, opts, false);
}

function targetApcer(opts: PadCommonOptions): number {
  return numberOption(opts.targetApcer, '--target-apcer', 0, 0.5);
}

async function padTrain(dataset: string, opts: PadTrainOptions): Promise<void> {
  const target = targetApcer(opts);
  const seed = intOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
  const ds = await featurise(dataset, opts, true);
  const reference = await featuriseReference(opts);
  const data = reference ? withReferenceLive(ds.data, reference.data) : ds.data;
  const rows = [...Array(data.rows).keys()];
  const fitted = fitPadDetector(data, rows, { targetApcer: target, seed, novelty: opts.novelty === true });
  const registry = await openRegistry(dataDir(opts.dataDir));
  let version: string;
  try {
    version = await registerPadDetector(registry, fitted, {
      fingerprint: padDataFingerprint(ds, [...Array(ds.data.rows).keys()], reference),
      rows: rows.length,
      source: `${ds.dir} (${ds.items.length} presentations: ${ds.species.join(', ')})${reference ? ` + ${reference.items.length} reference live captures from ${reference.dir}` : ''}`,
    });
    if (opts.promote) await registry.promote(version, 'champion', { reason: `irisk pad train: threshold ${fitted.threshold.toFixed(4)} for APCER <= ${target}` });
  } finally {
    registry.close();
  }
  const result = { version, line: PAD_MODEL_LINE, promoted: opts.promote === true, threshold: fitted.threshold, targetApcer: target, presentations: rows.length, referenceLive: reference?.items.length ?? 0, species: ds.species };
  emit(
    opts,
    result,
    [
      `trained on ${rows.length} presentations (${ds.species.join(', ')}); threshold ${fitted.threshold.toFixed(4)} keeps every species' out-of-fold APCER <= ${pct(target)}`,
      `registered ${PAD_MODEL_LINE} version ${version}${opts.promote ? ' (champion)' : ''}`,
    ].join('\n'),
  );
}

async function padEval(dataset: string, opts: PadEvalOptions): Promise<void> {
  const target = targetApcer(opts);
  const seed = intOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
  const folds = intOption(opts.folds, '--folds', 2, 20);
  if (opts.model !== undefined) return padEvalModel(dataset, opts.model, opts);
  const ds = await featurise(dataset, opts, true);
  const reference = await featuriseReference(opts);
  const protocols = evaluatePadProtocols(ds.data, ds.species, {
    targetApcer: target,
    seed,
    novelty: opts.novelty === true,
    outerFolds: folds,
    ...(reference ? { reference: reference.data } : {}),
    progress: opts.json ? silentProgress : terminalProgress(),
  });
  const all = reference ? withReferenceLive(ds.data, reference.data) : ds.data;
  const everything = fitPadDetector(all, [...Array(all.rows).keys()], { targetApcer: target, seed, novelty: opts.novelty === true });
  const report = await writePadEvalReport(opts.report, ds, protocols, {
    targetApcer: target,
    folds,
    seed,
    novelty: opts.novelty === true,
    referenceLive: reference ? { dir: reference.dir, captures: reference.items.length } : null,
    keysOn: padCuesBySpecies(everything, ds.data),
  });
  const loo = report.leaveOneOut as Record<string, { apcerAtBpcer: Record<string, number> }>;
  const bpcerAt = report.bpcerAtApcer as Record<string, number>;
  const apcer = report.apcer as Record<string, number>;
  emit(
    opts,
    report,
    [
      `all species seen (${folds}-fold, grouped by subject; thresholds for APCER <= ${pct(target)} chosen in training):`,
      `  APCER ${Object.entries(apcer).map(([s, v]) => `${s} ${pct(v)}`).join(', ')}; BPCER ${pct(report.bpcer as number)}`,
      `  BPCER at APCER 1%: ${pct(bpcerAt['0.01']!)}, at 5%: ${pct(bpcerAt['0.05']!)} (worst species, pooled out-of-fold scores)`,
      `leave one species out, APCER at BPCER 1%: ${Object.entries(loo).map(([s, v]) => `${s} ${pct(Object.values(v.apcerAtBpcer)[0]!)}`).join(', ')}`,
      `report: ${opts.report}/report.json, det-all-seen.png, det-leave-one-out.png, errors.html`,
    ].join('\n'),
  );
}

async function padEvalModel(dataset: string, ref: string, opts: PadEvalOptions): Promise<void> {
  if (opts.targetApcer !== String(DEFAULT_TARGET_APCER)) throw new IriskError('USAGE', '--target-apcer does not apply with --model: the registered detector brings its own threshold');
  const detector = await openPadDetector(dataDir(opts.dataDir), ref);
  const ds = await featurise(dataset, opts, false);
  const report = await writePadModelReport(opts.report, ds, scoreWithDetector(ds.data, detector), { model: detector.version, threshold: detector.threshold });
  const apcer = report.apcer as Record<string, number>;
  emit(
    opts,
    report,
    [
      `detector ${detector.version?.slice(0, 12)} at threshold ${detector.threshold.toFixed(4)} on ${ds.items.length} presentations`,
      `  BPCER ${pct(report.bpcer as number)} (${report.rejectedBonafide} of ${report.bonafide} live eyes rejected as attacks)`,
      ...(Object.keys(apcer).length ? [`  APCER ${Object.entries(apcer).map(([s, v]) => `${s} ${pct(v)}`).join(', ')}`] : []),
      `report: ${opts.report}/report.json, errors.html`,
    ].join('\n'),
  );
}
