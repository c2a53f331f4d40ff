/**
 * Loading pipeline inputs from files: an image or a template JSON (told apart by content), and
 * pipeline configs.
 */
import { readInputFile, decodeGray } from '../../lib/image.js';
import { IriskError } from '../../lib/errors.js';
import { parsePipelineConfig, type PipelineConfig, DEFAULT_PIPELINE_CONFIG } from './config.js';
import { encodeImage, type EncodeResult, type RunOptions } from './pipeline.js';
import { parseTemplateJson, type IrisTemplate } from './template.js';

/** A template read from a file, or computed from an image file. */
export interface LoadedTemplate {
  readonly template: IrisTemplate;
  readonly fromImage?: EncodeResult;
}

/** True when the bytes look like JSON (first non-space byte is '{'). */
function looksLikeJson(bytes: Buffer): boolean {
  for (const b of bytes.subarray(0, 64)) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b;
  }
  return false;
}

/** Reads a template JSON file or encodes an image file. */
export async function loadTemplateOrImage(path: string, config: PipelineConfig = DEFAULT_PIPELINE_CONFIG, options: RunOptions = {}): Promise<LoadedTemplate> {
  const bytes = await readInputFile(path);
  if (looksLikeJson(bytes)) return { template: parseTemplateJson(bytes.toString('utf8'), path) };
  const image = await decodeGray(bytes, path);
  const result = encodeImage(image, config, options);
  return { template: result.template, fromImage: result };
}

/** Reads and validates a pipeline config file (JSON). */
export async function loadPipelineConfig(path: string | undefined): Promise<PipelineConfig> {
  if (!path) return DEFAULT_PIPELINE_CONFIG;
  const text = (await readInputFile(path)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new IriskError('CONFIG_INVALID', `${path} is not valid JSON (${(e as Error).message})`);
  }
  return parsePipelineConfig(parsed);
}
