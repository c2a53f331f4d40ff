/**
 * Does the tuned cascade keep the genuine matches of real iris codes? (run: npx tsx
 * scripts/gallery-cascade-real.ts DATASET [--workers N]). Encodes every image of an iris dataset
 * (manifest.csv or folder-per-eye-class), puts every template in one gallery, and scans each
 * template against it exhaustively and with the cascade. Prints one JSON line: genuine pairs
 * (same eye class, different image) below 0.345 and how many the cascade keeps with their exact
 * result (Wilson 95% interval), the genuine pairs the cascade prunes (their distances), and the
 * share of impostor comparisons it lets through to the full comparison, and the time ratio of the
 * exhaustive to the cascaded scans (WebAssembly kernel, one thread).
 */
import { DEFAULT_CASCADE } from '../src/identity/gallery/kernel.js';
import { GalleryLayout } from '../src/identity/gallery/layout.js';
import { WasmGalleryScanner } from '../src/identity/gallery/scan-wasm.js';
import { loadIrisDataset } from '../src/identity/iris/dataset.js';
import { defaultWorkers, encodeFiles } from '../src/identity/iris/encode-pool.js';
import { DEFAULT_PIPELINE_CONFIG } from '../src/identity/iris/config.js';
import { DEFAULT_MATCH_PARAMS } from '../src/identity/iris/matcher.js';
import { DEFAULT_SHAPE } from '../src/identity/iris/template.js';
import { wilsonInterval } from '../src/ml/evaluation/proportion.js';

const THRESHOLD = 0.345;
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npx tsx scripts/gallery-cascade-real.ts DATASET [--workers N]\n');
  process.exit(2);
}
const w = process.argv.indexOf('--workers');
const items = await loadIrisDataset(dir);
const encoded = await encodeFiles(items.map((i) => i.path), DEFAULT_PIPELINE_CONFIG, w > 0 ? Number(process.argv[w + 1]) : defaultWorkers());
const kept = encoded.flatMap((e) => (e.ok ? [{ template: e.template, eyeClass: items[e.index]!.eyeClass, name: items[e.index]!.name }] : []));
const gallery = new GalleryLayout(DEFAULT_SHAPE, kept.length);
kept.forEach((k) => gallery.append(k.template));
const scanner = new WasmGalleryScanner();
let below = 0;
let keptBelow = 0;
let impostors = 0;
let impostorsThrough = 0;
const pruned: { probe: string; enrolled: string; distance: number }[] = [];
let fullMs = 0;
let cascadeMs = 0;
const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  return [f(), performance.now() - t0];
};
kept.forEach((probe, p) => {
  const [full, f] = timed(() => scanner.scan(gallery, probe.template, DEFAULT_MATCH_PARAMS));
  const [cascaded, c] = timed(() => scanner.scan(gallery, probe.template, DEFAULT_MATCH_PARAMS, { cascadeStages: DEFAULT_CASCADE }));
  fullMs += f;
  cascadeMs += c;
  kept.forEach((other, t) => {
    if (t === p) return;
    if (other.eyeClass !== probe.eyeClass) {
      impostors++;
      if (cascaded[t]!.overlapBits > 0) impostorsThrough++;
      return;
    }
    if (full[t]!.distance >= THRESHOLD) return;
    below++;
    if (cascaded[t]!.distance === full[t]!.distance && cascaded[t]!.rotation === full[t]!.rotation) keptBelow++;
    else pruned.push({ probe: probe.name, enrolled: other.name, distance: full[t]!.distance });
  });
});
const round = (x: number): number => Math.round(x * 1e5) / 1e5;
process.stdout.write(
  JSON.stringify({
    dataset: dir,
    templates: kept.length,
    failedToEncode: items.length - kept.length,
    genuinePairsBelowThreshold: below,
    keptByCascade: keptBelow,
    recall: round(keptBelow / below),
    recallCi: wilsonInterval(keptBelow, below).map(round),
    pruned,
    impostorComparisons: impostors,
    impostorShareThroughCascade: round(impostorsThrough / impostors),
    cascadeSpeedUp: round(fullMs / cascadeMs),
  }) + '\n',
);
