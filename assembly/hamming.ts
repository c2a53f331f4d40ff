// Masked Hamming distance kernel over packed iris templates (see src/identity/iris/matcher.ts
// for the layout): for every cyclic shift of the probe, the number of disagreeing bits and the
// number of bits both masks keep. WebAssembly SIMD (scripts/build-wasm.mjs builds it with
// --enable simd): 128-bit loads and bitwise operations, popcount by carry-save adders
// (Harley-Seal) then i8x16.popcnt.
//
// Why carry-save adders: V8 (Node 20) lowers i8x16.popcnt to a nibble-table sequence of several
// instructions, so one i8x16.popcnt per vector (bytes accumulated in i8x16 lanes, widened with
// extadd_pairwise) is no faster than scalar i64.popcnt, and extracting the two i64 lanes to
// i64.popcnt is slower; adding four vectors with carry-save adders first leaves one popcount per
// four. Same-run single-thread figures (20,000 synthetic templates, 31 rotations, Node 20 on an
// AMD EPYC, million rotation-comparisons/s, exhaustive / DEFAULT_CASCADE through
// WasmGalleryScanner.scan, best of 3): scalar i64.popcnt 3.77 / 31.2; i8x16.popcnt per vector
// 3.72 / 32.4; lanes extracted to i64.popcnt 3.36 / 31.2; carry-save adders (this kernel)
// 4.36 / 33.7.
//
// Probe layout: 4 phase copies (the probe rolled by 0..3 cells). Each phase holds, for every
// band, `2 * words` code words (the band written twice, so a cyclic shift reads one contiguous
// run) followed by the same for the mask: phase stride = bands * words * 32 bytes.
// Gallery layout: `bands * words` code words, then as many mask words.

// Counts of the last countShift call: shift s (A) and shift s + 4 (B).
let xorA: u64 = 0;
let comA: u64 = 0;
let xorB: u64 = 0;
let comB: u64 = 0;

/** Per-lane sums of the bytes of `bytes`, as four u32 lanes (bytes 0-3, 4-7, 8-11, 12-15). */
// @ts-ignore: decorator
@inline
function widen(bytes: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(bytes));
}

/** Set bits of each 32-bit lane of v, as four u32 lanes. */
// @ts-ignore: decorator
@inline
function popcnt32(v: v128): v128 {
  return widen(i8x16.popcnt(v));
}

/**
 * Counts shift s (into xorA, comA) and, when `paired`, shift s + 4 (into xorB, comB) over the
 * first `used` bands of one gallery template, reading every `step`-th 64-bit word of each band.
 *
 * Paired: shifts s and s + 4 read the same phase copy one word apart, so one v128 load at the
 * probe word before shift s's holds shift s + 4's word (low lane) and shift s's (high lane); the
 * gallery word is loaded into both lanes. One vector then carries both shifts, every lane count
 * staying in its 64-bit half. The common bits m and the disagreeing ones x of four consecutive
 * words go through carry-save adders (per stream: ones, twos, and the fours counted with
 * i8x16.popcnt); the last 0-3 words of a band are counted directly.
 * Not paired (the last shifts of the range, up to 3 passes of 16 or so; every shift when a band
 * has one word), every word: two words per vector, one i8x16.popcnt each. Not paired, every 2nd
 * or 4th word: scalar i64 popcount.
 */
