/**
 * `npm run bench -- gallery`: the 1:N search over synthetic galleries, every figure compared with
 * a baseline measured in the same run.
 *
 * 1. Kernel speed on one core (16,384-bit codes with masks, 31 rotations): rotation-comparisons
 *    per second of the plain TypeScript scan (the baseline), the WebAssembly kernel, the native
 *    addon when it loads, and the C speed-of-light reference (bench/c/gallery_scan.c); several
 *    probes per pass against one.
 * 2. Cascade recall: genuine pairs (flip rates 0.05-0.33, rotations -15..15) whose exhaustive
 *    distance is below 0.345, kept by the cascade with their exact result (Wilson 95% interval);
 *    also on codes correlated over 8 and 4 columns instead of 16 (stress tests), and for the
 *    first cascade when a kernel runs it.
 * 3. Search on every core (ParallelGalleryScanner): single-probe latency p50 and p99 against
 *    100,000 and 1,000,000 templates, exhaustive and with the cascade, per kernel; throughput per
 *    probe with 8 probes per pass; the cost of copying the gallery into WebAssembly memory.
 *
 * The 100,000 gallery holds distinct templates; the million is 125,000 distinct templates and 7
 * exact derivations of each (rolls by quarter turns, code complements: `buildSyntheticGallery`),
 * impostors for every probe, which the run checks. Each search probe has one genuine variant
 * enrolled. IRISK_BENCH_GALLERY_QUICK=1 skips the million (2-3 minutes instead of 4-5 here).
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_MATCH_PARAMS, type MatchResult } from '../src/identity/iris/matcher.js';
import { DEFAULT_SHAPE, type IrisTemplate } from '../src/identity/iris/template.js';
import { createGalleryKernel, DEFAULT_CASCADE, type GalleryKernel, type KernelKind, type ScanOptions } from '../src/identity/gallery/kernel.js';
import { GalleryLayout, templateCells } from '../src/identity/gallery/layout.js';
import { scanReference } from '../src/identity/gallery/scan-reference.js';
import { WasmGalleryScanner } from '../src/identity/gallery/scan-wasm.js';
import { ParallelGalleryScanner } from '../src/identity/gallery/scan-parallel.js';
import { buildSyntheticGallery, genuineVariant, syntheticGenuinePairs, syntheticTemplate } from '../src/synth/templates/index.js';
import { runC } from './native.js';
import { percentile, report } from './report.js';
import { wilsonInterval as wilson } from '../src/ml/evaluation/proportion.js';

const SEED = 2026;
const THRESHOLD = 0.345;
const params = DEFAULT_MATCH_PARAMS;
const ROTATIONS = 2 * params.rotations + 1;
/** Templates of the one-core rate measurements (the first slots of the gallery), and of the TypeScript one. */
const RATE_TEMPLATES = 20_000;
const TS_TEMPLATES = 2_000;
/** Search probes, each with a genuine variant enrolled; the exhaustive million scan uses the first 12 (it takes seconds per probe). */
const SEARCH_PROBES = 24;
const EXHAUSTIVE_1M_PROBES = 12;
const PER_PASS = 8;
/** Genuine pairs of the recall measurement, and of each stress test (codes correlated over fewer columns than the generator's 16). */
const RECALL_PAIRS = 4_000;
const STRESS_PAIRS = 2_000;
const STRESS_SMOOTHING = [8, 4];
const DISTINCT = 125_000;
const BUDGET_WASM = 3_000_000;
const BUDGET_NATIVE_SHARE_OF_C = 0.8;
const BUDGET_1M_MS = 1_000;
const BUDGET_RECALL = 0.999;
const FIRST_CASCADE: ScanOptions = { cascade: 0.42 };
const STAGED_CASCADE: ScanOptions = { cascadeStages: DEFAULT_CASCADE };

