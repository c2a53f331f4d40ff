/**
 * What `irisk serve` runs with: where to listen, the data directory, body limits and the API keys
 * with their roles. Read from a JSON file (`--config`) or built from defaults; keys can also come
 * from IRISK_API_KEYS ("key:role+role,key2:role").
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { IriskError } from '../../lib/errors.js';

/** What a key may do. */
export const ROLES = ['enroll', 'decide', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** One API key. `name` appears in audit records instead of the key. */
export interface ApiKey {
  readonly name: string;
  readonly key: string;
  readonly roles: readonly Role[];
}

/** The service's settings. */
export interface ServeConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Largest request body in bytes (default 16 MiB: two eye images in base64). */
  readonly bodyLimit: number;
  readonly apiKeys: readonly ApiKey[];
}

const keySchema = z.object({ name: z.string().min(1).max(64), key: z.string().min(16).max(256), roles: z.array(z.enum(ROLES)).min(1) });
const fileSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    bodyLimit: z.number().int().min(1024).max(256 * 2 ** 20).optional(),
    apiKeys: z.array(keySchema).optional(),
  })
  .strict();

export const DEFAULT_BODY_LIMIT = 16 * 2 ** 20;

/** The settings: defaults, then the file at `path` (when given), then IRISK_API_KEYS; CONFIG_INVALID names the problem. */
export async function loadServeConfig(dataDir: string, path: string | undefined, overrides: { host?: string; port?: number } = {}): Promise<ServeConfig> {
  let file: z.infer<typeof fileSchema> = {};
  if (path) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new IriskError('CONFIG_INVALID', `cannot read the service config ${path}: ${(e as Error).message}`);
    }
    const r = fileSchema.safeParse(parsed);
    if (!r.success) throw new IriskError('CONFIG_INVALID', `the service config ${path} is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    file = r.data;
  }
  const env = process.env.IRISK_API_KEYS ? parseKeyList(process.env.IRISK_API_KEYS) : [];
  return {
    host: overrides.host ?? file.host ?? '127.0.0.1',
    port: overrides.port ?? file.port ?? 8080,
    dataDir,
    bodyLimit: file.bodyLimit ?? DEFAULT_BODY_LIMIT,
    apiKeys: [...(file.apiKeys ?? []), ...env],
  };
}

/** "key:role+role,key2:role" as API keys named key-1, key-2, ... */
export function parseKeyList(text: string): ApiKey[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((entry, i) => {
      const [key, roles] = entry.trim().split(':');
      const r = keySchema.safeParse({ name: `key-${i + 1}`, key, roles: (roles ?? '').split('+').filter(Boolean) });
      if (!r.success) throw new IriskError('CONFIG_INVALID', `IRISK_API_KEYS entry ${i + 1} is invalid (want KEY:ROLE[+ROLE], a key of 16+ characters, roles ${ROLES.join('/')})`);
      return r.data;
    });
}
