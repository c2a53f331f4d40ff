export { syntheticTemplate, genuineVariant, type SyntheticTemplateOptions, type GenuineVariantOptions } from './generate.js';
export { writeTemplateFile, resolveTemplateFileOptions, syntheticTemplateId, type TemplateFileOptions, type TemplateFileWritten } from './write.js';
export { buildSyntheticGallery, syntheticGenuinePairs, DERIVATIONS, type SyntheticGalleryOptions, type GenuinePairsOptions, type GenuinePairs } from './gallery.js';
