/**
 * The iris pipeline as data: an ordered list of stages, each with parameters merged over its
 * defaults and validated (unknown stages or keys, and values of the wrong type, are rejected).
 */
import { IriskError } from '../../lib/errors.js';
import { DEFAULT_ENCODE_PARAMS, type EncodeParams } from './gabor.js';
import { DEFAULT_LIMBUS_PARAMS, type LimbusParams } from './limbus.js';
import { DEFAULT_MATCH_PARAMS, type MatchParams } from './matcher.js';
import { DEFAULT_NORMALIZE_PARAMS, type NormalizeParams } from './normalize.js';
import { DEFAULT_OCCLUSION_PARAMS, type OcclusionParams } from './occlusion.js';
import { DEFAULT_PUPIL_PARAMS, type PupilParams } from './pupil.js';
import { DEFAULT_QUALITY_PARAMS, type QualityParams } from './quality.js';
import { DEFAULT_SPECULAR_PARAMS, type SpecularParams } from './specular.js';

/** Parameters of every stage, by stage name. */
export interface StageParams {
  specular: SpecularParams;
  pupil: PupilParams;
  limbus: LimbusParams;
  normalize: NormalizeParams;
  occlusion: OcclusionParams;
  encode: EncodeParams;
  quality: QualityParams;
}

export type StageName = keyof StageParams;

/** Stage order; `specular` and `quality` may be left out of a config, the others are required. */
export const STAGE_ORDER: readonly StageName[] = ['specular', 'pupil', 'limbus', 'normalize', 'occlusion', 'encode', 'quality'];
const OPTIONAL: ReadonlySet<StageName> = new Set(['specular', 'quality']);

const DEFAULTS: StageParams = {
  specular: DEFAULT_SPECULAR_PARAMS,
  pupil: DEFAULT_PUPIL_PARAMS,
  limbus: DEFAULT_LIMBUS_PARAMS,
  normalize: DEFAULT_NORMALIZE_PARAMS,
  occlusion: DEFAULT_OCCLUSION_PARAMS,
  encode: DEFAULT_ENCODE_PARAMS,
  quality: DEFAULT_QUALITY_PARAMS,
};

/** A validated pipeline configuration. */
export interface PipelineConfig {
  readonly stages: readonly StageName[];
  readonly params: StageParams;
  readonly match: MatchParams;
}

/** The default pipeline: every stage with its default parameters. */
export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = { stages: STAGE_ORDER, params: DEFAULTS, match: DEFAULT_MATCH_PARAMS };

/** The JSON form of a config: `{ "stages": [{ "stage": "pupil", "params": {...} }, ...], "match": {...} }`. */
export function configToJson(config: PipelineConfig): unknown {
  return { stages: config.stages.map((s) => ({ stage: s, params: config.params[s] })), match: config.match };
}

/** Validates a JSON config and merges it over the defaults; throws CONFIG_INVALID with the offending path. */
export function parsePipelineConfig(input: unknown): PipelineConfig {
  if (typeof input !== 'object' || input === null || !Array.isArray((input as { stages?: unknown }).stages)) {
    throw new IriskError('CONFIG_INVALID', 'A pipeline config is an object with a "stages" array');
  }
  const raw = input as { stages: unknown[]; match?: unknown };
  const params = { ...DEFAULTS } as Record<StageName, unknown>;
  const stages: StageName[] = [];
  raw.stages.forEach((entry, i) => {
    const e = entry as { stage?: unknown; params?: unknown };
    if (typeof e?.stage !== 'string' || !(e.stage in DEFAULTS)) {
      throw new IriskError('CONFIG_INVALID', `stages[${i}].stage must be one of ${STAGE_ORDER.join(', ')}`);
    }
    const name = e.stage as StageName;
    if (stages.includes(name)) throw new IriskError('CONFIG_INVALID', `stages[${i}]: stage "${name}" appears twice`);
    stages.push(name);
    params[name] = mergeChecked(DEFAULTS[name], e.params ?? {}, `stages[${i}].params`);
  });
  const order = stages.map((s) => STAGE_ORDER.indexOf(s));
  if (order.some((v, i) => i > 0 && v < order[i - 1]!)) throw new IriskError('CONFIG_INVALID', `Stages must come in the order ${STAGE_ORDER.join(', ')}`);
  for (const s of STAGE_ORDER) if (!OPTIONAL.has(s) && !stages.includes(s)) throw new IriskError('CONFIG_INVALID', `The required stage "${s}" is missing`);
  const match = mergeChecked(DEFAULT_MATCH_PARAMS, raw.match ?? {}, 'match') as MatchParams;
  const config: PipelineConfig = { stages, params: params as unknown as StageParams, match };
  checkRanges(config);
  return config;
}

