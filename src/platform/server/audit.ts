/**
 * The audit trail of the service: one JSON line per decision or enrolment made through the API
 * (when, which key by name, what was asked, what was decided), appended to
 * `<data-dir>/audit/audit.ndjson`. The full decision records are in the decision log.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** One audited action. */
export interface AuditRecord {
  action: string;
  caller: string | null;
  subject: string;
  outcome: string;
  ref?: string;
}

/** An append-only audit file; `close()` flushes it. */
export class AuditLog {
  private readonly out: WriteStream;
  readonly path: string;

  constructor(dataDir: string) {
    mkdirSync(join(dataDir, 'audit'), { recursive: true });
    this.path = join(dataDir, 'audit', 'audit.ndjson');
    this.out = createWriteStream(this.path, { flags: 'a' });
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
