/**
 * `irisk credit import FILE --mapping NAME|PATH.json`: a tabular credit dataset (one row per
 * customer) into the data directory's event store and label store through a mapping (built-in
 * `gmsc` or `monthly-panel`, or a JSON file). Exit 0 when the import ran, even with rejected rows
 * (reported with their lines); 3 when the mapping is invalid, the file unreadable or lacking a
 * column the mapping reads. `irisk credit mappings [NAME]` lists the built-in mappings or prints one
 * as JSON, a starting point for one's own.
 */
import type { Command } from 'commander';
import { BUILTIN_MAPPINGS, loadMapping } from '../../../credit/import/builtin.js';
import { importTable, type ImportReport } from '../../../credit/import/import.js';
import { IriskError } from '../../../lib/errors.js';
import { emit, textTable } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

/** Rejected lines shown in human output (the first 100 are in --json). */
const SHOWN_REJECTED = 10;

interface ImportCommandOptions {
  mapping: string;
  dataset?: string;
  dataDir?: string;
  json?: boolean;
}

/** Registers `irisk credit import` and `irisk credit mappings` under the `credit` command. */
export function registerCreditImportCommand(credit: Command): void {
  credit
    .command('import')
    .description('Import a tabular credit dataset (one row per customer) as events and labelled points through a mapping')
    .argument('<file>', 'the data file (CSV or another delimited text file)')
    .requiredOption('--mapping <name|file>', `a built-in mapping (${Object.keys(BUILTIN_MAPPINGS).join(', ')}) or a mapping JSON file`)
    .option('--dataset <name>', "dataset name replacing the mapping's (customer-id prefix and label key; use one per file)")
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Each row becomes events dated just before the mapping's asOf and one labelled point at asOf,
customer ids are <dataset>-<id>. Rows that fail are reported with their line and skipped; importing
again inserts nothing twice. See docs/credit-import.md; \`irisk credit mappings NAME\` prints a
built-in mapping to start your own from.

Examples:
  irisk credit import cs-training.csv --mapping gmsc
  irisk credit import UCI_Credit_Card.csv --mapping monthly-panel --dataset ccdefault
  irisk credit import my.csv --mapping my-mapping.json --json`,
    )
    .action((file: string, opts: ImportCommandOptions) =>
      run(opts, async () => {
        const { name, mapping } = await loadMapping(opts.mapping);
        const tty = !opts.json && process.stderr.isTTY === true;
        const progress = tty
          ? (p: { rows: number; total: number; inserted: number; rejected: number }): void => {
              process.stderr.write(`\r${file}: ${p.rows}/${p.total} rows, ${p.inserted} events inserted, ${p.rejected} rejected`);
            }
          : undefined;
        const report = await importTable(dataDir(opts.dataDir), file, mapping, {
          mappingName: name,
          ...(opts.dataset !== undefined ? { dataset: opts.dataset } : {}),
          ...(progress ? { progress } : {}),
        });
        if (progress) process.stderr.write('\n');
        emit(opts, report, humanReport(report));
      }),
    );

  credit
    .command('mappings')
    .description('List the built-in import mappings, or print one as JSON')
    .argument('[name]', 'a built-in mapping to print')
    .option('--json', 'machine-readable output')
    .action((name: string | undefined, opts: { json?: boolean }) =>
      run(opts, async () => {
        if (name !== undefined) {
          const mapping = Object.prototype.hasOwnProperty.call(BUILTIN_MAPPINGS, name) ? BUILTIN_MAPPINGS[name] : undefined;
          if (!mapping) throw new IriskError('USAGE', `no built-in mapping "${name}" (built-in: ${Object.keys(BUILTIN_MAPPINGS).join(', ')})`);
          process.stdout.write(JSON.stringify(mapping, null, 2) + '\n');
          return;
        }
        const list = Object.entries(BUILTIN_MAPPINGS).map(([n, m]) => ({ name: n, kind: m.kind, dataset: m.dataset, view: m.view, asOf: m.asOf, description: m.description ?? '' }));
        emit(opts, list, textTable(['name', 'kind', 'dataset', 'view', 'description'], list.map((m) => [m.name, m.kind, m.dataset, m.view, m.description])));
      }),
    );
}

function humanReport(r: ImportReport): string {
  const lines = [
    textTable(
      ['file', 'dataset', 'view', 'rows', 'events inserted', 'duplicates', 'rejected', 'labels', 'positives'],
      [[r.path, r.dataset, r.view, String(r.rows), String(r.inserted), String(r.duplicates), String(r.rejectedCount), String(r.labels), String(r.positives)]],
    ),
  ];
  if (r.rejectedCount > 0) {
    lines.push('', `${r.rejectedCount} row(s) rejected${r.rejectedCount > SHOWN_REJECTED ? `, first ${SHOWN_REJECTED}` : ''}:`);
    for (const x of r.rejected.slice(0, SHOWN_REJECTED)) lines.push(`  line ${x.line}: ${x.reason}`);
  }
  const notes: string[] = [];
  if (r.labelDuplicates > 0) notes.push(`${r.labelDuplicates} label(s) were already stored`);
  if (r.clamped > 0) notes.push(`${r.clamped} value(s) raised to their floor (negative bills imported as 0)`);
  if (r.ignoredColumns.length > 0) notes.push(`columns not imported: ${r.ignoredColumns.join(', ')}`);
  const positiveShare = r.accepted > 0 ? ((100 * r.positives) / r.accepted).toFixed(2) : '0.00';
  lines.push(
    '',
    `${r.accepted} of ${r.rows} rows imported in ${r.seconds.toFixed(1)} s; ${r.positives} positive (${positiveShare}%); points at ${new Date(r.asOf).toISOString()}, features from view ${r.view}`,
    ...notes,
  );
  if (r.rejectedCount > 0) lines.push('the import completed; rejected rows were skipped (fix them and import the file again: nothing stored is duplicated)');
  return lines.join('\n');
}
