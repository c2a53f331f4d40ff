/**
 * Where a flat artefact (a print, a screen) sits in front of the camera: a similarity (zoom,
 * rotation, shift) with a slight perspective tilt, mapping the artefact's own coordinates (the
 * pixels of the photo it shows, the "medium") to camera pixels and back, and moving ground
 * truth and masks along.
 */
import type { GrayImage } from '../../../lib/image.js';
import { fitParabola, parabolaY, type Circle, type Parabola } from '../geometry.js';
import type { IrisCaptureTruth } from '../truth.js';

/** The pose of the artefact. */
export interface ArtefactPose {
  /** Camera pixels per medium pixel at the frame centre. */
  zoom: number;
  /** In-plane rotation, degrees, clockwise on screen. */
  rotationDeg: number;
  /** Offset of the medium's centre from the frame centre, camera pixels. */
  shiftX: number;
  shiftY: number;
  /** Perspective: fractional change of scale from the frame centre to its right / bottom edge. */
  keystoneX: number;
  keystoneY: number;
}

/** The mapping between camera pixels and medium coordinates for one frame size and pose. */
export class RecaptureGeometry {
  private readonly cos: number;
  private readonly sin: number;
  private readonly ax: number;
  private readonly ay: number;
  private readonly cx: number;
  private readonly cy: number;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly pose: ArtefactPose,
  ) {
    const a = (pose.rotationDeg * Math.PI) / 180;
    this.cos = Math.cos(a);
    this.sin = Math.sin(a);
    this.ax = pose.keystoneX / (width / 2);
    this.ay = pose.keystoneY / (height / 2);
    this.cx = width / 2 - 0.5;
    this.cy = height / 2 - 0.5;
  }

  /** Medium coordinates seen at camera pixel (x, y); written to out[0], out[1]. */
  toMedium(x: number, y: number, out: Float64Array): void {
    let rx = x - this.cx - this.pose.shiftX;
    let ry = y - this.cy - this.pose.shiftY;
    const w = 1 / (1 - this.ax * rx - this.ay * ry);
    rx *= w;
    ry *= w;
    out[0] = (this.cos * rx + this.sin * ry) / this.pose.zoom + this.cx;
    out[1] = (-this.sin * rx + this.cos * ry) / this.pose.zoom + this.cy;
  }

  /** Medium coordinates of the camera points (x0 + i dx, y), i < us.length, written to us and vs. */
  mapRow(y: number, x0: number, dx: number, us: Float64Array, vs: Float64Array): void {
    const { zoom, shiftX, shiftY } = this.pose;
    const ry = y - this.cy - shiftY;
    const inv = 1 / zoom;
    for (let i = 0; i < us.length; i++) {
      const rx = x0 + i * dx - this.cx - shiftX;
      const w = inv / (1 - this.ax * rx - this.ay * ry);
      us[i] = (this.cos * rx + this.sin * ry) * w + this.cx;
      vs[i] = (-this.sin * rx + this.cos * ry) * w + this.cy;
    }
  }

  /** Camera pixel showing medium point (u, v); written to out[0], out[1]. */
  toCamera(u: number, v: number, out: Float64Array): void {
    const qx = (u - this.cx) * this.pose.zoom;
    const qy = (v - this.cy) * this.pose.zoom;
    const rx = this.cos * qx - this.sin * qy;
    const ry = this.sin * qx + this.cos * qy;
    const w = 1 + this.ax * rx + this.ay * ry;
    out[0] = this.cx + this.pose.shiftX + rx / w;
    out[1] = this.cy + this.pose.shiftY + ry / w;
  }

  /** Linear magnification (square root of the Jacobian determinant) at medium point (u, v). */
  localScale(u: number, v: number): number {
    const p = new Float64Array(2);
    const px = new Float64Array(2);
    const py = new Float64Array(2);
    this.toCamera(u, v, p);
    this.toCamera(u + 1, v, px);
    this.toCamera(u, v + 1, py);
    const det = (px[0]! - p[0]!) * (py[1]! - p[1]!) - (px[1]! - p[1]!) * (py[0]! - p[0]!);
    return Math.sqrt(Math.abs(det));
  }

  /** A circle of the medium as seen by the camera (centre mapped, radius scaled locally). */
  circle(c: Circle): Circle {
    const p = new Float64Array(2);
    this.toCamera(c.x, c.y, p);
    return { x: p[0]!, y: p[1]!, r: c.r * this.localScale(c.x, c.y) };
  }

  /** A lid parabola of the medium as seen by the camera: refitted over +/- `halfSpan` around `centreX`. */
  lid(lid: Parabola, centreX: number, halfSpan: number, origin: { x: number; y: number }): Parabola {
    const n = 41;
    const ts = new Float64Array(n);
    const ys = new Float64Array(n);
    const p = new Float64Array(2);
    for (let k = 0; k < n; k++) {
      const u = centreX + halfSpan * ((2 * k) / (n - 1) - 1);
      this.toCamera(u, parabolaY(lid, u), p);
      ts[k] = p[0]! - origin.x;
      ys[k] = p[1]! - origin.y;
    }
    return fitParabola(ts, ys, origin.x, origin.y);
  }

  /** The truth of the medium's photo as seen by the camera; visibleFraction comes from `mask`. */
  truth(t: IrisCaptureTruth, mask: GrayImage): IrisCaptureTruth {
    const pupil = this.circle(t.pupil);
    const iris = this.circle(t.iris);
    const span = 1.8 * t.iris.r;
    let valid = 0;
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) valid++;
    const annulus = Math.PI * (iris.r * iris.r - pupil.r * pupil.r);
    return {
      pupil,
      iris,
      upperLid: this.lid(t.upperLid, t.iris.x, span, iris),
      lowerLid: this.lid(t.lowerLid, t.iris.x, span, iris),
      rotationDeg: t.rotationDeg + this.pose.rotationDeg,
      pupilRatio: pupil.r / iris.r,
      visibleFraction: Math.min(1, valid / annulus),
    };
  }

  /** A mask of the medium resampled (nearest) into the camera frame; 0 outside the medium. */
  mask(src: GrayImage): GrayImage {
    const { width: W, height: H } = this;
    const out = new Uint8Array(W * H);
    const p = new Float64Array(2);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        this.toMedium(x, y, p);
        const u = Math.round(p[0]!);
        const v = Math.round(p[1]!);
        if (u >= 0 && v >= 0 && u < src.width && v < src.height) out[y * W + x] = src.data[v * src.width + u]!;
      }
    }
    return { width: W, height: H, data: out };
  }
}
