/**
 * `npm run bench -- gallery`: rotation-comparisons per second of the whole-gallery scans (16,384-bit
 * codes with masks, 31 rotations), the plain TypeScript scan being the same-run baseline, and the
 * C speed-of-light reference (bench/c/gallery_scan.c, gcc -O3 -march=native) on a gallery of the
 * same size. Synthetic templates (`irisk synth templates`), so every run scans the same gallery.
 */
import { DEFAULT_MATCH_PARAMS } from '../src/identity/iris/matcher.js';
import { DEFAULT_SHAPE } from '../src/identity/iris/template.js';
import { GalleryLayout } from '../src/identity/gallery/layout.js';
import { scanReference } from '../src/identity/gallery/scan-reference.js';
import { WasmGalleryScanner } from '../src/identity/gallery/scan-wasm.js';
import { ParallelGalleryScanner } from '../src/identity/gallery/scan-parallel.js';
import { availableParallelism } from 'node:os';
import { genuineVariant, syntheticTemplate } from '../src/synth/templates/index.js';
import { runC } from './native.js';
import { report } from './report.js';

const GALLERY = 20_000;
/** Probes of the cascade measurement, each with one genuine variant in the gallery. */
const CASCADE_PROBES = 20;
/** First-band distance ceiling of the cascade. */
const CASCADE = 0.42;
const THRESHOLD = 0.345;
const BUDGET_WASM = 3_000_000;

/** Runs the gallery benchmarks. */
export async function benchGallery(): Promise<void> {
  const gallery = new GalleryLayout(DEFAULT_SHAPE, GALLERY);
  for (let i = 0; i < GALLERY; i++) gallery.append(syntheticTemplate(i, { seed: 2026 }));
  const probe = syntheticTemplate(GALLERY + 1, { seed: 2026 });
  const params = DEFAULT_MATCH_PARAMS;
  const rotations = 2 * params.rotations + 1;
  const rate = (seconds: number, n: number): number => (n * rotations) / seconds;
  const time = (fn: () => void): number => {
    const t0 = performance.now();
    fn();
    return (performance.now() - t0) / 1000;
  };
  const wasm = new WasmGalleryScanner();
  wasm.scan(gallery, probe, params); // warm-up
  const wasmBest = Math.min(...[0, 1, 2].map(() => time(() => wasm.scan(gallery, probe, params))));
  const tsSample = 2_000;
  const sample = new GalleryLayout(DEFAULT_SHAPE, tsSample);
  for (let i = 0; i < tsSample; i++) sample.append(syntheticTemplate(i, { seed: 2026 }));
  const tsSeconds = time(() => scanReference(sample, probe, params));
  const wasmRate = rate(wasmBest, GALLERY);
  const tsRate = rate(tsSeconds, tsSample);
  report({ bench: 'gallery', metric: 'ts_rotation_comparisons_per_second', value: tsRate, unit: '1/s', note: `plain TypeScript scan, ${tsSample} templates x ${rotations} rotations, one core` });
  const cores = Math.min(8, availableParallelism());
  const parallel = new ParallelGalleryScanner(cores);
  try {
    await parallel.scan(gallery, probe, params); // warm-up
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      await parallel.scan(gallery, probe, params);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    const parallelRate = rate(best, GALLERY);
    let bestCascade = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      await parallel.scan(gallery, probe, params, { cascade: CASCADE });
      bestCascade = Math.min(bestCascade, (performance.now() - t0) / 1000);
    }
    report({
      bench: 'gallery',
      metric: 'wasm_parallel_rotation_comparisons_per_second',
      value: parallelRate,
      unit: '1/s',
      baseline: 'the WebAssembly scan on one core (same run)',
      baselineValue: wasmRate,
      ratio: parallelRate / wasmRate,
      note: `${cores} worker threads reading the shared gallery in place; ${GALLERY} templates x ${rotations} rotations, best of 3; single-probe scan ${(best * 1000).toFixed(0)} ms exhaustive, ${(bestCascade * 1000).toFixed(0)} ms with the cascade (${((bestCascade * 1e6) / GALLERY).toFixed(2)} s per million templates)`,
    });
  } finally {
    await parallel.close();
  }
  benchCascade(wasm, gallery, params, wasmRate);
  const c = runC('gallery_scan', ['-march=native'], [String(GALLERY), '3']);
  const cRate = c === null ? null : Number(c);
  if (cRate !== null) {
    report({
      bench: 'gallery',
      metric: 'c_reference_rotation_comparisons_per_second',
      value: cRate,
      unit: '1/s',
      note: `speed-of-light reference: gcc -O3 -march=native, ${GALLERY} templates x ${rotations} rotations, best of 3, one core; WASM / C = ${(wasmRate / cRate).toFixed(2)}`,
    });
  }
  report({
    bench: 'gallery',
    metric: 'wasm_rotation_comparisons_per_second',
    value: wasmRate,
    unit: '1/s',
    budget: BUDGET_WASM,
    withinBudget: wasmRate >= BUDGET_WASM,
    baseline: 'plain TypeScript scan (same gallery, same run)',
    baselineValue: tsRate,
    ratio: wasmRate / tsRate,
    note: `WebAssembly scalar i64 popcount, one call per 16,384 templates; ${GALLERY} templates x ${rotations} rotations, best of 3, one core; ratio = speed-up over TypeScript`,
  });
}

