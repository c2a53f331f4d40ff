/** `irisk synth ...`: seeded synthetic worlds. */
import type { Command } from 'commander';
import { writeIrisWorld } from '../../../synth/iris/index.js';
import { writeLendingWorld, type LendingWorldOptions } from '../../../synth/credit/index.js';
import { IriskError } from '../../../lib/errors.js';
import { terminalProgress } from '../../../lib/progress.js';
import { emit, intOption, numberOption, sizeOption } from '../output.js';
import { run } from '../run.js';

/** Registers the synth commands. */
export function registerSynthCommands(program: Command): void {
  const synth = program.command('synth').description('Generate seeded synthetic worlds');
  synth
    .command('iris')
    .description('Near-infrared eye images with ground truth: <out>/images/*.png, <out>/masks/*.png, <out>/manifest.csv')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-s, --subjects <n>', 'number of subjects (each has a left and a right eye)', '10')
    .option('-c, --captures <k>', 'captures per eye', '4')
    .option('--seed <s>', 'random seed: same seed, same world', '1')
    .option('--size <WxH>', 'image size (640x480 default; 320x280 is CASIA-Interval-like)', '640x480')
    .option('--json', 'machine-readable output')
    .action((opts: { out: string; subjects: string; captures: string; seed: string; size: string; json?: boolean }) =>
      run(opts, async () => {
        const { width, height } = sizeOption(opts.size);
        const options = {
          subjects: intOption(opts.subjects, '--subjects', 1, 100_000),
          captures: intOption(opts.captures, '--captures', 1, 1000),
          seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
          width,
          height,
        };
        const res = await writeIrisWorld(opts.out, options, terminalProgress(!opts.json && process.stderr.isTTY === true));
        emit(opts, { ...res, ...options }, `wrote ${res.count} images and ${res.manifestPath}`);
      }),
    );
  synth
    .command('credit')
    .description('A buy-now-pay-later lending world: <out>/events.ndjson, customers.csv and loans.csv (truth), world.json')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--customers <n>', 'number of customers', '1000')
    .option('--months <m>', 'months simulated (24 or more gives matured 12-month outcomes)', '24')
    .option('--seed <s>', 'random seed: same seed, same world', '1')
    .option('--start <iso>', 'first month (UTC)', '2023-01-01T00:00:00Z')
    .option('--shock-at <iso>', 'a macro shock from this date on (incomes drop, delinquency rises)')
    .option('--shock-severity <x>', 'severity of the shock, 0-5 (1 = a hard recession); default 1 with --shock-at')
    .option('--fraud-rate <x>', 'share of first-party bust-out fraudsters', '0.01')
    .option('--json', 'machine-readable output')
    .action(
      (opts: {
        out: string;
        customers: string;
        months: string;
        seed: string;
        start: string;
        shockAt?: string;
        shockSeverity?: string;
        fraudRate: string;
        json?: boolean;
      }) =>
        run(opts, async () => {
          const time = (v: string, name: string): number => {
            const t = Date.parse(v);
            if (!Number.isFinite(t)) throw new IriskError('USAGE', `${name} must be an ISO 8601 date or time (got "${v}")`);
            return t;
          };
          if (opts.shockSeverity !== undefined && opts.shockAt === undefined) throw new IriskError('USAGE', '--shock-severity needs --shock-at');
          const options: LendingWorldOptions = {
            customers: intOption(opts.customers, '--customers', 1, 9_999_999),
            months: intOption(opts.months, '--months', 1, 240),
            seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
            start: time(opts.start, '--start'),
            fraudRate: numberOption(opts.fraudRate, '--fraud-rate', 0, 0.5),
            ...(opts.shockAt !== undefined
              ? { shock: { at: time(opts.shockAt, '--shock-at'), severity: opts.shockSeverity === undefined ? 1 : numberOption(opts.shockSeverity, '--shock-severity', 0, 5) } }
              : {}),
          };
          const t0 = performance.now();
          const res = await writeLendingWorld(opts.out, options, terminalProgress(!opts.json && process.stderr.isTTY === true));
          const seconds = (performance.now() - t0) / 1000;
          const c = res.counts;
          const byType = Object.entries(c.eventsByType)
            .map(([t, n]) => `  ${t.padEnd(16)} ${n}`)
            .join('\n');
          emit(
            opts,
            { dir: res.dir, eventsPath: res.eventsPath, customersPath: res.customersPath, loansPath: res.loansPath, worldPath: res.worldPath, counts: c, seconds },
            [
              `wrote ${c.events} events for ${c.customers} customers to ${res.eventsPath} in ${seconds.toFixed(1)} s`,
              byType,
              `loans ${c.loans} (${c.maturedLoans} matured, ${c.bustOutLoans} bust-out)`,
              `default rate (60+ dpd within 12 months, matured loans) ${(100 * c.defaultRate).toFixed(2)}% (${c.maturedDefaults}/${c.maturedLoans})`,
              `fraudsters ${c.fraudsters}`,
            ].join('\n'),
          );
        }),
    );
}
