/**
 * Running a command against the model registry of the data directory.
 */
import { openRegistry, type ModelRegistry } from '../../../ml/registry/index.js';
import type { OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

/** Options every models subcommand takes. */
export interface ModelsCommonOptions extends OutputOptions {
  dataDir?: string;
}

/**
 * Opens the registry of --data-dir (or $IRISK_DATA_DIR, ./.irisk), runs `fn` and closes it, with
 * errors reported as every command reports them. For subcommands of `irisk models`.
 */
export function withRegistry(opts: ModelsCommonOptions, fn: (registry: ModelRegistry) => Promise<void>): Promise<void> {
  return run(opts, async () => {
    const registry = await openRegistry(dataDir(opts.dataDir));
    try {
      await fn(registry);
    } finally {
      registry.close();
    }
  });
}

