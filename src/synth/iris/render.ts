/**
 * Renders one capture: skin and eyelids, sclera, the textured iris through the rubber-sheet
 * mapping, the pupil, lashes and specular reflections, then vignetting, exposure, blur and
 * sensor noise. It also returns the valid-iris mask, computed from the same geometry.
 */
import type { Rng } from '../../lib/rng.js';
import type { GrayImage } from '../../lib/image.js';
import { WARP_BINS, type CaptureParams } from './capture.js';
import { gaussianBlur, motionBlur, sensorStage } from './filters.js';
import { irisRayLength, parabolaY } from './geometry.js';
import { rasteriseLashes } from './lashes.js';
import { bump, decay, scratch, smoothstep, ValueNoise } from './noise.js';
import { sampleTexture, type IrisTexture } from './texture.js';

/** Lash coverage above which a pixel no longer counts as valid iris. */
export const LASH_MASK_THRESHOLD = 0.25;
/** Extra margin in pixels around specular spots excluded from the mask. */
export const SPOT_MASK_MARGIN = 1.5;

/** A rendered capture: the 8-bit image, its valid-iris mask (255 = valid) and the valid count. */
export interface RenderedCapture {
  image: GrayImage;
  mask: GrayImage;
  validPixels: number;
}

/** Low-frequency shading as a sum of a few random sinusoids along one axis. */
function shading(rng: Rng, n: number, period: number, amp: number): Float32Array {
  const out = new Float32Array(n);
  for (let k = 0; k < 3; k++) {
    const f = (2 * Math.PI) / (period * rng.uniform(0.6, 1.6));
    const ph = rng.uniform(0, 2 * Math.PI);
    const a = (amp * rng.uniform(0.3, 1)) / (k + 1);
    for (let i = 0; i < n; i++) out[i]! += a * Math.sin(f * i + ph);
  }
  return out;
}

/** Lid heights per image column. */
function lidRows(p: CaptureParams): { upper: Float32Array; lower: Float32Array } {
  const upper = new Float32Array(p.width);
  const lower = new Float32Array(p.width);
  for (let x = 0; x < p.width; x++) {
    upper[x] = parabolaY(p.upperLid, x);
    lower[x] = parabolaY(p.lowerLid, x);
  }
  return { upper, lower };
}

/**
 * Draws the skin wherever the eye is not fully open: soft shading, the lid creases above and
 * below the opening, the brow's shade higher up, and the lid margins next to the opening.
 */
function drawSkin(p: CaptureParams, rng: Rng, upper: Float32Array, lower: Float32Array, img: Float32Array): void {
  const { width: W, height: H } = p;
  const ri = p.iris.r;
  const rowShade = shading(rng.fork('rows'), H, 4 * ri, 6);
  const colShade = shading(rng.fork('cols'), W, 4 * ri, 6);
  const fine = new ValueNoise(rng.fork('skin'), W, H, 0.2 * ri);
  const invMarginW = 1 / (0.035 * ri);
  const invCreaseW = 1 / (0.1 * ri);
  const browStart = 1.1 * ri;
  const browEnd = 2.4 * ri;
  const margin = p.lashLevel + 30;
  const skinRow = new Float32Array(W);
  for (let y = 0; y < H; y++) {
    skinRow.set(colShade);
    fine.addRow(y, skinRow, 3.5);
    const base = p.skin + rowShade[y]!;
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const dU = y - upper[x]!;
      const dL = lower[x]! - y;
      if (dU >= 0.5 && dL >= 0.5) continue; // fully inside the opening
      let skin = base + skinRow[x]! - 22 * bump((dU + p.creaseOffset) * invCreaseW) - 6 * bump((dL + p.lowerCreaseOffset) * invCreaseW);
      if (dU < -browStart) skin -= 18 * smoothstep(browStart, browEnd, -dU);
      if (dU < 0) skin += (margin - skin) * 0.8 * decay(-dU * invMarginW);
      if (dL < 0) skin += 35 * bump((dL + 1.2) / 2) - 25 * decay(-dL * invMarginW * 0.67);
      img[o + x] = skin;
    }
  }
}

