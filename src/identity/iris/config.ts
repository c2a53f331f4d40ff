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
  return { stages, params: params as unknown as StageParams, match };
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