// @ts-ignore: decorator
@inline
function countShift(probe: usize, gallery: usize, bands: i32, used: i32, words: i32, step: i32, s: i32, paired: bool): void {
  const bandBytes = (<usize>words) << 3;
  const probeBand = bandBytes << 1;
  const probeMaskOff = <usize>bands * probeBand;
  const phaseBytes = probeMaskOff << 1;
  const galleryMaskOff = <usize>bands * bandBytes;
  const cells = words * 4;
  const inc = (<usize>step) << 3;
  let sc = s % cells;
  if (sc < 0) sc += cells;
  const q = <usize>(sc >> 2);
  const phase = probe + <usize>(sc & 3) * phaseBytes;
  // Scalar counts of shift s (the unpaired paths' odd words).
  let xa: u64 = 0;
  let ca: u64 = 0;
  // u32 lanes: [B, B, A, A] when paired, all shift s's otherwise.
  let accX = i32x4.splat(0);
  let accC = i32x4.splat(0);
  // Carry-save state (paired): bits of weight 1 and 2 not yet counted, per stream.
  let onesC = i32x4.splat(0);
  let twosC = i32x4.splat(0);
  let onesX = i32x4.splat(0);
  let twosX = i32x4.splat(0);
  // Paired: the bytes of each band read 4 words at a time (the rest one at a time).
  const quadBytes = <usize>(((words + step - 1) / step) >> 2) * (inc << 2);
  for (let band = 0; band < used; band++) {
    // Word w of the probe rolled by s is word (w - q) of its phase copy: with the band written
    // twice, that is word (words - q + w) of the doubled band. Shift s + 4 reads the word before
    // it, (words - q - 1 + w), which is never below the doubled band's start since q < words.
    let pa = phase + <usize>band * probeBand + ((<usize>words - q) << 3);
    let pb = gallery + <usize>band * bandBytes;
    const end = pb + bandBytes;
    if (paired) {
      let pc = pa - 8; // lane 0: shift s + 4's probe word, lane 1: shift s's
      const end4 = pb + quadBytes;
      // Blocks of 16 iterations of 4 words: at most 16 x 8 per byte lane of b4C, b4X.
      const block = inc << 6;
      while (pb < end4) {
        let stop = pb + block;
        if (stop > end4) stop = end4;
        let b4C = i8x16.splat(0);
        let b4X = i8x16.splat(0);
        while (pb < stop) {
          const m0 = v128.and(v128.load(pc + probeMaskOff), v128.load64_splat(pb + galleryMaskOff));
          const x0 = v128.and(v128.xor(v128.load(pc), v128.load64_splat(pb)), m0);
          pc += inc;
          pb += inc;
          const m1 = v128.and(v128.load(pc + probeMaskOff), v128.load64_splat(pb + galleryMaskOff));
          const x1 = v128.and(v128.xor(v128.load(pc), v128.load64_splat(pb)), m1);
          pc += inc;
          pb += inc;
          const m2 = v128.and(v128.load(pc + probeMaskOff), v128.load64_splat(pb + galleryMaskOff));
          const x2 = v128.and(v128.xor(v128.load(pc), v128.load64_splat(pb)), m2);
          pc += inc;
          pb += inc;
          const m3 = v128.and(v128.load(pc + probeMaskOff), v128.load64_splat(pb + galleryMaskOff));
          const x3 = v128.and(v128.xor(v128.load(pc), v128.load64_splat(pb)), m3);
          pc += inc;
          pb += inc;
          // Carry-save adders: ones + m0 + m1 = 2 tA + ones', ones' + m2 + m3 = 2 tB + ones'',
          // twos + tA + tB = 2 fours + twos'; fours (weight 4) is counted now.
          let u = v128.xor(onesC, m0);
          const tAC = v128.or(v128.and(onesC, m0), v128.and(u, m1));
          onesC = v128.xor(u, m1);
          u = v128.xor(onesC, m2);
          const tBC = v128.or(v128.and(onesC, m2), v128.and(u, m3));
          onesC = v128.xor(u, m3);
          u = v128.xor(twosC, tAC);
          const foursC = v128.or(v128.and(twosC, tAC), v128.and(u, tBC));
          twosC = v128.xor(u, tBC);
          b4C = i8x16.add(b4C, i8x16.popcnt(foursC));
          u = v128.xor(onesX, x0);
          const tAX = v128.or(v128.and(onesX, x0), v128.and(u, x1));
          onesX = v128.xor(u, x1);
          u = v128.xor(onesX, x2);
          const tBX = v128.or(v128.and(onesX, x2), v128.and(u, x3));
          onesX = v128.xor(u, x3);
          u = v128.xor(twosX, tAX);
          const foursX = v128.or(v128.and(twosX, tAX), v128.and(u, tBX));
          twosX = v128.xor(u, tBX);
          b4X = i8x16.add(b4X, i8x16.popcnt(foursX));
        }
        accC = i32x4.add(accC, i32x4.shl(widen(b4C), 2));
        accX = i32x4.add(accX, i32x4.shl(widen(b4X), 2));
      }
      // The band's last 0-3 words (at most 3 x 8 per byte lane).
      let tailC = i8x16.splat(0);
      let tailX = i8x16.splat(0);
      while (pb < end) {
        const m = v128.and(v128.load(pc + probeMaskOff), v128.load64_splat(pb + galleryMaskOff));
        tailC = i8x16.add(tailC, i8x16.popcnt(m));
        tailX = i8x16.add(tailX, i8x16.popcnt(v128.and(v128.xor(v128.load(pc), v128.load64_splat(pb)), m)));
        pc += inc;
        pb += inc;
      }
      accC = i32x4.add(accC, widen(tailC));
      accX = i32x4.add(accX, widen(tailX));
    } else if (step == 1) {
      // Two words per vector, in blocks of at most 16 (16 x 8 per byte lane), then an odd last word.
      const end2 = end - 8;
      while (pb < end2) {
        let stop = pb + 16 * 16;
        if (stop > end2) stop = end2;
        let bc = i8x16.splat(0);
        let bx = i8x16.splat(0);
        while (pb < stop) {
          const m = v128.and(v128.load(pa + probeMaskOff), v128.load(pb + galleryMaskOff));
          bc = i8x16.add(bc, i8x16.popcnt(m));
          bx = i8x16.add(bx, i8x16.popcnt(v128.and(v128.xor(v128.load(pa), v128.load(pb)), m)));
          pa += 16;
          pb += 16;
        }
        accC = i32x4.add(accC, widen(bc));
        accX = i32x4.add(accX, widen(bx));
      }
      if (pb < end) {
        const m = load<u64>(pa + probeMaskOff) & load<u64>(pb + galleryMaskOff);
        ca += popcnt<u64>(m);
        xa += popcnt<u64>((load<u64>(pa) ^ load<u64>(pb)) & m);
      }
    } else {
      while (pb < end) {
        const m = load<u64>(pa + probeMaskOff) & load<u64>(pb + galleryMaskOff);
        ca += popcnt<u64>(m);
        xa += popcnt<u64>((load<u64>(pa) ^ load<u64>(pb)) & m);
        pa += inc;
        pb += inc;
      }
    }
  }
  if (paired) {
    // What the carry-save adders still hold: twos count double.
    accC = i32x4.add(accC, i32x4.add(i32x4.shl(popcnt32(twosC), 1), popcnt32(onesC)));
    accX = i32x4.add(accX, i32x4.add(i32x4.shl(popcnt32(twosX), 1), popcnt32(onesX)));
  }
  const x0 = <u64>i32x4.extract_lane(accX, 0) + <u64>i32x4.extract_lane(accX, 1);
  const x1 = <u64>i32x4.extract_lane(accX, 2) + <u64>i32x4.extract_lane(accX, 3);
  const c0 = <u64>i32x4.extract_lane(accC, 0) + <u64>i32x4.extract_lane(accC, 1);
  const c1 = <u64>i32x4.extract_lane(accC, 2) + <u64>i32x4.extract_lane(accC, 3);
  if (paired) {
    xorA = x1;
    comA = c1;
    xorB = x0;
    comB = c0;
  } else {
    xorA = xa + x0 + x1;
    comA = ca + c0 + c1;
  }
}

