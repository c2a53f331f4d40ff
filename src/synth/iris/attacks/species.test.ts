import { describe, expect, it } from 'vitest';
import { isIriskError } from '../../../lib/errors.js';
import { ATTACK_SPECIES, formatAttackParams, parseAttackParams, parseAttackSpecies, resolveAttacks } from './species.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isIriskError(e, 'USAGE')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a USAGE error');
}

describe('attack species options', () => {
  it('parses a comma-separated list into manifest order', () => {
    expect(parseAttackSpecies('prosthetic, print')).toEqual(['print', 'prosthetic']);
    expect(parseAttackSpecies('print,screen,lens,prosthetic')).toEqual([...ATTACK_SPECIES]);
  });

  it('rejects unknown, repeated and missing species, listing the valid ones', () => {
    const msg = usageMessage(() => parseAttackSpecies('print,photo'));
    expect(msg).toContain('"photo"');
    expect(msg).toContain('print, screen, lens, prosthetic');
    expect(usageMessage(() => parseAttackSpecies('print,print'))).toMatch(/repeated/);
    expect(usageMessage(() => parseAttackSpecies(' , '))).toMatch(/valid species/);
  });

  it('fills in defaults and validates counts', () => {
    expect(resolveAttacks(undefined, 10)).toBeNull();
    expect(resolveAttacks({ species: [] }, 10)).toBeNull();
    expect(resolveAttacks({ species: ['lens', 'print'] }, 10)).toEqual({ species: ['print', 'lens'], perEye: 1, prosthetics: 10 });
    expect(resolveAttacks({ species: ['prosthetic'], perEye: 3, prosthetics: 2 }, 10)).toEqual({ species: ['prosthetic'], perEye: 3, prosthetics: 2 });
    expect(usageMessage(() => resolveAttacks({ species: ['print'], perEye: 0 }, 10))).toMatch(/perEye/);
    expect(usageMessage(() => resolveAttacks({ species: ['glass' as 'print'] }, 10))).toMatch(/valid species/);
  });
});

describe('attack parameters in the manifest', () => {
  it('round-trips through key=value;... without commas', () => {
    const text = formatAttackParams({ dot: 'round', pitch: 3.14159265, seed: 4294967295, glossy: true, 'recapture.zoom': 1.0234567 });
    expect(text).toBe('dot=round;pitch=3.142;seed=4294967295;glossy=true;recapture.zoom=1.023');
    expect(text).not.toContain(',');
    expect(parseAttackParams(text)).toEqual({ dot: 'round', pitch: 3.142, seed: 4294967295, glossy: true, 'recapture.zoom': 1.023 });
    expect(parseAttackParams('')).toEqual({});
  });

  it('refuses values that would break the CSV, and malformed entries', () => {
    expect(() => formatAttackParams({ note: 'a,b' })).toThrow(/cannot be written/);
    expect(() => parseAttackParams('pitch')).toThrow(/key=value/);
  });
});
