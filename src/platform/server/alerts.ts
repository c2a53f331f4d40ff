/**
 * The alert log: every alert a monitor report raises, appended once to
 * `<data-dir>/monitoring/alerts.ndjson` (one JSON line each; an alert already logged, same kind,
 * subject and window, is not logged again), so alerts outlive the report that found them.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One alert. */
export interface AlertRecord {
  /** 'credit.drift', 'identity.drift', 'identity.failure_to_enrol'. */
  kind: string;
  /** The feature or measurement. */
  subject: string;
  windowStart: string;
  detail: string;
}

/** Appends the alerts not logged before; returns how many were new. */
export async function logAlerts(dataDir: string, alerts: readonly AlertRecord[]): Promise<number> {
  if (alerts.length === 0) return 0;
  const dir = join(dataDir, 'monitoring');
  const file = join(dir, 'alerts.ndjson');
  await mkdir(dir, { recursive: true });
  let known = new Set<string>();
  try {
    known = new Set(
      (await readFile(file, 'utf8'))
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            const a = JSON.parse(l) as AlertRecord;
            return [key(a)];
          } catch {
            return [];
          }
        }),
    );
  } catch {
    // no alert logged yet
  }
  const fresh = alerts.filter((a) => !known.has(key(a)));
  if (fresh.length > 0) await appendFile(file, fresh.map((a) => JSON.stringify({ loggedAt: new Date().toISOString(), ...a }) + '\n').join(''));
  return fresh.length;
}

function key(a: AlertRecord): string {
  return `${a.kind}\u0000${a.subject}\u0000${a.windowStart}`;
}
