/**
 * The audit trail of the service: one JSON line per decision or enrolment made through the API
 * (when, which key by name, what was asked, what was decided), appended to
 * `<data-dir>/audit/audit.ndjson`. The full decision records are in the decision log.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnrolmentAttempt } from '../../identity/monitoring.js';

/** One audited action. */
export interface AuditRecord {
  action: string;
  caller: string | null;
  subject: string;
  outcome: string;
  ref?: string;
  /** The typed error code of a refused request. */
  code?: string;
  /** Measurements to monitor (biometric quality, PAD scores, nearest distances...). */
  metrics?: Record<string, number | null>;
}

/** An append-only audit file; `close()` flushes it. */
export class AuditLog {
  private readonly out: WriteStream;
  readonly path: string;

  constructor(dataDir: string) {
    mkdirSync(join(dataDir, 'audit'), { recursive: true });
    this.path = join(dataDir, 'audit', 'audit.ndjson');
    this.out = createWriteStream(this.path, { flags: 'a' });
    // A failing disk must not take the service down with an unhandled error; it is reported.
    this.out.on('error', (e) => process.stderr.write(`irisk serve: the audit log ${this.path} cannot be written: ${e.message}\n`));
  }

  /** Appends a record stamped with the current time. */
  record(r: AuditRecord): void {
    this.out.write(JSON.stringify({ at: new Date().toISOString(), ...r }) + '\n');
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

/** An audit record as read back. */
export type StoredAuditRecord = AuditRecord & { at: string };

/** The audit records of a data directory, oldest first (a torn last line is skipped). */
export async function readAudit(dataDir: string): Promise<StoredAuditRecord[]> {
  let text = '';
  try {
    text = await readFile(join(dataDir, 'audit', 'audit.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((l) => {
    try {
      return l.trim() ? [JSON.parse(l) as StoredAuditRecord] : [];
    } catch {
      return [];
    }
  });
}

/** The enrolment attempts among audit records, for the biometric monitors. */
export function enrolmentAttempts(records: readonly StoredAuditRecord[]): EnrolmentAttempt[] {
  return records
    .filter((r) => r.action === 'identity.enroll')
    .map((r) => ({ time: Date.parse(r.at), outcome: r.outcome as EnrolmentAttempt['outcome'], metrics: r.metrics ?? {} }));
}
