/**
 * The decision log: every credit decision as one JSON line in an append-only segment file under
 * `<data-dir>/decisions/` (one segment per writer process). A line is written with one write call
 * before the decision is returned, so a decision that was answered is on record; a process killed
 * mid-write can leave at most a torn last line, which readers skip and report. Segments are plain
 * NDJSON, so DuckDB reads them directly for analytics (`decisionsRelationSql`).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IriskError } from '../../lib/errors.js';
import type { DecisionRecord } from './decide.js';

/** The directory of a data directory's decision log. */
export function decisionsDir(dataDir: string): string {
  return join(dataDir, 'decisions');
}

/** Appends decision records to this process's segment. */
export class DecisionLog {
  private fd: number | null = null;
  readonly path: string;

  /** `durable` fsyncs after every record (survives power loss, at a cost per decision). */
  constructor(readonly dir: string, private readonly durable = false) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.path = join(dir, `segment-${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.ndjson`);
  }

  /** Writes one record (one line, one write call). */
  append(record: DecisionRecord): void {
    if (this.fd === null) {
      mkdirSync(this.dir, { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    writeSync(this.fd, JSON.stringify(record) + '\n');
    if (this.durable) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens the decision log of a data directory for appending. */
export function openDecisionLog(dataDir: string, opts: { durable?: boolean } = {}): DecisionLog {
  return new DecisionLog(decisionsDir(dataDir), opts.durable ?? false);
}

/** Records read back, with the lines that could not be parsed (a torn last line after a crash). */
export interface DecisionRead {
  records: DecisionRecord[];
  skipped: { file: string; line: number }[];
}

/** Every recorded decision, oldest segment first, in write order within a segment. */
export async function readDecisions(dataDir: string): Promise<DecisionRead> {
  const dir = decisionsDir(dataDir);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw e;
  }
  const out: DecisionRead = { records: [], skipped: [] };
  for (const file of files) {
    const lines = (await readFile(join(dir, file), 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.records.push(JSON.parse(line) as DecisionRecord);
      } catch {
        out.skipped.push({ file, line: i + 1 });
      }
    });
  }
  return out;
}

/** One recorded decision by id (DECISION_NOT_FOUND when absent). */
export async function findDecision(dataDir: string, decisionId: string): Promise<DecisionRecord> {
  const found = (await readDecisions(dataDir)).records.find((r) => r.decisionId === decisionId);
  if (!found) throw new IriskError('DECISION_NOT_FOUND', `no recorded decision ${decisionId} in ${decisionsDir(dataDir)}`);
  return found;
}

/**
 * A DuckDB table expression over the log's segments (for `SELECT ... FROM <this>`); torn lines are
 * ignored. Columns follow the record's fields (nested ones as STRUCT / LIST).
 */
export function decisionsRelationSql(dataDir: string): string {
  const glob = join(decisionsDir(dataDir), '*.ndjson').replace(/'/g, "''");
  return `read_json('${glob}', format = 'newline_delimited', ignore_errors = true, union_by_name = true)`;
}
