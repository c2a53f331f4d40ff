/**
 * Model registry: immutable, content-addressed model versions and per-line aliases that move only
 * through an append-only audit log (see registry.ts for the layout, schema.ts for the queries).
 *
 *   const reg = await openRegistry(dataDir);
 *   const { version, created } = await reg.register({ files: { 'model.json': json }, metadata });
 *   await reg.promote(version.id, 'champion', { reason: 'beats v3 on holdout AUC' });
 *   const served = await reg.aliasAt('credit-default', 'champion', new Date('2024-03-15T12:00:00Z'));
 *   reg.close();
 */
export { openRegistry, ModelRegistry, databasePath, defaultActor } from './registry.js';
export type { AliasAt, AliasChange, AliasEvent, ModelFile, ModelVersion, RegisterResult, RegistryOptions, VerifyResult } from './registry.js';
export { canonicalJson, sha256Hex, validateAlias, versionId, MIN_PREFIX, METADATA_FILE } from './metadata.js';
export type { FeatureSpec, ModelFileEntry, ModelMetadata, ModelMetadataInput, TrainingDataRef } from './metadata.js';
export { codeVersion } from './code-version.js';
export { ALIAS_AT_SQL, ALIASES_AT_SQL, CURRENT_ALIAS_SQL, CURRENT_ALIASES_SQL } from './schema.js';
