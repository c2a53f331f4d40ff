/**
 * Loads a registered version as a scorer (model + calibrator, predicted in TypeScript).
 */
import { scorerFromFiles, type Scorer } from '../models/scorer.js';
import type { ModelRegistry, ModelVersion } from './registry.js';

/** Resolves `ref` (id, prefix, NAME@ALIAS, alias) and builds its scorer; file hashes are verified on read. */
export async function loadScorer(registry: ModelRegistry, ref: string): Promise<{ version: ModelVersion; scorer: Scorer }> {
  const version = await registry.resolve(ref);
  const files: Record<string, Uint8Array> = {};
  for (const f of version.files) files[f.name] = await registry.readFile(version.id, f.name);
  const scorer = scorerFromFiles(version.metadata.kind, files, version.metadata.featureSchema.map((f) => f.name));
  return { version, scorer };
}
