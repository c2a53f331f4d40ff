import { describe, expect, it } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { configToJson, DEFAULT_PIPELINE_CONFIG, parsePipelineConfig } from './config.js';

function withChange(path: string[], value: unknown): unknown {
  const json = JSON.parse(JSON.stringify(configToJson(DEFAULT_PIPELINE_CONFIG))) as Record<string, unknown>;
  let node: Record<string, unknown> = json;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return json;
}

function expectInvalid(input: unknown, fragment: string): void {
  try {
    parsePipelineConfig(input);
    expect.unreachable('expected CONFIG_INVALID');
  } catch (e) {
    expect(isIriskError(e, 'CONFIG_INVALID')).toBe(true);
    expect((e as Error).message).toContain(fragment);
  }
}

describe('pipeline config', () => {
  it('the default config round-trips through JSON', () => {
    const back = parsePipelineConfig(JSON.parse(JSON.stringify(configToJson(DEFAULT_PIPELINE_CONFIG))));
    expect(back).toEqual(DEFAULT_PIPELINE_CONFIG);
  });

  it('a partial config overrides only what it names', () => {
    const c = parsePipelineConfig({ stages: [{ stage: 'pupil', params: { rays: 60 } }, { stage: 'limbus' }, { stage: 'normalize' }, { stage: 'occlusion' }, { stage: 'encode' }] });
    expect(c.params.pupil.rays).toBe(60);
    expect(c.params.pupil.minContrast).toBe(DEFAULT_PIPELINE_CONFIG.params.pupil.minContrast);
    expect(c.stages).not.toContain('quality');
  });

  const cases: [string, unknown, string][] = [
    ['not an object', 42, 'stages'],
    ['an unknown stage', { stages: [{ stage: 'magic' }] }, 'stages[0].stage'],
    ['a missing required stage', { stages: [{ stage: 'pupil' }] }, 'limbus'],
    ['stages out of order', { stages: ['limbus', 'pupil', 'normalize', 'occlusion', 'encode'].map((s) => ({ stage: s })) }, 'order'],
    ['an unknown parameter', withChange(['stages', '1', 'params', 'bogus'], 1), 'bogus'],
    ['a string for a number', withChange(['stages', '1', 'params', 'rays'], 'many'), 'rays'],
    ['fractional rotations', withChange(['match', 'rotations'], 2.5), 'match.rotations'],
    ['too many rotations', withChange(['match', 'rotations'], 1e9), 'match.rotations'],
    ['an unknown normalisation', withChange(['match', 'normalisation'], { kind: 'bogus' }), 'normalisation.kind'],
    ['daugman without typicalBits', withChange(['match', 'normalisation'], { kind: 'daugman' }), 'typicalBits'],
    ['negative normalised rows', withChange(['stages', '3', 'params', 'rows'], -4), 'normalize.rows'],
    ['code rows not a multiple of 4', withChange(['stages', '5', 'params', 'codeRows'], 10), 'codeRows'],
    ['three filters', withChange(['stages', '5', 'params', 'filters'], [{ wavelength: 9, sigmaTheta: 3, sigmaRho: 2 }, { wavelength: 9, sigmaTheta: 3, sigmaRho: 2 }, { wavelength: 9, sigmaTheta: 3, sigmaRho: 2 }]), 'filters'],
    ['a dark level of 1.5', withChange(['stages', '1', 'params', 'darkLevels'], [0.2, 1.5]), 'darkLevels[1]'],
  ];
  for (const [name, input, fragment] of cases) it(`rejects ${name}`, () => expectInvalid(input, fragment));
});
