// Masked Hamming distance kernel over packed iris templates (see src/identity/iris/matcher.ts
// for the layout): for every cyclic shift of the probe, the number of disagreeing bits and the
// number of bits both masks keep. Compiled to WebAssembly; scalar i64 popcount.

/**
 * Probe layout: 4 phase copies (the probe rolled by 0..3 cells). Each phase holds, for every
 * band, `2 * words` code words (the band written twice, so a cyclic shift reads one contiguous
 * run) followed by the same for the mask: phase stride = bands * words * 32 bytes.
 * Gallery layout: `bands * words` code words, then as many mask words.
 * Writes (xor, common) as two u32 per shift s in [-rot, rot] at out + (s + rot) * 8.
 */
export function rotationCounts(probe: usize, gallery: usize, bands: i32, words: i32, rot: i32, out: usize): void {
  bandCounts(probe, gallery, bands, bands, words, rot, out);
}

/**
 * rotationCounts over the first `used` of a template's `bands` bands only (the layouts keep all
 * `bands`): the cheap first stage of the cascade.
 */
function bandCounts(probe: usize, gallery: usize, bands: i32, used: i32, words: i32, rot: i32, out: usize): void {
  const bandBytes = (<usize>words) << 3;
  const probeBand = bandBytes << 1;
  const probeMaskOff = <usize>bands * probeBand;
  const phaseBytes = probeMaskOff << 1;
  const galleryMaskOff = <usize>bands * bandBytes;
  const cells = words * 4;
  // Shifts s and s + 4 read the same phase copy one word apart, so they are counted in one pass
  // (each gallery and probe word loaded once for both). `done` marks shifts already counted.
  let done: u64 = 0;
  for (let s = -rot; s <= rot; s++) {
    const bit = (<u64>1) << (<u64>(s + rot));
    if (done & bit) continue;
    const paired = s + 4 <= rot && words > 1;
    done |= bit;
    if (paired) done |= bit << 4;
    let sc = s % cells;
    if (sc < 0) sc += cells;
    const q = <usize>(sc >> 2);
    const phase = probe + <usize>(sc & 3) * phaseBytes;
    let xorA: u64 = 0;
    let comA: u64 = 0;
    let xorB: u64 = 0;
    let comB: u64 = 0;
    for (let band = 0; band < used; band++) {
      const bandBase = phase + <usize>band * probeBand;
      // Word w of the probe rolled by s is word (w - q) of its phase copy: with the band written
      // twice, that is word (words - q + w) of the doubled band. Shift s + 4 reads the word before
      // it, (words - q - 1 + w), which is never below the doubled band's start since q < words.
      let pa = bandBase + ((<usize>words - q) << 3);
      let pb = gallery + <usize>band * bandBytes;
      const end = pb + bandBytes;
      if (paired) {
        let prevC = load<u64>(pa - 8);
        let prevM = load<u64>(pa + probeMaskOff - 8);
        while (pb < end) {
          const gc = load<u64>(pb);
          const gm = load<u64>(pb + galleryMaskOff);
          const cc = load<u64>(pa);
          const cm = load<u64>(pa + probeMaskOff);
          const mA = cm & gm;
          const mB = prevM & gm;
          comA += popcnt<u64>(mA);
          xorA += popcnt<u64>((cc ^ gc) & mA);
          comB += popcnt<u64>(mB);
          xorB += popcnt<u64>((prevC ^ gc) & mB);
          prevC = cc;
          prevM = cm;
          pa += 8;
          pb += 8;
        }
      } else {
        while (pb < end) {
          const m = load<u64>(pa + probeMaskOff) & load<u64>(pb + galleryMaskOff);
          comA += popcnt<u64>(m);
          xorA += popcnt<u64>((load<u64>(pa) ^ load<u64>(pb)) & m);
          pa += 8;
          pb += 8;
        }
      }
    }
    const o = out + ((<usize>(s + rot)) << 3);
    store<u32>(o, <u32>xorA);
    store<u32>(o + 4, <u32>comA);
    if (paired) {
      store<u32>(o + 32, <u32>xorB);
      store<u32>(o + 36, <u32>comB);
    }
  }
}

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
 * One probe (its phase copies at `probe`, see preparePhases) against `count` gallery templates
 * stored back to back at `gallery`, each a code plane then a mask plane of `bands * words` words:
 * rotationCounts for every template in one call, template t's counts at out + t * (2 rot + 1) * 8.
 */
export function scanGallery(probe: usize, gallery: usize, count: i32, bands: i32, words: i32, rot: i32, out: usize): void {
  const stride = (<usize>bands * <usize>words) << 4;
  const outStride = (<usize>(2 * rot + 1)) << 3;
  for (let t = 0; t < count; t++) rotationCounts(probe, gallery + <usize>t * stride, bands, words, rot, out + <usize>t * outStride);
}

/**
 * scanGallery with a cascade: each template is first compared on its first band only (a quarter
 * of the bits); when no shift brings that partial distance to at most maxPerMille / 1000, the full
 * comparison is skipped and its counts are written as zeros (no common bits: no match). Returns
 * the number of templates compared in full.
 */
export function scanGalleryCascade(probe: usize, gallery: usize, count: i32, bands: i32, words: i32, rot: i32, out: usize, maxPerMille: i32): i32 {
  const stride = (<usize>bands * <usize>words) << 4;
  const shifts = 2 * rot + 1;
  const outStride = (<usize>shifts) << 3;
  let full = 0;
  for (let t = 0; t < count; t++) {
    const g = gallery + <usize>t * stride;
    const o = out + <usize>t * outStride;
    bandCounts(probe, g, bands, 1, words, rot, o);
    let pass = false;
    for (let s = 0; s < shifts; s++) {
      const xor = <u64>load<u32>(o + (<usize>s << 3));
      const common = <u64>load<u32>(o + (<usize>s << 3) + 4);
      if (common > 0 && xor * 1000 <= <u64>maxPerMille * common) {
        pass = true;
        break;
      }
    }
    if (pass) {
      bandCounts(probe, g, bands, bands, words, rot, o);
      full++;
    } else {
      memory.fill(o, 0, outStride);
    }
  }
  return full;
}
