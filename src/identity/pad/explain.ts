/**
 * What a PAD detector keys on for each species: the mean TreeSHAP contribution (toward "attack",
 * in log-odds) of every feature over that species' presentations, the largest first. Bona fide
 * presentations get the features that push them hardest toward "bona fide".
 */
import { BONA_FIDE_SPECIES } from '../iris/dataset.js';
import { modelInputs } from './novelty.js';
import type { PadBooster, PadTrainingData } from './train.js';

/** One feature's mean contribution over a species' presentations. */
export interface PadCue {
  feature: string;
  /** Mean TreeSHAP contribution toward "attack" (log-odds). */
  meanContribution: number;
}

/** The `top` strongest cues per species (toward attack for attacks, toward bona fide for live eyes). */
export function padCuesBySpecies(booster: PadBooster, data: PadTrainingData, top = 6): Record<string, PadCue[]> {
  const explainer = booster.model.treeExplainer();
  const bySpecies = new Map<string, number[]>();
  data.species.forEach((s, r) => (bySpecies.get(s) ?? bySpecies.set(s, []).get(s)!).push(r));
  const out: Record<string, PadCue[]> = {};
  for (const [species, rows] of bySpecies) {
    const m = modelInputs(data, rows, booster.ranges);
    const phi = explainer.explain(m);
    const width = m.cols + 1;
    const sums = new Float64Array(m.cols);
    for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) sums[j] += phi[r * width + j]!;
    const sign = species === BONA_FIDE_SPECIES ? -1 : 1;
    out[species] = m.featureNames
      .map((feature, j) => ({ feature, meanContribution: Math.round((1e4 * sums[j]!) / m.rows) / 1e4 }))
      .sort((a, b) => sign * (b.meanContribution - a.meanContribution))
      .slice(0, top);
  }
  return out;
}