// Shifts pair up in runs of 8: a shift with (s + rot) mod 8 < 4 is counted together with s + 4
// (when that is in range and the band has two words), which is then skipped.

/** Whether shift s + 4 is counted in shift s's pass. */
// @ts-ignore: decorator
@inline
function pairable(s: i32, rot: i32, words: i32): bool {
  return words > 1 && (s + rot) % 8 < 4 && s + 4 <= rot;
}

/** Whether shift s was counted in the pass of shift s - 4. */
// @ts-ignore: decorator
@inline
function countedBefore(s: i32, rot: i32, words: i32): bool {
  return words > 1 && (s + rot) % 8 >= 4;
}

/**
 * Full counts of one template: (xor, common) as two u32 per shift s in [-rot, rot] at
 * out + (s + rot) * 8, every band, every word.
 */
export function rotationCounts(probe: usize, gallery: usize, bands: i32, words: i32, rot: i32, out: usize): void {
  for (let s = -rot; s <= rot; s++) {
    if (countedBefore(s, rot, words)) continue;
    const paired = pairable(s, rot, words);
    countShift(probe, gallery, bands, bands, words, 1, s, paired);
    const o = out + ((<usize>(s + rot)) << 3);
    store<u32>(o, <u32>xorA);
    store<u32>(o + 4, <u32>comA);
    if (paired) {
      store<u32>(o + 32, <u32>xorB);
      store<u32>(o + 36, <u32>comB);
    }
  }
}

/** Whether (xor, common) is a distance of at most ceiling / 1e6 over at least one common bit. */
// @ts-ignore: decorator
@inline
function within(xor: u64, common: u64, ceilingPpm: u64): bool {
  return common > 0 && xor * 1_000_000 <= ceilingPpm * common;
}

/**
 * One cascade stage: true when some shift s in [-rot, rot] that is a multiple of `shiftStep`
 * (1, 2 or 4) brings the distance over the first `used` bands, every `wordStep`-th word, to at
 * most ceilingPpm / 1e6.
 */