/**
 * Draws the open eye over the skin: sclera (darker towards the corners, in the upper lid's shadow
 * and at the caruncle), limbus, the textured iris, the pupil; anti-aliased along the lids. Marks
 * valid iris pixels in `mask`: inside the iris, outside the pupil, between the lids.
 */
function drawOpening(p: CaptureParams, tex: IrisTexture, upper: Float32Array, lower: Float32Array, img: Float32Array, mask: Uint8Array): void {
  const { width: W, height: H, iris, pupil } = p;
  const ri = iris.r;
  const eyeMid = (p.corners[0] + p.corners[1]) / 2;
  const invEyeHalf = 1 / Math.max(ri, (p.corners[1] - p.corners[0]) / 2);
  const limbusW = 0.025 * ri + 0.6;
  const pupilW = 0.6 + 0.004 * ri;
  const invShadowW = 1 / (0.15 * ri);
  const colScale = tex.cols / (2 * Math.PI);
  const warpScale = WARP_BINS / (2 * Math.PI);
  const irisReach2 = (ri + limbusW) ** 2;
  const car = p.caruncle;
  const { warpRho, warpCol } = p;

  // Rows that can be open (every pixel with open >= 1 must be drawn here: the skin skips them).
  const x0 = 0;
  const x1 = W - 1;
  let yTop = H;
  let yBottom = -1;
  for (let x = x0; x <= x1; x++) {
    yTop = Math.min(yTop, upper[x]!);
    yBottom = Math.max(yBottom, lower[x]!);
  }
  for (let y = Math.max(0, Math.floor(yTop)); y <= Math.min(H - 1, Math.ceil(yBottom)); y++) {
    const o = y * W;
    for (let x = x0; x <= x1; x++) {
      const dU = y - upper[x]!;
      const dL = lower[x]! - y;
      const open = (dU < dL ? dU : dL) + 0.5;
      if (open <= 0) continue;
      const t = (x - eyeMid) * invEyeHalf;
      let eye = p.sclera - 20 * t * t;
      const dxi = x - iris.x;
      const dyi = y - iris.y;
      const di2 = dxi * dxi + dyi * dyi;
      if (di2 < irisReach2) {
        const di = Math.sqrt(di2);
        const dxp = x - pupil.x;
        const dyp = y - pupil.y;
        const dp = Math.sqrt(dxp * dxp + dyp * dyp) || 1e-6;
        const ray = irisRayLength(pupil, iris, dxp / dp, dyp / dp);
        const rho = (dp - pupil.r) / (ray - pupil.r);
        let inner = p.pupilLevel;
        if (rho > -0.05) {
          // Texture coordinates: dilation shift and this capture's elastic wobble, then rotation.
          const r = rho < 0 ? 0 : rho > 1 ? 1 : rho;
          const theta = Math.atan2(dyp, dxp);
          const wf = (theta + Math.PI) * warpScale;
          const wi = Math.floor(wf);
          const wt = wf - wi;
          const w0 = wi % WARP_BINS;
          const w1 = (wi + 1) % WARP_BINS;
          const rt = r + 4 * r * (1 - r) * (p.deform + warpRho[w0]! + (warpRho[w1]! - warpRho[w0]!) * wt);
          const col = (theta - p.rotationRad) * colScale + warpCol[w0]! + (warpCol[w1]! - warpCol[w0]!) * wt;
          inner = p.irisMean + p.irisContrast * sampleTexture(tex, rt, col) - p.limbalDark * smoothstep(0.7, 1.05, r) - 6 * decay(r / 0.03);
        }
        if (dp < pupil.r + pupilW) {
          const a = 1 - smoothstep(pupil.r - pupilW, pupil.r + pupilW, dp);
          inner += (p.pupilLevel + 6 * (dyp / pupil.r) - inner) * a;
        }
        eye += (inner - eye) * (1 - smoothstep(ri - limbusW, ri + limbusW, di));
        if (di < ri && dp > pupil.r && dU > 0 && dL > 0) mask[o + x] = 255;
      }
      if (dU > 0) eye *= 1 - p.lidShadow * decay(dU * invShadowW);
      const cx = (x - car.x) / car.rx;
      const cy = (y - car.y) / car.ry;
      const c2 = cx * cx + cy * cy;
      if (c2 < 1) eye -= 45 * (1 - c2) * (1 - c2);
      img[o + x] = open >= 1 ? eye : img[o + x]! + (eye - img[o + x]!) * open;
    }
  }
}

