/**
 * How many real live eyes a PAD detector trained on a synthetic world turns away (run: npx tsx
 * scripts/pad-real-bpcer.ts WORLD REAL_LIVE_DIR [--workers N] [--novelty]). The real captures are split by
 * subject into two halves; for each half, a detector is trained on the synthetic world alone and on
 * the world plus the other half as reference live captures (`irisk pad train --reference-live`),
 * and scored on this half, which neither saw. Prints one JSON line: BPCER of each, over all real
 * captures, with 95% Wilson intervals.
 */
import { loadPadDataset, type PadDataset } from '../src/identity/pad/dataset.js';
import { withReferenceLive } from '../src/identity/pad/domain.js';
import { fitPadDetector, padScores, type PadTrainingData } from '../src/identity/pad/train.js';
import { selectRows } from '../src/ml/data/dataset.js';
import { terminalProgress } from '../src/lib/progress.js';
import { wilsonInterval as wilson } from '../src/ml/evaluation/proportion.js';

const [worldDir, realDir] = process.argv.slice(2);
if (!worldDir || !realDir) {
  process.stderr.write('usage: npx tsx scripts/pad-real-bpcer.ts WORLD REAL_LIVE_DIR [--workers N] [--novelty]\n');
  process.exit(2);
}
const w = process.argv.indexOf('--workers');
const workers = w > 0 ? Number(process.argv[w + 1]) : undefined;
const fit = { seed: 1, novelty: process.argv.includes('--novelty') };

/** The rows of one half (by subject) as training data. */
function half(ds: PadDataset, subjects: ReadonlySet<string>): PadTrainingData {
  const rows = ds.items.flatMap((item, r) => (subjects.has(item.subject) ? [r] : []));
  const m = selectRows(ds.data, rows);
  return { ...m, species: rows.map((r) => ds.data.species[r]!), groups: rows.map((r) => ds.data.groups[r]!) };
}


const progress = terminalProgress();
const world = await loadPadDataset(worldDir, { requireAttacks: true, progress, ...(workers ? { workers } : {}) });
const real = await loadPadDataset(realDir, { progress, ...(workers ? { workers } : {}) });
const subjects = [...new Set(real.items.map((i) => i.subject))].sort();
const halves = [new Set(subjects.filter((_, i) => i % 2 === 0)), new Set(subjects.filter((_, i) => i % 2 === 1))];
const alone = fitPadDetector(world.data, [...Array(world.data.rows).keys()], fit);
const counts = { alone: 0, withReference: 0, n: 0 };
const thresholds: number[] = [];
for (const [k, own] of halves.entries()) {
  const test = half(real, own);
  const reference = half(real, halves[1 - k]!);
  const joined = withReferenceLive(world.data, reference);
  const fitted = fitPadDetector(joined, [...Array(joined.rows).keys()], fit);
  const all = [...Array(test.rows).keys()];
  counts.alone += padScores(alone, test, all).filter((s) => s >= alone.threshold).length;
  counts.withReference += padScores(fitted, test, all).filter((s) => s >= fitted.threshold).length;
  counts.n += test.rows;
  thresholds.push(fitted.threshold);
}
const round = (x: number): number => Math.round(x * 1e4) / 1e4;
process.stdout.write(
  JSON.stringify({
    world: worldDir,
    novelty: fit.novelty,
    real: realDir,
    realCaptures: counts.n,
    realSubjects: subjects.length,
    bpcerWorldAlone: round(counts.alone / counts.n),
    bpcerWorldAloneCi: wilson(counts.alone, counts.n).map(round),
    bpcerWithReference: round(counts.withReference / counts.n),
    bpcerWithReferenceCi: wilson(counts.withReference, counts.n).map(round),
    thresholds: { worldAlone: round(alone.threshold), withReference: thresholds.map(round) },
    protocol: 'real captures split by subject into halves; each half scored by detectors that never saw it (the other half as reference live captures)',
  }) + '\n',
);
