// Masked Hamming distance kernel over packed iris templates (see src/identity/iris/matcher.ts
// for the layout): for every cyclic shift of the probe, the number of disagreeing bits and the
// number of bits both masks keep. Compiled to WebAssembly; scalar i64 popcount.

/**
 * probe: 4 phase copies (probe rolled by 0..3 cells), each `bands*words` u64 code words then as
 * many mask words. gallery: `bands*words` code words then mask words. Writes (xor, common) as two
 * u32 per shift s in [-rot, rot] at out + (s + rot) * 8.
 */
export function rotationCounts(probe: usize, gallery: usize, bands: i32, words: i32, rot: i32, out: usize): void {
  const planeBytes = (<usize>(bands * words)) << 3;
  const cells = words * 4;
  for (let s = -rot; s <= rot; s++) {
    let sc = s % cells;
    if (sc < 0) sc += cells;
    const p = sc & 3;
    const q = sc >> 2;
    const a = probe + <usize>p * (planeBytes << 1);
    let xor: u64 = 0;
    let common: u64 = 0;
    for (let band = 0; band < bands; band++) {
      const base = (<usize>(band * words)) << 3;
      for (let w = 0; w < words; w++) {
        let wa = w - q;
        if (wa < 0) wa += words;
        const ia = a + base + ((<usize>wa) << 3);
        const ib = gallery + base + ((<usize>w) << 3);
        const m = load<u64>(ia + planeBytes) & load<u64>(ib + planeBytes);
        common += popcnt<u64>(m);
        xor += popcnt<u64>((load<u64>(ia) ^ load<u64>(ib)) & m);
      }
    }
    const o = out + ((<usize>(s + rot)) << 3);
    store<u32>(o, <u32>xor);
    store<u32>(o + 4, <u32>common);
  }
}
