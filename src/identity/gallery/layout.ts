/**
 * The gallery's in-memory layout, built for scanning: every enrolled template packed into 16-bit
 * column cells (4 code rows x 2 filters x real/imaginary per cell, as the packed matcher uses),
 * band by band; each template's code cells followed by its mask cells; templates back to back in
 * one contiguous Uint16Array. A rotation is then a shift by whole cells, the WebAssembly kernel
 * reads four cells per 64-bit word, and a scan reads memory once, in order.
 */
import { IriskError } from '../../lib/errors.js';
import { packTemplate, type PackedTemplate } from '../iris/matcher.js';
import type { IrisTemplate, TemplateShape } from '../iris/template.js';

/** Templates packed back to back: template t's words are `words[t * stride, (t + 1) * stride)`. */
export class GalleryLayout {
  /** Cells per template (bands x columns). */
  readonly cells: number;
  /** 16-bit words per template: the code cells, then the mask cells. */
  readonly stride: number;
  readonly bands: number;
  private buf: Uint16Array;
  private n = 0;

  /** `capacity`: templates before the first growth. Storage is a SharedArrayBuffer, so scan workers read it in place. */
  constructor(
    readonly shape: TemplateShape,
    capacity = 1024,
  ) {
    // Four code rows and two filters fill a 16-bit cell; the WebAssembly kernel reads four cells per 64-bit word.
    if (shape.rows % 4 !== 0 || shape.filters !== 2 || shape.cols % 4 !== 0) {
      throw new IriskError('TEMPLATE_INCOMPATIBLE', `The gallery needs rows and columns divisible by 4 and 2 filters (got ${shape.rows} rows, ${shape.cols} columns, ${shape.filters} filters)`);
    }
    this.bands = shape.rows / 4;
    this.stride = GalleryLayout.wordsFor(shape, 1);
    this.cells = this.stride / 2;
    this.buf = sharedWords(Math.max(1, capacity) * this.stride);
  }

  /** A read-only view of templates [first, end) of a gallery whose words are `words` (a scan worker's side). */
  static view(shape: TemplateShape, words: Uint16Array, first: number, end: number): GalleryLayout {
    const g = new GalleryLayout(shape, 1);
    if (words.length < end * g.stride) throw new IriskError('INTERNAL', `gallery view up to template ${end} needs ${end * g.stride} words, got ${words.length}`);
    g.buf = words.subarray(first * g.stride, end * g.stride);
    g.n = end - first;
    return g;
  }

  /**
   * A gallery over `count` templates already laid out in `words` (a SharedArrayBuffer-backed array,
   * e.g. read straight from a file); the array's spare length is room to append into.
   */
  static adopt(shape: TemplateShape, words: Uint16Array, count: number): GalleryLayout {
    const g = new GalleryLayout(shape, 1);
    if (!(words.buffer instanceof SharedArrayBuffer)) throw new IriskError('INTERNAL', 'a gallery layout lives in a SharedArrayBuffer');
    if (words.length < count * g.stride) throw new IriskError('INTERNAL', `${count} templates need ${count * g.stride} words, got ${words.length}`);
    g.buf = words;
    g.n = count;
    return g;
  }

  /** Words to hold `count` templates of `shape` (to size a buffer for `adopt`). */
  static wordsFor(shape: TemplateShape, count: number): number {
    return count * 2 * (shape.rows / 4) * shape.cols;
  }

  /** Template `t` as the packed matcher reads it (views into the layout, no copy). */
  packedAt(t: number): PackedTemplate {
    const at = t * this.stride;
    return { shape: this.shape, bands: this.bands, code: this.buf.subarray(at, at + this.cells), mask: this.buf.subarray(at + this.cells, at + this.stride) };
  }

  /** Templates held. */
  get size(): number {
    return this.n;
  }

  /** The words of every template held (a view; valid until the next append). */
  get words(): Uint16Array {
    return this.buf.subarray(0, this.n * this.stride);
  }

  /** Makes room for `count` more templates now (growing the buffer if needed), so the appends that follow cannot fail for lack of memory. */
  reserve(count: number): void {
    const needed = (this.n + count) * this.stride;
    if (needed <= this.buf.length) return;
    const bigger = sharedWords(Math.max(needed, this.buf.length * 2));
    bigger.set(this.buf);
    this.buf = bigger;
  }

  /** Appends a template; returns its slot. TEMPLATE_INCOMPATIBLE when its shape differs. */
  append(t: IrisTemplate): number {
    if (t.rows !== this.shape.rows || t.cols !== this.shape.cols || t.filters !== this.shape.filters) {
      throw new IriskError('TEMPLATE_INCOMPATIBLE', `template shape ${t.rows}x${t.cols}x${t.filters} differs from the gallery's ${this.shape.rows}x${this.shape.cols}x${this.shape.filters}`);
    }
    this.reserve(1);
    writeCells(t, this.buf, this.n * this.stride);
    return this.n++;
  }

  /**
   * Clears slot `t` in place: code and mask all zeros, so it has no usable bit and never matches
   * (distance 1 for every probe). Scans see the change at once.
   */
  erase(t: number): void {
    if (!Number.isInteger(t) || t < 0 || t >= this.n) throw new IriskError('INTERNAL', `no slot ${t} in a gallery of ${this.n}`);
    this.buf.fill(0, t * this.stride, (t + 1) * this.stride);
  }
}

/** A SharedArrayBuffer-backed array of `n` 16-bit words. */
export function sharedWords(n: number): Uint16Array {
  return new Uint16Array(new SharedArrayBuffer(n * 2));
}

/** A template's packed cells as the gallery stores them: code cells, then mask cells. */
export function templateCells(t: IrisTemplate): Uint16Array {
  const out = new Uint16Array(2 * (t.rows / 4) * t.cols);
  writeCells(t, out, 0);
  return out;
}

function writeCells(t: IrisTemplate, out: Uint16Array, at: number): void {
  const p = packTemplate(t);
  out.set(p.code, at);
  out.set(p.mask, at + p.code.length);
}
