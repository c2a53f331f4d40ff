/**
 * `irisk credit ...`: the credit side from the command line. `credit ingest FILE...` validates event
 * files (NDJSON/JSONL, CSV, Parquet) and inserts them into the data directory's DuckDB store,
 * idempotently by event id. Exit 0 when the ingest ran, even with rejected rows (reported);
 * 3 when a file is unreadable or of an unknown format.
 */
import type { Command } from 'commander';
import { ingestFiles, type IngestReport } from '../../../credit/events/ingest.js';
import { emit, textTable } from '../output.js';
import { run } from '../run.js';
import { registerCreditBacktestCommand } from './credit-backtest.js';
import { registerCreditDecideCommands } from './credit-decide.js';
import { registerCreditTrainCommand } from './credit-train.js';
import { dataDir } from './demo.js';
import { registerCreditImportCommand } from './credit-import.js';

/** Rejected lines shown per file in human output (all of the first 100 are in --json). */
const SHOWN_REJECTED = 10;

/** Registers `irisk credit` and its subcommands; returns the `credit` command. */
export function registerCreditCommands(program: Command): Command {
  const credit = program.command('credit').description('Credit: event ingestion, underwriting models, decisions with reasons, backtests');
  credit
    .command('ingest')
    .description('Validate event files (.ndjson/.jsonl, .csv, .parquet) and insert them, skipping event ids already stored')
    .argument('<files...>', 'event files')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .action((files: string[], opts: { dataDir?: string; json?: boolean }) =>
      run(opts, async () => {
        const progress =
          !opts.json && process.stderr.isTTY === true
            ? (p: { path: string; rows: number; inserted: number }): void => {
                process.stderr.write(`\r${p.path}: ${p.rows} rows read, ${p.inserted} inserted`);
              }
            : undefined;
        const report = await ingestFiles(dataDir(opts.dataDir), files, { progress });
        if (progress) process.stderr.write('\n');
        emit(opts, report, humanReport(report));
      }),
    );
  registerCreditTrainCommand(credit);
  registerCreditDecideCommands(credit);
  registerCreditBacktestCommand(credit);
  registerCreditImportCommand(credit);
  return credit;
}

function humanReport(r: IngestReport): string {
  const table = textTable(
    ['file', 'format', 'rows', 'inserted', 'duplicates', 'rejected'],
    r.files.map((f) => [f.path, f.format, String(f.rows), String(f.inserted), String(f.duplicates), String(f.rejectedCount)]),
  );
  const lines = [table];
  for (const f of r.files) {
    if (f.rejectedCount === 0) continue;
    lines.push('', `${f.path}: ${f.rejectedCount} row(s) rejected${f.rejectedCount > SHOWN_REJECTED ? `, first ${SHOWN_REJECTED}` : ''}:`);
    for (const x of f.rejected.slice(0, SHOWN_REJECTED)) lines.push(`  line ${x.line}: ${x.reason}`);
  }
  const t = r.totals;
  lines.push('', `total: ${t.rows} rows, ${t.inserted} inserted, ${t.duplicates} duplicates, ${t.rejected} rejected`);
  if (t.rejected > 0) lines.push('the ingest completed; rejected rows were skipped (fix them and ingest the file again: stored events are not duplicated)');
  return lines.join('\n');
}
