/**
 * The image the segmentation stages share: full resolution after reflection removal, with its
 * downsampled versions computed once, on first use.
 */
import { downsample, type FloatImage } from '../../lib/imageops.js';

/** A full-resolution float image and its cached downsampled versions. */
export class WorkingImage {
  private readonly pyramid = new Map<number, FloatImage>();

  constructor(readonly full: FloatImage) {}

  get width(): number {
    return this.full.width;
  }

  get height(): number {
    return this.full.height;
  }

  /** The image downsampled by an integer factor (block means); factor 1 is the full image. */
  downsampled(factor: number): FloatImage {
    if (factor <= 1) return this.full;
    let img = this.pyramid.get(factor);
    if (!img) {
      img = downsample(this.full, factor);
      this.pyramid.set(factor, img);
    }
    return img;
  }

  /** The downsampling factor that brings the shorter side to about `side` pixels. */
  factorFor(side: number): number {
    return Math.max(1, Math.floor(Math.min(this.width, this.height) / side));
  }
}