function stagePasses(probe: usize, gallery: usize, bands: i32, words: i32, rot: i32, used: i32, wordStep: i32, shiftStep: i32, ceilingPpm: u64): bool {
  // With shiftStep 1, 2 or 4, s - 4 is a multiple of shiftStep whenever s is: pairs stay within the stage's shifts.
  let s = -rot;
  while (s % shiftStep != 0) s++;
  for (; s <= rot; s += shiftStep) {
    if (countedBefore(s, rot, words)) continue;
    const paired = pairable(s, rot, words);
    countShift(probe, gallery, bands, used, words, wordStep, s, paired);
    if (within(xorA, comA, ceilingPpm) || (paired && within(xorB, comB, ceilingPpm))) return true;
  }
  return false;
}

/** Bytes of one cascade stage descriptor: bands used, word step, shift step, ceiling in ppm (4 x i32). */
const STAGE_BYTES: usize = 16;

/**
 * Builds the probe layout rotationCounts reads from a plain packed probe at `src` (code plane,
 * then mask plane, each `bands * cols` 16-bit cells, cols a multiple of 4): 4 phase copies rolled
 * by 0..3 cells, every band written twice. Rolling by p cells is a funnel shift of 64-bit words.
 */
export function preparePhases(src: usize, dst: usize, bands: i32, cols: i32): void {
  const words = <usize>(cols >> 2);
  const bandBytes = words << 3;
  const planeIn = <usize>bands * bandBytes;
  const planeOut = planeIn << 1;
  for (let p = 0; p < 4; p++) {
    const sh = <u64>(16 * p);
    for (let plane = 0; plane < 2; plane++) {
      const from = src + <usize>plane * planeIn;
      const to = dst + <usize>p * (planeOut << 1) + <usize>plane * planeOut;
      for (let band = 0; band < bands; band++) {
        const row = from + <usize>band * bandBytes;
        const out = to + <usize>band * (bandBytes << 1);
        let prev = load<u64>(row + bandBytes - 8);
        for (let w: usize = 0; w < words; w++) {
          const cur = load<u64>(row + (w << 3));
          const v = sh == 0 ? cur : (cur << sh) | (prev >> (64 - sh));
          store<u64>(out + (w << 3), v);
          store<u64>(out + bandBytes + (w << 3), v);
          prev = cur;
        }
      }
    }
  }
}

/**
 * Several probes against `count` gallery templates stored back to back at `gallery` (each a code
 * plane then a mask plane of `bands * words` words), in one call: the templates are read from
 * memory once for all probes (probe by probe over the chunk, which stays in cache).
 * Probe p's phase copies (see preparePhases) are at probes + p * (bands * words * 128).
 * Each (probe, template) goes through `stageCount` cascade stages (descriptors at `stages`, see
 * STAGE_BYTES); one that passes them all is compared in full (rotationCounts) into
 * out + ((p * count + t) * (2 rot + 1)) * 8 and flagged 1 at flags + p * count + t; one that
 * fails a stage gets flag 0 and its counts are left as they were. Returns the number of pairs
 * compared in full.
 */
export function scanGalleryMany(probes: usize, probeCount: i32, gallery: usize, count: i32, bands: i32, words: i32, rot: i32, out: usize, flags: usize, stages: usize, stageCount: i32): i32 {
  const stride = (<usize>bands * <usize>words) << 4;
  const phaseStride = (<usize>bands * <usize>words) << 7;
  const outStride = (<usize>(2 * rot + 1)) << 3;
  let full = 0;
  for (let p = 0; p < probeCount; p++) {
    const probe = probes + <usize>p * phaseStride;
    for (let t = 0; t < count; t++) {
      const g = gallery + <usize>t * stride;
      const pair = <usize>p * <usize>count + <usize>t;
      let pass = true;
      for (let k = 0; k < stageCount && pass; k++) {
        const d = stages + <usize>k * STAGE_BYTES;
        pass = stagePasses(probe, g, bands, words, rot, load<i32>(d), load<i32>(d, 4), load<i32>(d, 8), <u64>load<u32>(d, 12));
      }
      store<u8>(flags + pair, pass ? 1 : 0);
      if (pass) {
        rotationCounts(probe, g, bands, words, rot, out + pair * outStride);
        full++;
      }
    }
  }
  return full;
}

/** One probe, no cascade: rotationCounts for every template, template t's counts at out + t * (2 rot + 1) * 8. */
export function scanGallery(probe: usize, gallery: usize, count: i32, bands: i32, words: i32, rot: i32, out: usize): void {
  const stride = (<usize>bands * <usize>words) << 4;
  const outStride = (<usize>(2 * rot + 1)) << 3;
  for (let t = 0; t < count; t++) rotationCounts(probe, gallery + <usize>t * stride, bands, words, rot, out + <usize>t * outStride);
}
