/**
 * When is a new person someone already enrolled? Both eyes below the threshold (AND rule, the
 * default) or either eye (OR rule), also with the eyes swapped (the mirror check: a left eye
 * enrolled as a right one). Pure functions over one scan of the gallery: the first eye is
 * scanned against every template (left and right slots alike, which covers the mirror), and the
 * second eye is compared only with the persons the first eye matched.
 */
import { DEFAULT_MATCH_PARAMS, matchPacked, type MatchParams, type MatchResult, type PackedTemplate } from '../iris/matcher.js';
import type { GalleryLayout } from './layout.js';
import type { EnrolledPerson } from './store.js';

/** How duplicates are declared. */
export interface DuplicatePolicy {
  /** 'and': both eyes must match (default); 'or': either eye. */
  readonly rule: 'and' | 'or';
  /** A match is a distance strictly below this (default 0.345). */
  readonly threshold: number;
  /** Also compare left with right and right with left (default true). */
  readonly mirror: boolean;
  readonly params: MatchParams;
}

export const DEFAULT_DUPLICATE_POLICY: DuplicatePolicy = { rule: 'and', threshold: 0.345, mirror: true, params: DEFAULT_MATCH_PARAMS };

/** One eye's comparison with an enrolled person. */
export interface EyeComparison {
  /** The enrolled eye it was compared with. */
  readonly enrolledEye: 'left' | 'right';
  readonly distance: number;
  readonly rotation: number;
  readonly overlapBits: number;
}

/** An enrolled person a new left/right pair matches. */
export interface DuplicateMatch {
  readonly personId: string;
  /** True when the new left eye matched the enrolled right eye (and right matched left). */
  readonly mirrored: boolean;
  readonly left: EyeComparison;
  readonly right: EyeComparison;
}

/** Who owns each slot (null: erased), and where each person's eyes are. */
export interface SlotOwners {
  owner(slot: number): EnrolledPerson | null;
}

/** Whether a comparison is a match under the policy. */
export function isMatch(r: { readonly distance: number; readonly overlapBits: number }, policy: DuplicatePolicy): boolean {
  return r.overlapBits > 0 && r.distance < policy.threshold;
}

/**
 * The duplicates of (left, right) among the enrolled persons, best first (lowest larger-eye
 * distance), given `scans.left`: the new left eye against every slot. Under the OR rule
 * `scans.right` (the new right eye against every slot) is needed as well.
 */
export function duplicatesOf(
  layout: GalleryLayout,
  owners: SlotOwners,
  probes: { readonly left: PackedTemplate; readonly right: PackedTemplate },
  scans: { readonly left: readonly MatchResult[]; readonly right: readonly MatchResult[] | null },
  policy: DuplicatePolicy,
): DuplicateMatch[] {
  const { left, right } = probes;
  const found = new Map<string, DuplicateMatch>();
  const consider = (m: DuplicateMatch): void => {
    const ok = policy.rule === 'and' ? isMatch(m.left, policy) && isMatch(m.right, policy) : isMatch(m.left, policy) || isMatch(m.right, policy);
    if (!ok) return;
    const prior = found.get(m.personId);
    if (!prior || worst(m) < worst(prior)) found.set(m.personId, m);
  };
  const firstEyes: [readonly MatchResult[], 'left' | 'right'][] = [[scans.left, 'left']];
  if (policy.rule === 'or') {
    if (!scans.right) throw new Error('the OR rule needs the right eye scanned too');
    firstEyes.push([scans.right, 'right']);
  }
  for (const [scan, newEye] of firstEyes) {
    for (let slot = 0; slot < scan.length; slot++) {
      const r = scan[slot]!;
      if (!isMatch(r, policy)) continue;
      const person = owners.owner(slot);
      if (!person) continue;
      const hitEye: 'left' | 'right' = slot === person.leftSlot ? 'left' : 'right';
      const mirrored = hitEye !== newEye;
      if (mirrored && !policy.mirror) continue;
      // The other new eye against the person's other enrolled eye.
      const otherSlot = hitEye === 'left' ? person.rightSlot : person.leftSlot;
      const other = matchPacked(newEye === 'left' ? right : left, layout.packedAt(otherSlot), policy.params);
      const hit = eye(hitEye, r);
      const second = eye(hitEye === 'left' ? 'right' : 'left', other);
      consider({ personId: person.personId, mirrored, left: newEye === 'left' ? hit : second, right: newEye === 'left' ? second : hit });
    }
  }
  return [...found.values()].sort((a, b) => worst(a) - worst(b));
}

function eye(enrolledEye: 'left' | 'right', r: MatchResult): EyeComparison {
  return { enrolledEye, distance: r.distance, rotation: r.rotation, overlapBits: r.overlapBits };
}

function worst(m: DuplicateMatch): number {
  return Math.max(m.left.distance, m.right.distance);
}