/** Runs the gallery benchmarks. */
export async function benchGallery(): Promise<void> {
  const quick = process.env.IRISK_BENCH_GALLERY_QUICK === '1';
  const cores = Math.min(8, availableParallelism());
  const probes = Array.from({ length: SEARCH_PROBES }, (_, k) => syntheticTemplate(30_000_000 + k, { seed: SEED }));
  // Genuine variants in slots spread over the first 100,000 (in both galleries), flip rates 0.05-0.30, rotations -15..15.
  const slots = probes.map((_, k) => 7 + k * Math.floor(100_000 / SEARCH_PROBES));
  const overrides = new Map(probes.map((p, k) => [slots[k]!, templateCells(genuineVariant(p, `bench:${k}`, { flipRate: 0.05 + (0.25 * k) / (SEARCH_PROBES - 1), rotation: ((k * 13) % 31) - 15 }))]));
  const t0 = performance.now();
  const count = quick ? 100_000 : 1_000_000;
  const big = await buildSyntheticGallery({ count, distinct: Math.min(count, DISTINCT), seed: SEED, overrides });
  report({ bench: 'gallery', metric: 'gallery_build_seconds', value: (performance.now() - t0) / 1000, unit: 's', note: `${count} templates (${Math.min(count, DISTINCT)} distinct, generated on ${cores} worker threads; the rest derived), ${((count * big.stride * 2) / 2 ** 30).toFixed(2)} GiB of SharedArrayBuffer` });
  const first = (n: number): GalleryLayout => GalleryLayout.view(DEFAULT_SHAPE, big.words, 0, n);

  const native = await createGalleryKernel('native').catch((e: Error) => {
    process.stderr.write(`bench gallery: no native kernel (${e.message})\n`);
    return null;
  });
  await benchRates(first(RATE_TEMPLATES), first(TS_TEMPLATES), probes, native?.kernel ?? null);
  const nativeCascade = native?.kernel.stagedCascade ? STAGED_CASCADE : FIRST_CASCADE;
  await benchRecall(nativeCascade === FIRST_CASCADE && native !== null);
  const kernels: { kind: KernelKind; cascade: ScanOptions }[] = [...(native ? [{ kind: 'native' as const, cascade: nativeCascade }] : []), { kind: 'wasm', cascade: STAGED_CASCADE }];
  for (const size of quick ? [100_000] : [100_000, 1_000_000]) {
    const gallery = size === count ? big : first(size);
    for (const k of kernels) await benchSearch(gallery, DISTINCT, probes, slots, k.kind, k.cascade, cores, size === 1_000_000 ? EXHAUSTIVE_1M_PROBES : SEARCH_PROBES);
  }
  benchCopy(big);
}

/** Seconds `fn` takes (best of `repeats`). */
function bestSeconds(fn: () => unknown, repeats = 3): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** Rotation-comparisons per second of `probes` probes against `templates` templates in `seconds`. */
const rate = (templates: number, seconds: number, probes = 1): number => (templates * probes * ROTATIONS) / seconds;

