/**
 * The cascade's stage rule read plainly, the oracle both kernels' tests hold their cascades to:
 * a template passes a stage when some shift s in [-rotations, rotations], a multiple of
 * shiftStep, at which the probe rolled by s, compared on the first `bands` bands at the columns
 * of every wordStep-th group of 4, has at least one common bit and disagrees on at most the
 * ceiling (to the nearest millionth) of them. Probe and template as `templateCells` packs them.
 */
import type { CascadeStage } from '../src/identity/gallery/kernel.js';
import { DEFAULT_SHAPE } from '../src/identity/iris/template.js';

const POP = Uint8Array.from({ length: 65536 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v &= v - 1) n++;
  return n;
});

/** Whether `template` passes `stage` against `probe`. */
export function stagePasses(probe: Uint16Array, template: Uint16Array, stage: CascadeStage, rotations: number, cols = DEFAULT_SHAPE.cols): boolean {
  const plane = probe.length / 2;
  const ceiling = Math.round(Math.min(1, stage.ceiling) * 1e6);
  for (let s = -rotations; s <= rotations; s++) {
    if (s % stage.shiftStep !== 0) continue;
    let xor = 0;
    let common = 0;
    for (let b = 0; b < stage.bands; b++) {
      for (let c = 0; c < cols; c++) {
        if ((c >> 2) % stage.wordStep !== 0) continue;
        const p = b * cols + ((((c - s) % cols) + cols) % cols);
        const t = b * cols + c;
        const m = probe[plane + p]! & template[plane + t]!;
        common += POP[m]!;
        xor += POP[(probe[p]! ^ template[t]!) & m]!;
      }
    }
    if (common > 0 && xor * 1e6 <= ceiling * common) return true;
  }
  return false;
}