/** Draws specular spots (saturated cores, soft edges) and removes them from the mask. */
function drawSpots(p: CaptureParams, img: Float32Array, mask: Uint8Array): void {
  const { width: W, height: H } = p;
  for (const s of p.spots) {
    const reach = 2.5 * s.r + 2; // the saturated core and a faint glow around it
    for (let y = Math.max(0, Math.floor(s.y - reach)); y <= Math.min(H - 1, Math.ceil(s.y + reach)); y++) {
      for (let x = Math.max(0, Math.floor(s.x - reach)); x <= Math.min(W - 1, Math.ceil(s.x + reach)); x++) {
        const d = Math.sqrt((x - s.x) * (x - s.x) + (y - s.y) * (y - s.y));
        const idx = y * W + x;
        const a = Math.max(1 - smoothstep(0.6 * s.r, s.r + 1, d), 0.12 * (1 - smoothstep(s.r, 2.5 * s.r + 2, d)));
        if (a > 0) img[idx] = img[idx]! + (s.peak - img[idx]!) * a;
        if (d < s.r + SPOT_MASK_MARGIN) mask[idx] = 0;
      }
    }
  }
}

/** Composites lashes over the image (they are in front of everything), masks them, counts valid pixels. */
function drawLashes(p: CaptureParams, img: Float32Array, mask: Uint8Array): number {
  const cov = rasteriseLashes(p.lashes, p.width, p.height);
  let valid = 0;
  for (let i = 0; i < img.length; i++) {
    const c = cov[i]!;
    if (c > 0) {
      img[i] = img[i]! + (p.lashLevel - img[i]!) * c;
      if (c > LASH_MASK_THRESHOLD) mask[i] = 0;
    }
    if (mask[i]) valid++;
  }
  return valid;
}

/**
 * Something drawn on the eye after the iris and sclera and before reflections, lashes and the
 * optics (a cosmetic contact lens, the gloss of a glass eye). `upper` and `lower` are the lid
 * heights per column: the eye is open where upper[x] < y < lower[x].
 */
export type SceneOverlay = (p: CaptureParams, img: Float32Array, upper: Float32Array, lower: Float32Array) => void;

/**
 * Renders the scene described by `p` with the eye's texture; `rng` drives pixel-level noise.
 * An optional overlay draws over the open eye (it consumes no randomness from `rng`).
 */
export function renderScene(p: CaptureParams, tex: IrisTexture, rng: Rng, overlay?: SceneOverlay): RenderedCapture {
  const { width: W, height: H } = p;
  const img = scratch('image', W * H);
  const mask = new Uint8Array(W * H);
  const { upper, lower } = lidRows(p);
  drawSkin(p, rng, upper, lower, img);
  drawOpening(p, tex, upper, lower, img, mask);
  overlay?.(p, img, upper, lower);
  drawSpots(p, img, mask);
  const validPixels = drawLashes(p, img, mask);
  gaussianBlur(img, W, H, p.blurSigma);
  const blurred = motionBlur(img, W, H, p.motionLength, p.motionAngle);
  const data = sensorStage(blurred, W, H, p, rng.fork('sensor'));
  return { image: { width: W, height: H, data }, mask: { width: W, height: H, data: mask }, validPixels };
}