/** Part 1: one-core speed of each kernel, several probes per pass, and the C reference. */
async function benchRates(gallery: GalleryLayout, sample: GalleryLayout, probes: IrisTemplate[], native: GalleryKernel | null): Promise<void> {
  const probe = templateCells(probes[0]!);
  const many = probes.slice(0, PER_PASS).map(templateCells);
  const tsRate = rate(sample.size, bestSeconds(() => scanReference(sample, probes[0]!, params), 1));
  report({ bench: 'gallery', metric: 'ts_rotation_comparisons_per_second', value: tsRate, unit: '1/s', note: `plain TypeScript scan, ${sample.size} templates x ${ROTATIONS} rotations, one core` });
  const kernelRate = (k: GalleryKernel): { one: number; many: number } => {
    k.scanCells(gallery, probe, params); // warm-up
    return { one: rate(gallery.size, bestSeconds(() => k.scanCells(gallery, probe, params))), many: rate(gallery.size, bestSeconds(() => k.scanManyCells(gallery, many, params), 2), many.length) };
  };
  const wasm = kernelRate(new WasmGalleryScanner());
  const c = runC('gallery_scan', ['-march=native'], [String(gallery.size), '3']);
  const cRate = c === null ? null : Number(c);
  const versusC = (r: number): string => (cRate === null ? '' : `; ${(r / cRate).toFixed(2)} of C`);
  const where = `${gallery.size} templates x ${ROTATIONS} rotations, best of 3, one core`;
  report({
    bench: 'gallery',
    metric: 'wasm_rotation_comparisons_per_second',
    value: wasm.one,
    unit: '1/s',
    budget: BUDGET_WASM,
    withinBudget: wasm.one >= BUDGET_WASM,
    baseline: 'plain TypeScript scan (same run)',
    baselineValue: tsRate,
    ratio: wasm.one / tsRate,
    note: `WebAssembly SIMD (carry-save popcounts); ${where}; ratio = speed-up over TypeScript${versusC(wasm.one)}`,
  });
  report({ bench: 'gallery', metric: `wasm_${PER_PASS}_per_pass_rotation_comparisons_per_second`, value: wasm.many, unit: '1/s', baseline: 'one probe per pass (same run)', baselineValue: wasm.one, ratio: wasm.many / wasm.one, note: `${PER_PASS} probes share each chunk copied into kernel memory; ${where}` });
  if (cRate !== null) report({ bench: 'gallery', metric: 'c_reference_rotation_comparisons_per_second', value: cRate, unit: '1/s', baseline: 'plain TypeScript scan (same run)', baselineValue: tsRate, ratio: cRate / tsRate, note: `speed-of-light reference: gcc -O3 -march=native, ${where}` });
  if (native) {
    const n = kernelRate(native);
    report({
      bench: 'gallery',
      metric: 'native_rotation_comparisons_per_second',
      value: n.one,
      unit: '1/s',
      ...(cRate === null ? {} : { budget: BUDGET_NATIVE_SHARE_OF_C * cRate, withinBudget: n.one >= BUDGET_NATIVE_SHARE_OF_C * cRate, baseline: 'C reference (same run)', baselineValue: cRate, ratio: n.one / cRate }),
      note: `native addon; ${where}; ${(n.one / tsRate).toFixed(1)}x TypeScript, ${(n.one / wasm.one).toFixed(2)}x WebAssembly; budget ${BUDGET_NATIVE_SHARE_OF_C} of C`,
    });
    report({ bench: 'gallery', metric: `native_${PER_PASS}_per_pass_rotation_comparisons_per_second`, value: n.many, unit: '1/s', baseline: 'one probe per pass (same run)', baselineValue: n.one, ratio: n.many / n.one, note: where });
  }
}


/**
 * Recall of `cascade` on genuine pairs: of the pairs whose exhaustive distance is below the
 * threshold, those the cascade returns with exactly that result. Uses the WebAssembly kernel
 * (every kernel passes the same pairs).
 */
function recall(pairs: Awaited<ReturnType<typeof syntheticGenuinePairs>>, cascade: ScanOptions): { kept: number; below: number } {
  const wasm = new WasmGalleryScanner();
  let kept = 0;
  let below = 0;
  for (let j = 0; j < pairs.variants.size; j++) {
    const variant = GalleryLayout.view(DEFAULT_SHAPE, pairs.variants.words, j, j + 1);
    const probe = pairs.probes.words.subarray(j * pairs.probes.stride, (j + 1) * pairs.probes.stride);
    const [full] = wasm.scanCells(variant, probe, params);
    if (full!.distance >= THRESHOLD) continue;
    below++;
    const [cascaded] = wasm.scanCells(variant, probe, params, cascade);
    if (cascaded!.distance === full!.distance && cascaded!.rotation === full!.rotation) kept++;
  }
  return { kept, below };
}