/**
 * The cascade against the exhaustive WebAssembly scan on the same gallery plus one genuine
 * variant per probe (flip rates 0.10-0.30, rotations up to 8 columns): time ratio, share of
 * templates compared in full, and recall of the genuine matches below the threshold.
 */
function benchCascade(wasm: WasmGalleryScanner, base: GalleryLayout, params: typeof DEFAULT_MATCH_PARAMS, fullRate: number): void {
  const gallery = new GalleryLayout(DEFAULT_SHAPE, base.size + CASCADE_PROBES);
  for (let i = 0; i < base.size; i++) gallery.append(syntheticTemplate(i, { seed: 2026 }));
  const probes = Array.from({ length: CASCADE_PROBES }, (_, i) => syntheticTemplate(1_000_000 + i, { seed: 2026 }));
  probes.forEach((p, i) => gallery.append(genuineVariant(p, `bench:${i}`, { flipRate: 0.1 + (0.2 * i) / (CASCADE_PROBES - 1), rotation: (i % 17) - 8 })));
  let fullSeconds = 0;
  let cascadeSeconds = 0;
  let comparedInFull = 0;
  let genuineBelow = 0;
  let kept = 0;
  probes.forEach((probe, i) => {
    let t0 = performance.now();
    const full = wasm.scan(gallery, probe, params);
    fullSeconds += (performance.now() - t0) / 1000;
    t0 = performance.now();
    const cascaded = wasm.scan(gallery, probe, params, { cascade: CASCADE });
    cascadeSeconds += (performance.now() - t0) / 1000;
    comparedInFull += wasm.lastFullComparisons;
    const slot = base.size + i;
    if (full[slot]!.distance < THRESHOLD) {
      genuineBelow++;
      if (cascaded[slot]!.distance === full[slot]!.distance) kept++;
    }
  });
  const rotations = 2 * params.rotations + 1;
  const rate = (gallery.size * rotations * CASCADE_PROBES) / cascadeSeconds;
  report({
    bench: 'gallery',
    metric: 'wasm_cascade_rotation_comparisons_per_second',
    value: rate,
    unit: '1/s',
    baseline: 'the exhaustive WebAssembly scan (same gallery, same run)',
    baselineValue: (gallery.size * rotations * CASCADE_PROBES) / fullSeconds,
    ratio: fullSeconds / cascadeSeconds,
    note: `cascade: first band (a quarter of the bits) <= ${CASCADE}; ${(100 * comparedInFull / (gallery.size * CASCADE_PROBES)).toFixed(2)}% of templates compared in full; recall of genuine matches below ${THRESHOLD}: ${kept}/${genuineBelow}; effective rate counts every template; single-core exhaustive rate earlier in this run ${(fullRate / 1e6).toFixed(2)}M/s`,
  });
}