/** Range and consistency checks that types alone do not catch; throws CONFIG_INVALID naming the parameter. */
function checkRanges(c: PipelineConfig): void {
  const fail = (path: string, rule: string): never => {
    throw new IriskError('CONFIG_INVALID', `${path} must be ${rule}`);
  };
  const int = (v: number, path: string, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) fail(path, `an integer from ${lo} to ${hi}`);
  };
  const num = (v: number, path: string, lo: number, hi: number, open = false): void => {
    if (open ? !(v > lo && v < hi) : !(v >= lo && v <= hi)) fail(path, `${open ? 'strictly ' : ''}between ${lo} and ${hi}`);
  };
  const { specular, pupil, limbus, normalize, occlusion, encode, quality } = c.params;
  num(specular.minIntensity, 'specular.minIntensity', 0, 255);
  num(specular.minContrast, 'specular.minContrast', 0, 255);
  num(specular.maxLocalMean, 'specular.maxLocalMean', 0, 255);
  int(specular.localRadius, 'specular.localRadius', 1, 64);
  int(specular.dilate, 'specular.dilate', 0, 64);
  int(pupil.workingSide, 'pupil.workingSide', 32, 4096);
  pupil.darkLevels.forEach((v, i) => num(v, `pupil.darkLevels[${i}]`, 0, 1, true));
  num(pupil.minRadiusFraction, 'pupil.minRadiusFraction', 0, 1, true);
  num(pupil.maxRadiusFraction, 'pupil.maxRadiusFraction', pupil.minRadiusFraction, 1);
  int(pupil.rays, 'pupil.rays', 8, 4096);
  num(pupil.minContrast, 'pupil.minContrast', 0, 255);
  int(pupil.openingRadius, 'pupil.openingRadius', 0, 64);
  int(pupil.maxCandidates, 'pupil.maxCandidates', 1, 100);
  num(limbus.minRadiusRatio, 'limbus.minRadiusRatio', 1, 100, true);
  num(limbus.maxRadiusRatio, 'limbus.maxRadiusRatio', limbus.minRadiusRatio, 100, true);
  num(limbus.maxCentreOffset, 'limbus.maxCentreOffset', 0, 10);
  num(limbus.sectorUpDeg, 'limbus.sectorUpDeg', 0, 90);
  num(limbus.sectorDownDeg, 'limbus.sectorDownDeg', 0, 90);
  if (limbus.sectorUpDeg + limbus.sectorDownDeg <= 0) fail('limbus.sectorUpDeg + limbus.sectorDownDeg', 'positive');
  num(limbus.profileSmoothing, 'limbus.profileSmoothing', 0, 64, true);
  num(limbus.minContrast, 'limbus.minContrast', 0, 255);
  int(limbus.workingSide, 'limbus.workingSide', 32, 4096);
  int(normalize.rows, 'normalize.rows', 4, 1024);
  int(normalize.cols, 'normalize.cols', 16, 8192);
  num(occlusion.brightK, 'occlusion.brightK', 0, 100, true);
  num(occlusion.darkK, 'occlusion.darkK', 0, 100, true);
  num(occlusion.lidFraction, 'occlusion.lidFraction', 0, 1);
  int(occlusion.lidSmoothing, 'occlusion.lidSmoothing', 0, normalize.cols / 2);
  int(encode.codeRows, 'encode.codeRows', 4, normalize.rows);
  if (encode.codeRows % 4 !== 0) fail('encode.codeRows', 'a multiple of 4 (the matcher packs 4 rows per cell)');
  int(encode.codeCols, 'encode.codeCols', 4, normalize.cols);
  if (encode.filters.length !== 2) fail('encode.filters', 'a list of exactly 2 filters (the matcher packs 2 filters x 2 bits per row)');
  encode.filters.forEach((f, i) => {
    num(f.wavelength, `encode.filters[${i}].wavelength`, 0, normalize.cols, true);
    num(f.sigmaTheta, `encode.filters[${i}].sigmaTheta`, 0, normalize.cols / 4, true);
    num(f.sigmaRho, `encode.filters[${i}].sigmaRho`, 0, normalize.rows, true);
  });
  num(encode.minSupport, 'encode.minSupport', 0, 1);
  num(encode.fragileFraction, 'encode.fragileFraction', 0, 1);
  for (const key of ['minPupilIrisRatio', 'maxPupilIrisRatio', 'maxOffgaze', 'eyeClosedVisibleFraction', 'minVisibleFraction', 'minUnmaskedBitFraction'] as const) {
    num(quality[key], `quality.${key}`, 0, 1);
  }
  num(quality.minSharpness, 'quality.minSharpness', 0, 1000);
  num(quality.minIrisDiameterPx, 'quality.minIrisDiameterPx', 0, 100_000);
  int(c.match.rotations, 'match.rotations', 0, Math.floor(encode.codeCols / 2));
  int(c.match.minOverlapBits, 'match.minOverlapBits', 1, 1 << 30);
  const n = c.match.normalisation as { kind: unknown; typicalBits?: unknown; mean?: unknown; gradient?: unknown };
  if (n.kind === 'daugman') {
    if (typeof n.typicalBits !== 'number' || !(n.typicalBits > 0)) fail('match.normalisation.typicalBits', 'a positive number');
  } else if (n.kind === 'linear') {
    if (typeof n.mean !== 'number' || !(n.mean > 0 && n.mean < 1)) fail('match.normalisation.mean', 'a number strictly between 0 and 1');
    if (typeof n.gradient !== 'number' || !(n.gradient > 0)) fail('match.normalisation.gradient', 'a positive number');
  } else if (n.kind !== 'none') fail('match.normalisation.kind', 'one of none, daugman, linear');
}

