/**
 * Presentation-attack species of the synthetic iris world, the options that ask for them, the
 * random streams they draw from, and the compact `key=value;...` form their parameters take in
 * the manifest.
 */
import { IriskError } from '../../../lib/errors.js';
import { Rng } from '../../../lib/rng.js';
import { checkInt, usage } from '../../options.js';

/** The attack species, in manifest order. */
export const ATTACK_SPECIES = ['print', 'screen', 'lens', 'prosthetic'] as const;
export type AttackSpecies = (typeof ATTACK_SPECIES)[number];

/** The species of a live eye in the manifest's `species` column. */
export const BONA_FIDE = 'bona_fide';
/** What the manifest's `species` column holds. */
export type PresentationSpecies = typeof BONA_FIDE | AttackSpecies;

/** Which attacks a world adds beside its live captures. */
export interface IrisAttackOptions {
  species: AttackSpecies[];
  /** Presentations of each species per eye of the world (print, screen, lens) or per fake eye (prosthetic); default 1. */
  perEye?: number;
  /** How many distinct fake (prosthetic or doll) eyes; default: as many as subjects, at most 1000. */
  prosthetics?: number;
}

/** Attack options with defaults filled in. */
export interface ResolvedAttacks {
  species: AttackSpecies[];
  perEye: number;
  prosthetics: number;
}

/** A species name or a USAGE error listing the valid ones. */
export function checkSpecies(name: string): AttackSpecies {
  if (!(ATTACK_SPECIES as readonly string[]).includes(name)) {
    throw usage(`unknown attack species ${JSON.stringify(name)}; valid species: ${ATTACK_SPECIES.join(', ')}`, { species: name });
  }
  return name as AttackSpecies;
}

/** Parses a comma-separated species list (`print,screen`); USAGE on an unknown or repeated name. */
export function parseAttackSpecies(list: string): AttackSpecies[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw usage(`no attack species given; valid species: ${ATTACK_SPECIES.join(', ')}`);
  return resolveSpeciesList(names);
}

function resolveSpeciesList(species: readonly string[]): AttackSpecies[] {
  const checked = species.map(checkSpecies);
  if (new Set(checked).size !== checked.length) throw usage(`attack species repeated: ${checked.join(', ')}`, { species: checked });
  return ATTACK_SPECIES.filter((s) => checked.includes(s));
}

/** Validates attack options and fills in defaults; null when none are asked for. */
export function resolveAttacks(options: IrisAttackOptions | undefined, subjects: number): ResolvedAttacks | null {
  if (options === undefined) return null;
  if (!Array.isArray(options.species)) throw usage('attacks.species must be a list of species', { attacks: options });
  const species = resolveSpeciesList(options.species);
  if (species.length === 0) return null;
  const perEye = checkInt('attacks.perEye', options.perEye ?? 1, 1, 99);
  const prosthetics = checkInt('attacks.prosthetics', options.prosthetics ?? Math.min(subjects, 1000), 1, 100_000);
  return { species, perEye, prosthetics };
}

/**
 * The random stream of one attack presentation, from (world seed, species, target, eye,
 * presentation). Live captures draw from `irisk/iris/<seed>/<subject>/<eye>/<capture>`, which
 * this never equals, so adding attacks to a world cannot change its live images.
 */
export function attackRng(seed: number, species: AttackSpecies, target: string, eye: string, index: number): Rng {
  return new Rng(`irisk/iris/${seed}/attack/${species}/${target}/${eye}/${index}`);
}

/** Flat attack parameters as written to the manifest. */
export type AttackParamRecord = Record<string, number | string | boolean>;

function formatValue(v: number | string | boolean): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  return String(v);
}

/**
 * Writes parameters as `key=value;key=value` (integers exact, other numbers to 4 significant digits): no commas or
 * quotes, so the manifest stays a plain CSV. Keys and string values must not hold `;`, `=` or `,`.
 */
export function formatAttackParams(params: AttackParamRecord): string {
  return Object.entries(params)
    .map(([k, v]) => {
      const text = formatValue(v);
      if (/[;=,\s]/.test(k) || /[;=,\n\r]/.test(text)) throw new IriskError('INTERNAL', `attack parameter ${k}=${text} cannot be written`);
      return `${k}=${text}`;
    })
    .join(';');
}

/** Reads `key=value;...` back; numbers become numbers, `true`/`false` booleans. Empty text gives {}. */
export function parseAttackParams(text: string): AttackParamRecord {
  const out: AttackParamRecord = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new IriskError('DATASET_INVALID', `attack_params entry ${JSON.stringify(part)} is not key=value`, { entry: part });
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    const num = Number(raw);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(num) ? num : raw;
  }
  return out;
}
