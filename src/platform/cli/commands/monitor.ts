/**
 * `irisk monitor report`: drift of the recorded credit decisions (every feature the model saw, and
 * its score) in a live period against a reference window: the deciding test per feature, PSI and
 * its band, and the alerts; and the biometric monitors of the audited enrolment attempts (failure
 * to enrol, attacks, duplicates, drift of quality, PAD scores and the nearest enrolled eye).
 */
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { durationMs } from '../../../lib/time.js';
import { monitorReport } from '../../server/monitor-report.js';
import { emit, timeOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

interface MonitorOptions extends OutputOptions {
  from: string;
  to: string;
  referenceFrom?: string;
  referenceTo?: string;
  window?: string;
  dataDir?: string;
}

/** Registers `irisk monitor`. */
export function registerMonitorCommands(program: Command): void {
  const monitor = program.command('monitor').description('Drift monitoring of live decisions');
  monitor
    .command('report')
    .description('Drift of the recorded credit decisions (features and score) and the enrolment monitors (failure to enrol, attacks, duplicates, quality, PAD scores, nearest enrolled eye) in [--from, --to) against a reference window, with alerts')
    .requiredOption('--from <time>', 'start of the live period (ISO 8601)')
    .requiredOption('--to <time>', 'end of the live period (ISO 8601, exclusive)')
    .option('--reference-from <time>', 'start of the reference window (default: as long as the live period, just before it)')
    .option('--reference-to <time>', 'end of the reference window (default: --from)')
    .option('--window <length>', 'split the live period into windows of this length: 12h, 1d, 7d (default: one window)')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--json', 'machine-readable output')
    .action((opts: MonitorOptions) =>
      run(opts, async () => {
        const from = timeOption(opts.from, '--from').getTime();
        const to = timeOption(opts.to, '--to').getTime();
        const reference =
          opts.referenceFrom === undefined
            ? undefined
            : { start: timeOption(opts.referenceFrom, '--reference-from').getTime(), end: opts.referenceTo === undefined ? from : timeOption(opts.referenceTo, '--reference-to').getTime() };
        const dir = dataDir(opts.dataDir);
        const windowMs = opts.window ? durationOption(opts.window) : undefined;
        const r = await monitorReport(dir, { from, to, ...(reference ? { reference } : {}), ...(windowMs ? { windowMs } : {}) });
        const { credit, identity } = r;
        const report = { ...(credit ?? {}), ...r };
        const lines: string[] = [];
        if (identity) {
          lines.push(`enrolments: reference ${identity.reference.attempts} attempts (failure to enrol ${pct(identity.reference.failureToEnrolRate)})`);
          for (const w of identity.windows) lines.push(`  ${new Date(w.start).toISOString()}: ${w.attempts} attempts, ${w.enrolled} enrolled, ${w.rejected} failed to enrol (${pct(w.failureToEnrolRate)}), ${w.attacks} attacks, ${w.duplicates} duplicates`);
          for (const a of identity.alerts.failureToEnrol) lines.push(`  ALERT failure to enrol ${pct(a.failureToEnrolRate)} > ${pct(a.limit)} from ${new Date(a.start).toISOString()}`);
          for (const a of identity.alerts.drift) lines.push(`  ALERT ${a.feature} drifted from ${new Date(a.start).toISOString()} (${a.method} ${a.value.toPrecision(3)})`);
        }
        lines.push(`${r.newAlertsLogged} new alert(s) logged in ${dir}/monitoring/alerts.ndjson`);
        if (!credit) {
          emit(opts, report, lines.join('\n'));
          return;
        }
        lines.push(`credit: reference ${credit.reference.records} decisions; ${credit.windows.length} live window(s); ${credit.alerts.length} alert(s)`);
        for (const w of credit.windows) {
          lines.push(`window ${new Date(w.start).toISOString()} .. ${new Date(w.end).toISOString()}: ${w.records} decisions${w.tested ? '' : ' (too few to test)'}`);
          for (const [name, d] of Object.entries(w.features)) {
            if (d.method === null) continue;
            lines.push(`  ${d.drifted ? 'DRIFT' : 'ok   '} ${name.padEnd(28)} ${d.method} ${d.value!.toPrecision(3)} (threshold ${d.threshold})  PSI ${d.psi === null ? '-' : `${d.psi.toFixed(3)} ${d.psiBand}`}`);
          }
        }
        emit(opts, report, lines.join('\n'));
      }),
    );
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(100 * x).toFixed(1)}%`;
}

/** A --window length in ms; USAGE unless it reads like 30m, 12h or 7d. */
function durationOption(text: string): number {
  const ms = durationMs(text);
  if (ms === null) throw new IriskError('USAGE', `--window must look like 30m, 12h or 7d (got "${text}")`);
  return ms;
}