function mergeChecked(defaults: unknown, value: unknown, path: string): unknown {
  if (Array.isArray(defaults)) {
    if (!Array.isArray(value) || value.length === 0) throw new IriskError('CONFIG_INVALID', `${path} must be a non-empty array`);
    return value.map((v, i) => mergeChecked(defaults[0], v, `${path}[${i}]`));
  }
  if (typeof defaults === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new IriskError('CONFIG_INVALID', `${path} must be a finite number`);
    return value;
  }
  if (typeof defaults === 'string') {
    if (typeof value !== 'string') throw new IriskError('CONFIG_INVALID', `${path} must be a string`);
    return value;
  }
  if (typeof defaults === 'object' && defaults !== null) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IriskError('CONFIG_INVALID', `${path} must be an object`);
    const d = defaults as Record<string, unknown>;
    const v = value as Record<string, unknown>;
    // A tagged union (e.g. normalisation) is replaced whole when its kind changes.
    if ('kind' in d && 'kind' in v && v.kind !== d.kind) return v;
    const out: Record<string, unknown> = { ...d };
    for (const key of Object.keys(v)) {
      if (!(key in d)) throw new IriskError('CONFIG_INVALID', `${path}.${key} is not a known parameter`);
      out[key] = mergeChecked(d[key], v[key], `${path}.${key}`);
    }
    return out;
  }
  return value;
}