/** Part 2: recall of the staged cascade (and of the first one, when a kernel runs it) on thousands of genuine pairs. */
async function benchRecall(firstCascadeUsed: boolean): Promise<void> {
  const pairs = await syntheticGenuinePairs({ count: RECALL_PAIRS, seed: SEED, first: 40_000_000 });
  const stress = await Promise.all(STRESS_SMOOTHING.map((smoothing) => syntheticGenuinePairs({ count: STRESS_PAIRS, seed: SEED + smoothing, first: 40_000_000, smoothing })));
  const describe = (r: { kept: number; below: number }): string => {
    const [lo, hi] = wilson(r.kept, r.below);
    return `${r.kept}/${r.below} [${lo.toFixed(4)}, ${hi.toFixed(4)}]`;
  };
  const every = (step: number, what: string): string => `${step === 1 ? 'every' : step === 2 ? 'every other' : `every ${step}th`} ${what}`;
  const stages = DEFAULT_CASCADE.map((s) => `${s.bands === 1 ? 'first band' : `first ${s.bands} bands`}, ${every(s.wordStep, 'word')}, ${every(s.shiftStep, 'shift')} <= ${s.ceiling}`).join('; then ');
  for (const [name, cascade, what] of [['cascade', STAGED_CASCADE, `staged cascade (${stages}; then in full)`], ...(firstCascadeUsed ? [['first_cascade', FIRST_CASCADE, 'first cascade (first band, every word and shift, <= 0.42)'] as const] : [])] as const) {
    const main = recall(pairs, cascade);
    const short = stress.map((p, i) => `${STRESS_SMOOTHING[i]} columns ${describe(recall(p, cascade))}`).join(', ');
    report({
      bench: 'gallery',
      metric: `${name}_recall`,
      value: main.kept / main.below,
      unit: 'share',
      budget: BUDGET_RECALL,
      withinBudget: main.kept / main.below >= BUDGET_RECALL,
      note: `${what}: genuine pairs below ${THRESHOLD} kept with their exact result ${describe(main)} (Wilson 95%); ${RECALL_PAIRS} synthetic pairs, flip rates 0.05-0.33, rotations -15..15, codes correlated over 16 columns; stress test, codes correlated over ${short}`,
    });
  }
}

/** Milliseconds per call of `fn` for each element of `items`. */
async function latencies<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, each: (item: T, r: R) => void): Promise<number[]> {
  const out: number[] = [];
  for (const item of items) {
    const t0 = performance.now();
    const r = await fn(item);
    out.push(performance.now() - t0);
    each(item, r);
  }
  return out;
}

/**
 * Part 3: single-probe search latency on every core against `gallery` with one kernel, exhaustive
 * (`exhaustiveProbes` probes) and with its cascade (every probe), and per-probe time with 8 probes
 * per pass; checks that only each probe's own variant comes below the threshold, and that the
 * cascade keeps it.
 */
