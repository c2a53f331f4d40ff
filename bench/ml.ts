/**
 * `npm run bench -- ml`: XGBoost training through libxgboost vs the `xgboost` command-line program,
 * TypeScript prediction and TreeSHAP vs libxgboost's own, single-row latency. Every line carries
 * a baseline measured in the same run. Data: a seeded synthetic world of 150,000 x 10 rows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tabularWorld } from '../src/synth/tabular.js';
import { selectRows } from '../src/ml/data/dataset.js';
import { NativeBooster, NativeMatrix } from '../src/ml/models/xgboost/booster.js';
import { XgbModel } from '../src/ml/models/xgboost/model.js';
import { trainXgboost } from '../src/ml/models/xgboost/train.js';
import { percentile, report } from './report.js';

const ROWS = 150_000;
const COLS = 10;
const TREES = 600;
const DEPTH = 4;
const PARAMS = { rounds: TREES, maxDepth: DEPTH, eta: 0.1, nthread: 1, treeMethod: 'hist' as const, seed: 1 };

/** The world as LibSVM text (absent entries are missing values, as NaN is for the C API). */
function libsvm(world: ReturnType<typeof tabularWorld>): string {
  const lines: string[] = new Array(world.rows);
  for (let r = 0; r < world.rows; r++) {
    let line = String(world.labels[r]);
    for (let j = 0; j < world.cols; j++) {
      const v = world.values[r * world.cols + j]!;
      if (!Number.isNaN(v)) line += ` ${j}:${v}`;
    }
    lines[r] = line;
  }
  return lines.join('\n') + '\n';
}

