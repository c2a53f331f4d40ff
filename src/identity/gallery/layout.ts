/**
 * The gallery's in-memory layout, built for scanning: every enrolled template packed into 16-bit
 * column cells (4 code rows x 2 filters x real/imaginary per cell, as the packed matcher uses),
 * band by band, with each cell's code word followed by its mask word, and templates back to back
 * in one contiguous Uint16Array. A rotation is then a shift by whole cells, and a scan reads memory
 * once, in order.
 */
import { IriskError } from '../../lib/errors.js';
import { packTemplate } from '../iris/matcher.js';
import type { IrisTemplate, TemplateShape } from '../iris/template.js';

/** Templates packed back to back: template t's words are `words[t * stride, (t + 1) * stride)`. */
export class GalleryLayout {
  /** Cells per template (bands x columns). */
  readonly cells: number;
  /** 16-bit words per template: a code word and a mask word per cell. */
  readonly stride: number;
  readonly bands: number;
  private buf: Uint16Array;
  private n = 0;

  constructor(
    readonly shape: TemplateShape,
    capacity = 1024,
  ) {
    if (shape.rows % 4 !== 0 || shape.filters !== 2) {
      throw new IriskError('TEMPLATE_INCOMPATIBLE', `The gallery needs rows divisible by 4 and 2 filters (got ${shape.rows} rows, ${shape.filters} filters)`);
    }
    this.bands = shape.rows / 4;
    this.cells = this.bands * shape.cols;
    this.stride = 2 * this.cells;
    this.buf = new Uint16Array(Math.max(1, capacity) * this.stride);
  }

  /** Templates held. */
  get size(): number {
    return this.n;
  }

  /** The words of every template held (a view; valid until the next append). */
  get words(): Uint16Array {
    return this.buf.subarray(0, this.n * this.stride);
  }

  /** Appends a template; returns its slot. TEMPLATE_INCOMPATIBLE when its shape differs. */
  append(t: IrisTemplate): number {
    if (t.rows !== this.shape.rows || t.cols !== this.shape.cols || t.filters !== this.shape.filters) {
      throw new IriskError('TEMPLATE_INCOMPATIBLE', `template shape ${t.rows}x${t.cols}x${t.filters} differs from the gallery's ${this.shape.rows}x${this.shape.cols}x${this.shape.filters}`);
    }
    if ((this.n + 1) * this.stride > this.buf.length) {
      const bigger = new Uint16Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    writeInterleaved(t, this.buf, this.n * this.stride);
    return this.n++;
  }
}

/** A template's packed cells, code and mask interleaved (the probe side of a scan). */
export function interleavedCells(t: IrisTemplate): Uint16Array {
  const out = new Uint16Array(2 * (t.rows / 4) * t.cols);
  writeInterleaved(t, out, 0);
  return out;
}

function writeInterleaved(t: IrisTemplate, out: Uint16Array, at: number): void {
  const p = packTemplate(t);
  for (let i = 0; i < p.code.length; i++) {
    out[at + 2 * i] = p.code[i]!;
    out[at + 2 * i + 1] = p.mask[i]!;
  }
}