async function benchSearch(gallery: GalleryLayout, distinct: number, probes: IrisTemplate[], slots: number[], kind: KernelKind, cascade: ScanOptions, cores: number, exhaustiveProbes: number): Promise<void> {
  const scanner = new ParallelGalleryScanner({ workers: cores, kernel: kind });
  const size = gallery.size >= 1_000_000 ? '1m' : `${gallery.size / 1000}k`;
  const where = `${gallery.size} templates, ${cores} worker threads`;
  try {
    const name = await scanner.ready();
    await scanner.scanMany(GalleryLayout.view(DEFAULT_SHAPE, gallery.words, 0, 2_000), probes.slice(0, 2), params, cascade); // warm-up
    const indexed = probes.map((p, k) => ({ p, k }));
    // Impostors (every entry but the probe's own variant), distinct templates and derived ones apart.
    const impostors = { below: 0, closest: 1, sum: [0, 0], n: [0, 0], passed: [0, 0] };
    const part = (t: number): number => (t < distinct ? 0 : 1);
    const exhaustive = await latencies(
      indexed.slice(0, exhaustiveProbes),
      ({ p }) => scanner.scan(gallery, p, params),
      ({ k }, results: MatchResult[]) => {
        results.forEach((r, t) => {
          if (t === slots[k]) return;
          if (r.distance < THRESHOLD) impostors.below++;
          impostors.closest = Math.min(impostors.closest, r.distance);
          impostors.sum[part(t)]! += r.distance;
          impostors.n[part(t)]!++;
        });
      },
    );
    let kept = 0;
    let inFull = 0;
    const cascaded = await latencies(
      indexed,
      ({ p }) => scanner.scan(gallery, p, params, cascade),
      ({ k }, results: MatchResult[]) => {
        inFull += scanner.lastFullComparisons;
        if (results[slots[k]!]!.distance < THRESHOLD) kept++;
        results.forEach((r, t) => {
          if (t !== slots[k] && r.overlapBits > 0) impostors.passed[part(t)]!++;
        });
      },
    );
    const mean = (i: number): string => (impostors.n[i] === 0 ? '-' : (impostors.sum[i]! / impostors.n[i]!).toFixed(4));
    const passShare = (i: number): string => {
      const n = i === 0 ? Math.min(distinct, gallery.size) : gallery.size - Math.min(distinct, gallery.size);
      return n === 0 ? '-' : `${((100 * impostors.passed[i]!) / (n * cascaded.length)).toFixed(3)}%`;
    };
    report({
      bench: 'gallery',
      metric: `search_${size}_${name}_impostors_below_threshold`,
      value: impostors.below,
      unit: 'entries',
      note: `entries other than the probe's own variant below ${THRESHOLD} over ${exhaustive.length} probes x ${gallery.size} templates (0 expected); closest ${impostors.closest.toFixed(3)}; mean best distance of distinct templates ${mean(0)}, of derived ones ${mean(1)}; impostors through the cascade: distinct ${passShare(0)}, derived ${passShare(1)}`,
    });
    const cascadeName = cascade === FIRST_CASCADE ? 'first cascade (first band <= 0.42)' : 'staged cascade (DEFAULT_CASCADE)';
    for (const [q, label] of [[0.5, 'p50'], [0.99, 'p99']] as const) {
      report({ bench: 'gallery', metric: `search_${size}_${name}_exhaustive_${label}_ms`, value: percentile(exhaustive, q), unit: 'ms', note: `one probe against ${where}, ${name} kernel, every template in full, ${exhaustive.length} probes` });
    }
    for (const [q, label] of [[0.5, 'p50'], [0.99, 'p99']] as const) {
      const value = percentile(cascaded, q);
      report({
        bench: 'gallery',
        metric: `search_${size}_${name}_cascade_${label}_ms`,
        value,
        unit: 'ms',
        ...(gallery.size >= 1_000_000 ? { budget: BUDGET_1M_MS, withinBudget: value <= BUDGET_1M_MS } : {}),
        baseline: `exhaustive ${label} (same kernel, same run)`,
        baselineValue: percentile(exhaustive, q),
        ratio: percentile(exhaustive, q) / value,
        note: `${cascadeName} against ${where}, ${name} kernel, ${cascaded.length} probes; ${((100 * inFull) / (gallery.size * cascaded.length)).toFixed(3)}% compared in full; genuine variants kept: ${kept}/${cascaded.length}`,
      });
    }
    // Several probes per pass: the cascade everywhere, exhaustive on the smaller gallery only (a million takes seconds per probe).
    for (const [mode, options] of gallery.size >= 1_000_000 ? ([['cascade', cascade]] as const) : ([['exhaustive', {}], ['cascade', cascade]] as const)) {
      const batch = probes.slice(0, PER_PASS);
      const single = mode === 'cascade' ? cascaded : exhaustive;
      const mean = single.reduce((s, x) => s + x, 0) / single.length;
      const [pass] = await latencies([batch], (b) => scanner.scanMany(gallery, b, params, options), () => undefined);
      report({ bench: 'gallery', metric: `search_${size}_${name}_${mode}_${PER_PASS}_per_pass_ms_per_probe`, value: pass! / PER_PASS, unit: 'ms', baseline: 'one probe per pass, mean (same run)', baselineValue: mean, ratio: mean / (pass! / PER_PASS), note: `${PER_PASS} probes in one scanMany against ${where}, ${name} kernel` });
    }
  } finally {
    await scanner.close();
  }
}

/** What the WebAssembly kernel's copy of the gallery into its memory costs per pass (one thread). */
function benchCopy(gallery: GalleryLayout): void {
  const chunk = 256 * gallery.stride;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((chunk * 2) / 65536) });
  const into = new Uint16Array(memory.buffer, 0, chunk);
  const words = gallery.words;
  const seconds = bestSeconds(() => {
    for (let at = 0; at < words.length; at += chunk) into.set(words.subarray(at, Math.min(words.length, at + chunk)));
  }, 2);
  const bytes = words.length * 2;
  report({ bench: 'gallery', metric: 'wasm_gallery_copy_seconds_per_pass', value: seconds, unit: 's', note: `copying ${(bytes / 2 ** 30).toFixed(2)} GiB (${gallery.size} templates) into WebAssembly memory in chunks of 256 templates, one thread: ${(bytes / seconds / 1e9).toFixed(1)} GB/s; the WebAssembly scan pays this once per pass (shared by the probes of scanMany), split over its workers` });
}
