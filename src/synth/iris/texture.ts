/**
 * The identity of a synthetic eye: a stroma texture in normalised polar coordinates (rows: rho
 * from the pupil boundary, 0, to the limbus, 1; columns: theta over one turn). It is built once
 * per eye from radially stretched fibres, round blobs, crypts, the collarette, contraction furrows
 * and pigment spots, and every capture of that eye renders by looking it up.
 */
import type { Rng } from '../../lib/rng.js';
import { bump, clamp, filteredNoise, smoothstep, standardise } from './noise.js';

export const TEXTURE_ROWS = 96;
export const TEXTURE_COLS = 1024;

/** A polar texture, zero mean and unit standard deviation; row-major, columns wrap around. */
export interface IrisTexture {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Texture detail around one rho: the zone where crypts gather, shared by several layers. */
interface Collarette {
  base: number;
  harmonics: { k: number; amp: number; phase: number }[];
}

function collaretteRho(c: Collarette, theta: number): number {
  let r = c.base;
  for (const h of c.harmonics) r += h.amp * Math.cos(h.k * theta + h.phase);
  return r;
}

/** Columns per unit of image distance (in iris radii) at a given rho, for a typical pupil ratio. */
function colsPerRadius(rho: number): number {
  return TEXTURE_COLS / (2 * Math.PI * (0.4 + 0.6 * rho));
}
const ROWS_PER_RADIUS = TEXTURE_ROWS / 0.6;

/** Samples one grid row at a fractional column with wrap-around (linear interpolation). */
function rowAt(grid: Float32Array, row: number, col: number): number {
  const C = TEXTURE_COLS;
  const j = Math.floor(col);
  const t = col - j;
  const j0 = ((j % C) + C) % C;
  const j1 = j0 + 1 === C ? 0 : j0 + 1;
  const base = row * C;
  return grid[base + j0]! * (1 - t) + grid[base + j1]! * t;
}

/**
 * Adds a soft elliptical feature centred at (rho, theta) with radial and angular half-sizes given
 * in rows and columns. The profile is a flattened Gaussian of depth `amp`, with an optional
 * bright rim (crypts have raised edges), and an irregular outline.
 */
function addBlob(
  out: Float32Array,
  rng: Rng,
  rho: number,
  col: number,
  halfRows: number,
  halfCols: number,
  amp: number,
  rim: number,
): void {
  const R = TEXTURE_ROWS;
  const C = TEXTURE_COLS;
  const ci = rho * R - 0.5;
  const lobes = rng.int(2, 5);
  const lobePhase = rng.uniform(0, 2 * Math.PI);
  const lobeAmp = rng.uniform(0.05, 0.3);
  const tilt = rng.uniform(-0.5, 0.5);
  const i0 = Math.max(0, Math.floor(ci - 1.8 * halfRows));
  const i1 = Math.min(R - 1, Math.ceil(ci + 1.8 * halfRows));
  const jSpan = Math.ceil(1.8 * halfCols + Math.abs(tilt) * 1.8 * halfRows);
  for (let i = i0; i <= i1; i++) {
    const dr = (i - ci) / halfRows;
    for (let dj = -jSpan; dj <= jSpan; dj++) {
      const dc = (dj - tilt * (i - ci)) / halfCols;
      const d2 = dr * dr + dc * dc;
      if (d2 > 3.3) continue;
      const ang = Math.atan2(dr, dc);
      const d = Math.sqrt(d2) / (1 + lobeAmp * Math.sin(lobes * ang + lobePhase));
      const body = Math.exp(-(d * d * d * d));
      const edge = rim * Math.exp(-((d - 1.15) * (d - 1.15)) / 0.04);
      const j = (((Math.round(col) + dj) % C) + C) % C;
      out[i * C + j]! += amp * body + edge;
    }
  }
}

/** Adds a thin concentric arc (a contraction furrow) at rho0 spanning `spanCols` columns. */
function addFurrow(out: Float32Array, rng: Rng, rho0: number, col0: number, spanCols: number, widthRows: number, amp: number): void {
  const R = TEXTURE_ROWS;
  const C = TEXTURE_COLS;
  const wobbleK = rng.uniform(2, 6);
  const wobbleA = rng.uniform(0.005, 0.02);
  const phase = rng.uniform(0, 2 * Math.PI);
  for (let dj = -Math.ceil(spanCols / 2); dj <= Math.ceil(spanCols / 2); dj++) {
    const s = dj / (spanCols / 2);
    const fade = 1 - s * s;
    if (fade <= 0) continue;
    const j = (((Math.round(col0) + dj) % C) + C) % C;
    const rho = rho0 + wobbleA * Math.sin((wobbleK * Math.PI * dj) / spanCols + phase);
    const ci = rho * R - 0.5;
    for (let i = Math.max(0, Math.floor(ci - 3 * widthRows)); i <= Math.min(R - 1, Math.ceil(ci + 3 * widthRows)); i++) {
      const d = (i - ci) / widthRows;
      out[i * C + j]! += amp * fade * Math.exp(-d * d);
    }
  }
}

/**
 * Adds the trabecular meshwork: a cellular (Worley) pattern whose cell borders are thin bright
 * ridges and whose cells are shallow or deep (crypt-like) pits. Cells are roughly round in the
 * image, densest just outside the collarette and sparse near the limbus.
 */
function addTrabeculae(out: Float32Array, rng: Rng, collRho: Float32Array, amount: number): void {
  const R = TEXTURE_ROWS;
  const C = TEXTURE_COLS;
  const spacing = rng.uniform(0.055, 0.085); // typical cell size in iris radii
  const reach = 1.2 * spacing; // far enough to find the second-nearest site near cell borders
  const f1 = new Float32Array(R * C).fill(1e9);
  const f2 = new Float32Array(R * C).fill(1e9);
  const owner = new Int32Array(R * C).fill(-1);
  const depth: number[] = [];
  // Points: rejection-sampled over the annulus (area ~ rho-weighted) with a density bump
  // outside the collarette.
  const tries = Math.round((amount * 3.2) / (spacing * spacing));
  for (let n = 0; n < tries; n++) {
    const rho = rng.next();
    const col = rng.uniform(0, C);
    const rc = collRho[Math.floor(col) % C]!;
    const density = 0.25 + 0.75 * Math.exp(-(((rho - rc - 0.12) / 0.18) ** 2));
    if (!rng.chance(density * (0.4 + 0.6 * rho))) continue;
    const id = depth.length;
    depth.push(rng.chance(0.35) ? rng.uniform(0.8, 2) : rng.uniform(0, 0.6));
    const ci = rho * R - 0.5;
    const cpr = colsPerRadius(rho);
    const di = Math.ceil(reach * ROWS_PER_RADIUS);
    const dj = Math.ceil(reach * cpr);
    for (let i = Math.max(0, Math.floor(ci - di)); i <= Math.min(R - 1, Math.ceil(ci + di)); i++) {
      const dr = (i - ci) / ROWS_PER_RADIUS;
      for (let o = -dj; o <= dj; o++) {
        const j = (((Math.floor(col) + o) % C) + C) % C;
        const dc = (Math.floor(col) + o - col) / cpr;
        const d = dr * dr + dc * dc; // squared until the end
        const k = i * C + j;
        if (d < f1[k]!) {
          f2[k] = f1[k]!;
          f1[k] = d;
          owner[k] = id;
        } else if (d < f2[k]!) f2[k] = d;
      }
    }
  }
  const ridgeW = 0.16 * spacing;
  for (let i = 0; i < R; i++) {
    const rho = (i + 0.5) / R;
    for (let j = 0; j < C; j++) {
      const k = i * C + j;
      if (owner[k]! < 0) continue;
      const rc = collRho[j]!;
      const zone = 0.2 + 0.9 * smoothstep(rc - 0.03, rc + 0.02, rho) * (1 - smoothstep(rc + 0.2, rc + 0.5, rho));
      const d1 = Math.sqrt(f1[k]!);
      const gap = Math.min(Math.sqrt(f2[k]!) - d1, reach) / ridgeW;
      const ridge = Math.exp(-gap * gap);
      const centre = Math.exp(-((d1 / (0.5 * spacing)) ** 2));
      out[k]! += zone * amount * (0.9 * ridge - depth[owner[k]!]! * (0.35 + 0.65 * centre) * (1 - ridge));
    }
  }
}

/**
 * Builds the stroma texture of one eye from its own random stream. Different streams give
 * independent textures; the same stream always gives the same texture.
 */
export function buildIrisTexture(rng: Rng): IrisTexture {
  const R = TEXTURE_ROWS;
  const C = TEXTURE_COLS;
  const out = new Float32Array(R * C);

  // Per-eye character: how grainy, fibrous, crypt-rich; how strong the collarette.
  const wGrain = rng.uniform(0.35, 0.6);
  const wFine = rng.uniform(0.2, 0.4);
  const wFibre = rng.uniform(0.35, 0.6);
  const wBundle = rng.uniform(0.35, 0.6);
  const wBlob = rng.uniform(0.15, 0.35);
  const cryptiness = rng.uniform(0.5, 1.6);
  const cellularity = rng.uniform(0.8, 1.8);

  const collarette: Collarette = {
    base: rng.uniform(0.25, 0.35),
    harmonics: Array.from({ length: 8 }, (_, n) => ({
      k: n < 4 ? rng.int(2, 7) : rng.int(8, 24),
      amp: n < 4 ? rng.uniform(0.004, 0.016) : rng.uniform(0.002, 0.007),
      phase: rng.uniform(0, 2 * Math.PI),
    })),
  };

  // Fibres: radially stretched noise, sampled through a slowly varying angular warp so that the
  // strands wander and curve instead of running as straight spokes. Grain is the fine isotropic
  // stroma detail at about pixel scale.
  const warp = filteredNoise(rng.fork('warp'), R, C, 14, 40);
  const warpAmp = rng.uniform(4, 10);
  const grain = filteredNoise(rng.fork('grain'), R, C, 1.6, 2.5);
  const fine = filteredNoise(rng.fork('fine'), R, C, 5, 1.8);
  const fibre = filteredNoise(rng.fork('fibre'), R, C, 9, 4);
  const bundle = filteredNoise(rng.fork('bundle'), R, C, 14, 10);
  const blob = filteredNoise(rng.fork('blob'), R, C, 6, 10);
  const zoneShift = rng.uniform(-0.7, 0.7);

  const collRho = new Float32Array(C);
  for (let j = 0; j < C; j++) collRho[j] = collaretteRho(collarette, (2 * Math.PI * j) / C);

  for (let i = 0; i < R; i++) {
    const rho = (i + 0.5) / R;
    // Fibre detail fades towards the limbus, where the real stroma is smoother.
    const outer = 1 - 0.45 * smoothstep(0.75, 1, rho);
    for (let j = 0; j < C; j++) {
      const k = i * C + j;
      const w = warp[k]! * warpAmp * (0.3 + rho);
      const f = rowAt(fine, i, j + w);
      const ridge = 0.8 - Math.abs(f);
      const rc = collRho[j]!;
      const fibreGain = rho < rc ? 1.3 : 1;
      const step = zoneShift * smoothstep(rc - 0.02, rc + 0.02, rho);
      const ring = 0.9 * bump((rho - rc) / 0.04);
      out[k] =
        outer *
          (wGrain * grain[k]! +
            fibreGain * (wFine * (0.5 * f + ridge) + wFibre * rowAt(fibre, i, j + w)) +
            wBundle * rowAt(bundle, i, j + 0.5 * w) +
            wBlob * blob[k]!) +
        step +
        ring;
    }
  }

  addTrabeculae(out, rng.fork('cells'), collRho, cellularity);

  // Crypts: dark lacunae with raised rims, gathered just outside the collarette, with a few
  // scattered over the ciliary zone.
  const cryptRng = rng.fork('crypts');
  const crypts = Math.round(cryptiness * cryptRng.int(18, 45));
  for (let n = 0; n < crypts; n++) {
    const col = cryptRng.uniform(0, C);
    const near = cryptRng.chance(0.7);
    const rc = collRho[Math.floor(col) % C]!;
    const rho = near ? clamp(rc + cryptRng.uniform(0.02, 0.2), 0.05, 0.9) : cryptRng.uniform(0.1, 0.85);
    const size = cryptRng.uniform(0.025, 0.08); // half-size in iris radii
    const aspect = cryptRng.uniform(1.0, 2.2); // crypts run radially
    addBlob(
      out,
      cryptRng,
      rho,
      col,
      size * aspect * ROWS_PER_RADIUS * 0.6,
      size * colsPerRadius(rho) * 0.8,
      -cryptRng.uniform(1.0, 2.4),
      cryptRng.uniform(0.1, 0.6),
    );
  }

  // Contraction furrows: thin concentric arcs in the outer ciliary zone.
  const furrowRng = rng.fork('furrows');
  const furrows = furrowRng.int(2, 8);
  for (let n = 0; n < furrows; n++) {
    addFurrow(
      out,
      furrowRng,
      furrowRng.uniform(0.55, 0.92),
      furrowRng.uniform(0, C),
      furrowRng.uniform(60, 340),
      furrowRng.uniform(0.8, 1.8),
      -furrowRng.uniform(0.8, 1.6),
    );
  }

  // Pigment spots: a few small round dark (occasionally bright) freckles.
  const spotRng = rng.fork('spots');
  const spots = spotRng.int(0, 5);
  for (let n = 0; n < spots; n++) {
    const rho = spotRng.uniform(0.3, 0.9);
    const size = spotRng.uniform(0.015, 0.04);
    addBlob(out, spotRng, rho, spotRng.uniform(0, C), size * ROWS_PER_RADIUS, size * colsPerRadius(rho), spotRng.chance(0.8) ? -2.5 : 1.5, 0);
  }

  return { rows: R, cols: C, data: standardise(out) };
}

/**
 * Bilinear lookup of the texture at rho (clamped to [0, 1]) and theta in columns (wrapping).
 * Rows sit at rho = (i + 0.5) / rows.
 */
export function sampleTexture(tex: IrisTexture, rho: number, col: number): number {
  const C = tex.cols;
  let fr = rho * tex.rows - 0.5;
  fr = fr < 0 ? 0 : fr > tex.rows - 1 ? tex.rows - 1 : fr;
  const i = Math.min(tex.rows - 2, Math.floor(fr));
  const ti = fr - i;
  const jf = Math.floor(col);
  const tj = col - jf;
  const j0 = ((jf % C) + C) % C;
  const j1 = j0 + 1 === C ? 0 : j0 + 1;
  const d = tex.data;
  const a = i * C;
  const b = a + C;
  const top = d[a + j0]! + (d[a + j1]! - d[a + j0]!) * tj;
  const bottom = d[b + j0]! + (d[b + j1]! - d[b + j0]!) * tj;
  return top + (bottom - top) * ti;
}
