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
  const bandBytes = (<usize>words) << 3;
  const probeBand = bandBytes << 1;
  const probeMaskOff = <usize>bands * probeBand;
  const phaseBytes = probeMaskOff << 1;
  const galleryMaskOff = <usize>bands * bandBytes;
  const cells = words * 4;
  for (let s = -rot; s <= rot; s++) {
    let sc = s % cells;
    if (sc < 0) sc += cells;
    const q = <usize>(sc >> 2);
    const phase = probe + <usize>(sc & 3) * phaseBytes;
    let xor: u64 = 0;
    let common: u64 = 0;
    for (let band = 0; band < bands; band++) {
      // Word w of the probe rolled by s is word (w - q) of its phase copy: with the band written
      // twice, that is word (words - q + w) of the doubled band.
      let pa = phase + <usize>band * probeBand + ((<usize>words - q) << 3);
      let pb = gallery + <usize>band * bandBytes;
      const end = pb + bandBytes;
      let x0: u64 = 0;
      let x1: u64 = 0;
      let c0: u64 = 0;
      let c1: u64 = 0;
      // Four words at a time, then the remaining words one by one.
      const end4 = pb + (bandBytes & ~(<usize>31));
      while (pb < end4) {
        const m0 = load<u64>(pa + probeMaskOff) & load<u64>(pb + galleryMaskOff);
        const m1 = load<u64>(pa + probeMaskOff, 8) & load<u64>(pb + galleryMaskOff, 8);
        const m2 = load<u64>(pa + probeMaskOff, 16) & load<u64>(pb + galleryMaskOff, 16);
        const m3 = load<u64>(pa + probeMaskOff, 24) & load<u64>(pb + galleryMaskOff, 24);
        c0 += popcnt<u64>(m0) + popcnt<u64>(m1);
        c1 += popcnt<u64>(m2) + popcnt<u64>(m3);
        x0 += popcnt<u64>((load<u64>(pa) ^ load<u64>(pb)) & m0) + popcnt<u64>((load<u64>(pa, 8) ^ load<u64>(pb, 8)) & m1);
        x1 += popcnt<u64>((load<u64>(pa, 16) ^ load<u64>(pb, 16)) & m2) + popcnt<u64>((load<u64>(pa, 24) ^ load<u64>(pb, 24)) & m3);
        pa += 32;
        pb += 32;
      }
      while (pb < end) {
        const m = load<u64>(pa + probeMaskOff) & load<u64>(pb + galleryMaskOff);
        c0 += popcnt<u64>(m);
        x0 += popcnt<u64>((load<u64>(pa) ^ load<u64>(pb)) & m);
        pa += 8;
        pb += 8;
      }
      xor += x0 + x1;
      common += c0 + c1;
    }
    const o = out + ((<usize>(s + rot)) << 3);
    store<u32>(o, <u32>xor);
    store<u32>(o + 4, <u32>common);
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
