export { syntheticTemplate, genuineVariant, type SyntheticTemplateOptions, type GenuineVariantOptions } from './generate.js';
export { writeTemplateFile, resolveTemplateFileOptions, syntheticTemplateId, type TemplateFileOptions, type TemplateFileWritten } from './write.js';
