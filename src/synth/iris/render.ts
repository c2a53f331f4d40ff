/**
 * Renders one capture: skin and eyelids, sclera, the textured iris through the rubber-sheet
 * mapping, the pupil, lashes and specular reflections, then vignetting, exposure, blur and
 * sensor noise. It also returns the valid-iris mask, computed from the same geometry.
 */
import type { Rng } from '../../lib/rng.js';
import type { GrayImage } from '../../lib/image.js';
import type { CaptureParams } from './capture.js';
import { gaussianBlur, motionBlur, sensorStage } from './filters.js';
import { irisRayLength, parabolaY } from './geometry.js';
import { rasteriseLashes } from './lashes.js';
import { bump, decay, smoothstep, ValueNoise } from './noise.js';
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

/** Renders the scene described by `p` with the eye's texture; `rng` drives pixel-level noise. */
export function renderScene(p: CaptureParams, tex: IrisTexture, rng: Rng): RenderedCapture {
  const { width: W, height: H, iris, pupil } = p;
  const ri = iris.r;
  const img = new Float32Array(W * H);
  const mask = new Uint8Array(W * H);

  const upper = new Float32Array(W);
  const lower = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    upper[x] = parabolaY(p.upperLid, x);
    lower[x] = parabolaY(p.lowerLid, x);
  }
  const coarse = new ValueNoise(rng.fork('skin-coarse'), W, H, 0.7 * ri);
  const fine = new ValueNoise(rng.fork('skin-fine'), W, H, 0.12 * ri);
  const eyeMid = (p.corners[0] + p.corners[1]) / 2;
  const eyeHalf = Math.max(ri, (p.corners[1] - p.corners[0]) / 2);
  const limbusW = 0.035 * ri + 0.6;
  const pupilW = 0.6 + 0.004 * ri;
  const marginW = 0.035 * ri;
  const invCreaseW = 1 / (0.1 * ri);
  const shadowW = 0.15 * ri;
  const cols = tex.cols;
  const colScale = cols / (2 * Math.PI);
  let validPixels = 0;

  const skinRow = new Float32Array(W);
  for (let y = 0; y < H; y++) {
    skinRow.fill(p.skin);
    coarse.addRow(y, skinRow, 10);
    fine.addRow(y, skinRow, 4);
    for (let x = 0; x < W; x++) {
      const idx = y * W + x;
      const dU = y - upper[x]!;
      const dL = lower[x]! - y;

      // Skin, with the lid crease above the upper lid and the lid margins next to the opening.
      let skin = skinRow[x]!;
      skin -= 22 * bump((dU + p.creaseOffset) * invCreaseW);
      if (dU < 0) skin += (p.lashLevel + 30 - skin) * 0.8 * decay(-dU / marginW);
      if (dL < 0) skin += 35 * bump((dL + 1.2) / 2) - 25 * decay(-dL / (1.5 * marginW));

      const open = Math.min(dU, dL) + 0.5;
      let value = skin;
      if (open > 0) {
        const t = (x - eyeMid) / eyeHalf;
        let eye = p.sclera - 25 * t * t;
        const dxi = x - iris.x;
        const dyi = y - iris.y;
        const di = Math.sqrt(dxi * dxi + dyi * dyi);
        if (di < ri + limbusW) {
          const dxp = x - pupil.x;
          const dyp = y - pupil.y;
          const dp = Math.sqrt(dxp * dxp + dyp * dyp) || 1e-6;
          const ux = dxp / dp;
          const uy = dyp / dp;
          const ray = irisRayLength(pupil, iris, ux, uy);
          const rho = (dp - pupil.r) / (ray - pupil.r);
          let inner: number;
          if (rho > -0.05) {
            const r = rho < 0 ? 0 : rho > 1 ? 1 : rho;
            const rt = r + p.deform * 4 * r * (1 - r);
            const col = (Math.atan2(dyp, dxp) - p.rotationRad) * colScale;
            inner =
              p.irisMean + p.irisContrast * sampleTexture(tex, rt, col) - p.limbalDark * smoothstep(0.7, 1.05, r) - 6 * decay(r / 0.03);
          } else inner = p.pupilLevel;
          if (dp < pupil.r + pupilW) {
            const a = 1 - smoothstep(pupil.r - pupilW, pupil.r + pupilW, dp);
            inner += (p.pupilLevel + 6 * (dyp / pupil.r) - inner) * a;
          }
          const a = 1 - smoothstep(ri - limbusW, ri + limbusW, di);
          eye += (inner - eye) * a;
          if (di < ri && dp > pupil.r && dU > 0 && dL > 0) mask[idx] = 255;
        }
        if (dU > 0) eye *= 1 - p.lidShadow * decay(dU / shadowW);
        value = open >= 1 ? eye : skin + (eye - skin) * open;
      }
      img[idx] = value;
    }
  }

  // Lashes darken what lies behind them and hide it from the mask.
  const cov = rasteriseLashes(p.lashes, W, H);
  for (let i = 0; i < img.length; i++) {
    const c = cov[i]!;
    if (c > 0) {
      img[i] = img[i]! + (p.lashLevel - img[i]!) * c;
      if (c > LASH_MASK_THRESHOLD) mask[i] = 0;
    }
  }

  // Specular reflections: saturated cores with a soft edge.
  for (const s of p.spots) {
    const reach = s.r + 2;
    for (let y = Math.max(0, Math.floor(s.y - reach)); y <= Math.min(H - 1, Math.ceil(s.y + reach)); y++) {
      for (let x = Math.max(0, Math.floor(s.x - reach)); x <= Math.min(W - 1, Math.ceil(s.x + reach)); x++) {
        const d = Math.sqrt((x - s.x) * (x - s.x) + (y - s.y) * (y - s.y));
        const idx = y * W + x;
        const a = 1 - smoothstep(0.6 * s.r, s.r + 1, d);
        if (a > 0) img[idx] = img[idx]! + (s.peak - img[idx]!) * a;
        if (d < s.r + SPOT_MASK_MARGIN) mask[idx] = 0;
      }
    }
  }

  for (let i = 0; i < mask.length; i++) if (mask[i]) validPixels++;

  gaussianBlur(img, W, H, p.blurSigma);
  const blurred = motionBlur(img, W, H, p.motionLength, p.motionAngle);
  const data = sensorStage(blurred, W, H, p, rng.fork('sensor'));
  return { image: { width: W, height: H, data }, mask: { width: W, height: H, data: mask }, validPixels };
}
