/**
 * `irisk models import`: registers an XGBoost JSON model trained elsewhere (for example with
 * XGBoost's Python package), with the training data it came from, so it can be gated, promoted and
 * served like a model trained here. The model is read and checked before anything is written.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { readTabularCsv } from '../../../ml/data/tabular-csv.js';
import { parseCalibrator } from '../../../ml/models/calibration.js';
import { scorerFilesFor } from '../../../ml/models/scorer.js';
import { XgbModel } from '../../../ml/models/xgboost/model.js';
import { codeVersion } from '../../../ml/registry/index.js';
import { emit } from '../output.js';
import { withRegistry, type ModelsCommonOptions } from './with-registry.js';

interface ImportOptions extends ModelsCommonOptions {
  model: string;
  name: string;
  trainingCsv: string;
  label: string;
  id?: string;
  calibration?: string;
  description?: string;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new IriskError('FILE_NOT_FOUND', `${what} ${path} does not exist`);
    throw new IriskError('MODEL_INVALID', `${what} ${path} could not be read: ${(e as Error).message}`);
  }
}

/** Adds `import` to `irisk models`. */
export function addImportCommand(models: Command): void {
  models
    .command('import')
    .description('Register an XGBoost JSON model trained elsewhere, with the CSV it was trained on (fingerprint, rows, feature names)')
    .requiredOption('--model <file>', "XGBoost's JSON model (save_model('model.json'))")
    .requiredOption('--name <line>', 'model line to register under (e.g. credit-default)')
    .requiredOption('--training-csv <file>', 'the training data: its columns besides label and id are the features, in order')
    .requiredOption('--label <column>', 'label column of the training CSV')
    .option('--id <column>', 'id column of the training CSV')
    .option('--calibration <file>', 'a calibrator (JSON: {"kind":"platt","a":..,"b":..} or isotonic) applied to margins')
    .option('--description <text>', 'free text stored with the version')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .action((opts: ImportOptions) =>
      withRegistry(opts, async (registry) => {
        const model = XgbModel.fromJson(await readText(opts.model, 'model file'));
        const calibrator = opts.calibration ? parseCalibrator(await readText(opts.calibration, 'calibration file')) : null;
        const data = await readTabularCsv(opts.trainingCsv, { label: opts.label, ...(opts.id !== undefined ? { id: opts.id } : {}) });
        if (data.cols !== model.numFeatures) {
          throw new IriskError('MODEL_INVALID', `the model has ${model.numFeatures} features but ${opts.trainingCsv} has ${data.cols} (${data.featureNames.join(', ')})`);
        }
        const names = model.forest.featureNames;
        if (names && names.some((n, i) => n !== data.featureNames[i])) {
          throw new IriskError('MODEL_INVALID', `the model's feature names (${names.join(', ')}) differ from the CSV's (${data.featureNames.join(', ')})`);
        }
        const result = await registry.register({
          files: scorerFilesFor(model, calibrator),
          metadata: {
            name: opts.name,
            kind: 'xgboost',
            featureSchema: data.featureNames.map((name) => ({ name, type: 'number' as const })),
            trainingData: { fingerprint: data.fingerprint, rows: data.rows, source: opts.trainingCsv },
            params: { label: opts.label, imported: opts.model, trees: model.forest.roots.length },
            metrics: {},
            codeVersion: codeVersion(),
            parent: null,
            ...(opts.description !== undefined ? { description: opts.description } : {}),
          },
        });
        const v = result.version;
        emit(opts, { version: v.id, created: result.created, name: opts.name }, `${result.created ? 'registered' : 'already registered'} ${opts.name} version ${v.id}`);
      }),
    );
}
