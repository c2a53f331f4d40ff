/**
 * JPEG-like compression of a float image: 8x8 block DCT, quantisation with the standard
 * luminance table scaled for a quality (IJG convention), inverse DCT. Photos an attacker prints
 * or shows often went through JPEG, which leaves blocking and lost fine texture.
 */

/** The JPEG standard (Annex K) luminance quantisation table. */
const LUMA_TABLE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** The 8x8 DCT-II basis, basis[k * 8 + n] = c(k) cos((2n + 1) k pi / 16). */
const BASIS = (() => {
  const b = new Float64Array(64);
  for (let k = 0; k < 8; k++) {
    const c = k === 0 ? Math.sqrt(1 / 8) : Math.sqrt(2 / 8);
    for (let n = 0; n < 8; n++) b[k * 8 + n] = c * Math.cos(((2 * n + 1) * k * Math.PI) / 16);
  }
  return b;
})();

/** The quantisation table for a quality from 1 to 100 (IJG scaling). */
export function quantTable(quality: number): Float64Array {
  const q = Math.max(1, Math.min(100, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Float64Array.from(LUMA_TABLE, (v) => Math.max(1, Math.floor((v * scale + 50) / 100)));
}

/** Applies out = M x in or out = M^T x in along rows of an 8x8 block (row-major). */
function transformRows(block: Float64Array, out: Float64Array, inverse: boolean): void {
  for (let r = 0; r < 8; r++) {
    for (let k = 0; k < 8; k++) {
      let s = 0;
      for (let n = 0; n < 8; n++) s += block[r * 8 + n]! * (inverse ? BASIS[n * 8 + k]! : BASIS[k * 8 + n]!);
      out[r * 8 + k] = s;
    }
  }
}

/** 2-D DCT (or its inverse) of an 8x8 block in place, as rows then columns. */
function dct2(block: Float64Array, tmp: Float64Array, inverse: boolean): void {
  transformRows(block, tmp, inverse);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) block[c * 8 + r] = tmp[r * 8 + c]!; // transpose
  transformRows(block, tmp, inverse);
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) block[c * 8 + r] = tmp[r * 8 + c]!;
}

/** Compresses a grey-level float image in place at `quality` (1-100); edges replicate into partial blocks. */
export function jpegLike(img: Float32Array, width: number, height: number, quality: number): void {
  const table = quantTable(quality);
  const block = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let j = 0; j < 8; j++) {
        const y = Math.min(height - 1, by + j);
        for (let i = 0; i < 8; i++) block[j * 8 + i] = img[y * width + Math.min(width - 1, bx + i)]! - 128;
      }
      dct2(block, tmp, false);
      for (let k = 0; k < 64; k++) block[k] = Math.round(block[k]! / table[k]!) * table[k]!;
      dct2(block, tmp, true);
      for (let j = 0; j < 8 && by + j < height; j++) {
        for (let i = 0; i < 8 && bx + i < width; i++) img[(by + j) * width + bx + i] = Math.max(0, Math.min(255, block[j * 8 + i]! + 128));
      }
    }
  }
}
