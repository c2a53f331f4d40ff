// Masked Hamming distance kernel over packed iris templates (see src/identity/iris/matcher.ts
// for the layout): for every cyclic shift of the probe, the number of disagreeing bits and the
// number of bits both masks keep. Compiled to WebAssembly; scalar i64 popcount.
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

/**
 * Counts shift s (into xorA, comA) and, when `paired`, shift s + 4 (into xorB, comB) over the
 * first `used` bands of one gallery template, reading every `step`-th 64-bit word of each band.
 * Shifts s and s + 4 read the same phase copy one word apart, so one pass serves both (each
 * gallery word loaded once for both).
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
  let xa: u64 = 0;
  let ca: u64 = 0;
  let xb: u64 = 0;
  let cb: u64 = 0;
  for (let band = 0; band < used; band++) {
    // Word w of the probe rolled by s is word (w - q) of its phase copy: with the band written
    // twice, that is word (words - q + w) of the doubled band. Shift s + 4 reads the word before
    // it, (words - q - 1 + w), which is never below the doubled band's start since q < words.
    let pa = phase + <usize>band * probeBand + ((<usize>words - q) << 3);
    let pb = gallery + <usize>band * bandBytes;
    const end = pb + bandBytes;
    if (paired && step == 1) {
      // Every word: shift s + 4's probe word is the one shift s read the step before.
      let prevC = load<u64>(pa - 8);
      let prevM = load<u64>(pa + probeMaskOff - 8);
      while (pb < end) {
        const gc = load<u64>(pb);
        const gm = load<u64>(pb + galleryMaskOff);
        const cc = load<u64>(pa);
        const cm = load<u64>(pa + probeMaskOff);
        const mA = cm & gm;
        const mB = prevM & gm;
        ca += popcnt<u64>(mA);
        xa += popcnt<u64>((cc ^ gc) & mA);
        cb += popcnt<u64>(mB);
        xb += popcnt<u64>((prevC ^ gc) & mB);
        prevC = cc;
        prevM = cm;
        pa += 8;
        pb += 8;
      }
    } else if (paired) {
      while (pb < end) {
        const gc = load<u64>(pb);
        const gm = load<u64>(pb + galleryMaskOff);
        const mA = load<u64>(pa + probeMaskOff) & gm;
        const mB = load<u64>(pa + probeMaskOff - 8) & gm;
        ca += popcnt<u64>(mA);
        xa += popcnt<u64>((load<u64>(pa) ^ gc) & mA);
        cb += popcnt<u64>(mB);
        xb += popcnt<u64>((load<u64>(pa - 8) ^ gc) & mB);
        pa += inc;
        pb += inc;
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
  xorA = xa;
  comA = ca;
  xorB = xb;
  comB = cb;
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