function trainingVsCli(world: ReturnType<typeof tabularWorld>, dir: string): string {
  const ours = trainXgboost(world, PARAMS);
  const dataPath = join(dir, 'train.libsvm');
  writeFileSync(dataPath, libsvm(world));
  const conf = join(dir, 'train.conf');
  const modelOut = join(dir, 'cli.model');
  writeFileSync(
    conf,
    [
      'booster = gbtree',
      'objective = binary:logistic',
      `eta = ${PARAMS.eta}`,
      `max_depth = ${DEPTH}`,
      `num_round = ${TREES}`,
      'nthread = 1',
      'tree_method = hist',
      'save_period = 0',
      `data = "${dataPath}?format=libsvm"`,
      `model_out = "${modelOut}"`,
      'silent = 1',
    ].join('\n') + '\n',
  );
  const t0 = performance.now();
  const cli = spawnSync('xgboost', [conf], { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const cliSeconds = (performance.now() - t0) / 1000;
  if (cli.error || cli.status !== 0) {
    report({ bench: 'ml', metric: 'train_seconds', value: ours.seconds, unit: 's', note: `xgboost CLI unavailable (${cli.error?.message ?? cli.stderr.trim().slice(0, 200)}); install with apt-get install xgboost` });
  } else {
    report({
      bench: 'ml',
      metric: 'train_seconds',
      value: ours.seconds,
      unit: 's',
      baseline: 'xgboost CLI (same data as LibSVM, 1 thread, hist)',
      baselineValue: cliSeconds,
      ratio: ours.seconds / cliSeconds,
      budget: 1.3,
      withinBudget: ours.seconds / cliSeconds <= 1.3,
      note: `${TREES} trees depth ${DEPTH} on ${world.rows}x${world.cols}; ratio = ours / CLI`,
    });
  }
  return ours.modelJson;
}

function batchPrediction(modelJson: string, world: ReturnType<typeof tabularWorld>): void {
  const model = XgbModel.fromJson(modelJson);
  model.margins(selectRows(world, Array.from({ length: 5000 }, (_, i) => i))); // warm-up
  const runs: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    model.margins(world);
    runs.push((performance.now() - t0) / 1000);
  }
  const ts = Math.min(...runs);
  const booster = NativeBooster.load(modelJson);
  booster.setParam('nthread', '1');
  const nativeRuns: number[] = [];
  for (let k = 0; k < 3; k++) {
    const matrix = new NativeMatrix(world.values, world.rows, world.cols); // fresh: no prediction cache
    const t0 = performance.now();
    booster.predict(matrix, 'margin');
    nativeRuns.push((performance.now() - t0) / 1000);
    matrix.free();
  }
  booster.free();
  const native = Math.min(...nativeRuns);
  report({
    bench: 'ml',
    metric: 'predict_rows_per_second',
    value: world.rows / ts,
    unit: 'rows/s',
    baseline: 'libxgboost predict (1 thread)',
    baselineValue: world.rows / native,
    ratio: native / ts,
    budget: 200_000,
    withinBudget: world.rows / ts >= 200_000,
    note: `TypeScript, ${TREES} trees depth ${DEPTH}, one core; ratio = speed vs libxgboost`,
  });
}

function singleRow(modelJson: string, world: ReturnType<typeof tabularWorld>): void {
  const model = XgbModel.fromJson(modelJson);
  const n = 20_000;
  const rows = Array.from({ length: n }, (_, i) => world.values.slice(i * world.cols, (i + 1) * world.cols));
  let sink = 0;
  for (let i = 0; i < n; i++) sink += model.predictRow(rows[i]!);
  const times: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    sink += model.predictRow(rows[i]!);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const booster = NativeBooster.load(modelJson);
  booster.setParam('nthread', '1');
  const nativeTimes: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    const m = new NativeMatrix(rows[i]!, 1, world.cols);
    sink += booster.predict(m, 'margin').values[0]!;
    m.free();
    nativeTimes.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  booster.free();
  const p99 = percentile(times, 0.99);
  const nativeP99 = percentile(nativeTimes, 0.99);
  report({
    bench: 'ml',
    metric: 'single_row_p99_us',
    value: p99,
    unit: 'us',
    baseline: 'libxgboost one-row DMatrix + predict through FFI',
    baselineValue: nativeP99,
    ratio: nativeP99 / p99,
    budget: 50,
    withinBudget: p99 <= 50,
    note: `p50 ${percentile(times, 0.5).toFixed(1)} us; ${Number.isNaN(sink) ? 'NaN!' : 'ok'}`,
  });
}

function treeShap(modelJson: string, world: ReturnType<typeof tabularWorld>): void {
  const model = XgbModel.fromJson(modelJson);
  const sample = selectRows(world, Array.from({ length: 2000 }, (_, i) => i));
  model.contributions(selectRows(world, Array.from({ length: 200 }, (_, i) => i))); // warm-up
  const t0 = performance.now();
  model.contributions(sample);
  const ts = (performance.now() - t0) / sample.rows;
  const booster = NativeBooster.load(modelJson);
  booster.setParam('nthread', '1');
  const matrix = new NativeMatrix(sample.values, sample.rows, sample.cols);
  const t1 = performance.now();
  booster.predict(matrix, 'contribs');
  const native = (performance.now() - t1) / sample.rows;
  matrix.free();
  booster.free();
  report({
    bench: 'ml',
    metric: 'treeshap_ms_per_row',
    value: ts,
    unit: 'ms',
    baseline: 'libxgboost pred_contribs (1 thread)',
    baselineValue: native,
    ratio: native / ts,
    budget: 1,
    withinBudget: ts <= 1,
    note: `${TREES} trees depth ${DEPTH}; ratio = speed vs libxgboost`,
  });
}

/** Runs the ml group. */
export async function benchMl(): Promise<void> {
  const world = tabularWorld({ rows: ROWS, cols: COLS, seed: 2026 });
  const dir = mkdtempSync(join(tmpdir(), 'irisk-bench-ml-'));
  try {
    const modelJson = trainingVsCli(world, dir);
    batchPrediction(modelJson, world);
    singleRow(modelJson, world);
    treeShap(modelJson, world);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
