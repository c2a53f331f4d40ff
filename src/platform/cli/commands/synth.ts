/** `irisk synth ...`: seeded synthetic worlds. */
import type { Command } from 'commander';
import { writeTemplateFile, type TemplateFileOptions } from '../../../synth/templates/index.js';
import { ATTACK_SPECIES, parseAttackSpecies, writeIrisWorld, type IrisWorldOptions } from '../../../synth/iris/index.js';
import { writeLendingWorld, type LendingWorldOptions } from '../../../synth/credit/index.js';
import { IriskError } from '../../../lib/errors.js';
import { terminalProgress } from '../../../lib/progress.js';
import { emit, intOption, numberOption, sizeOption } from '../output.js';
import { run } from '../run.js';

interface IrisSynthOptions {
  out: string;
  subjects: string;
  captures: string;
  seed: string;
  size: string;
  attacks?: string;
  attacksPerEye?: string;
  prosthetics?: string;
  json?: boolean;
}

/** The world's attack options from --attacks, --attacks-per-eye and --prosthetics (USAGE on bad values). */
function attackOptions(opts: IrisSynthOptions): Pick<IrisWorldOptions, 'attacks'> {
  if (opts.attacks === undefined) {
    if (opts.attacksPerEye !== undefined || opts.prosthetics !== undefined) {
      throw new IriskError('USAGE', `--attacks-per-eye and --prosthetics need --attacks (one or more of ${ATTACK_SPECIES.join(', ')})`);
    }
    return {};
  }
  const species = parseAttackSpecies(opts.attacks);
  if (opts.prosthetics !== undefined && !species.includes('prosthetic')) throw new IriskError('USAGE', '--prosthetics needs prosthetic in --attacks');
  return {
    attacks: {
      species,
      ...(opts.attacksPerEye !== undefined ? { perEye: intOption(opts.attacksPerEye, '--attacks-per-eye', 1, 99) } : {}),
      ...(opts.prosthetics !== undefined ? { prosthetics: intOption(opts.prosthetics, '--prosthetics', 1, 100_000) } : {}),
    },
  };
}

/** Registers the synth commands. */
export function registerSynthCommands(program: Command): void {
  const synth = program.command('synth').description('Generate seeded synthetic worlds');
  synth
    .command('iris')
    .description(
      'Near-infrared eye images with ground truth: <out>/images/*.png, <out>/masks/*.png, <out>/manifest.csv; ' +
        'with --attacks, presentation attacks beside the live captures (manifest column species: bona_fide or the attack species)',
    )
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-s, --subjects <n>', 'number of subjects (each has a left and a right eye)', '10')
    .option('-c, --captures <k>', 'captures per eye', '4')
    .option('--seed <s>', 'random seed: same seed, same world', '1')
    .option('--size <WxH>', 'image size (640x480 default; 320x280 is CASIA-Interval-like)', '640x480')
    .option('--attacks <species>', `attack species to add, comma-separated: ${ATTACK_SPECIES.join(', ')} (live images are unchanged)`)
    .option('--attacks-per-eye <n>', 'presentations of each species per eye (prosthetic: per fake eye); default 1')
    .option('--prosthetics <n>', 'number of distinct fake eyes for the prosthetic species; default: one per subject')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      [
        '',
        'Attack species (docs/synthetic-iris.md):',
        '  print       a printed photo of the eye (halftone, paper, compressed tones) photographed again',
        '  screen      the photo shown on a phone, tablet or e-reader (pixel grid, moire, banding, glare) photographed again',
        '  lens        the live eye wearing a textured cosmetic contact lens',
        '  prosthetic  a glass or doll eye belonging to nobody (regular painted iris, fixed pupil, glossy highlights)',
        '',
        'Example: irisk synth iris -o world --subjects 10 --attacks print,screen,lens,prosthetic --attacks-per-eye 2',
      ].join('\n'),
    )
    .action((opts: IrisSynthOptions) =>
      run(opts, async () => {
        const { width, height } = sizeOption(opts.size);
        const options: IrisWorldOptions = {
          subjects: intOption(opts.subjects, '--subjects', 1, 100_000),
          captures: intOption(opts.captures, '--captures', 1, 1000),
          seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
          width,
          height,
          ...attackOptions(opts),
        };
        const res = await writeIrisWorld(opts.out, options, terminalProgress(!opts.json && process.stderr.isTTY === true));
        const attacks = res.attackCount > 0 ? ` (${res.bonaFideCount} live, ${res.attackCount} attack presentations)` : '';
        emit(opts, { ...res, ...options }, `wrote ${res.count} images${attacks} and ${res.manifestPath}`);
      }),
    );
  synth
    .command('templates')
    .description('Synthetic iris templates without images, for 1:N benchmarks at scale: one JSON record per line (open-iris template form), genuine variants after their template')
    .requiredOption('-o, --out <file>', 'output file (NDJSON; about 5.6 kB per template)')
    .requiredOption('--count <n>', 'number of templates')
    .option('--seed <s>', 'random seed: same seed, same templates', '1')
    .option('--genuine <k>', 'genuine variants per template (rotated, bits flipped, a fresh mask)', '0')
    .option('--flip-rate <x>', 'share of bits a genuine variant flips (its distance to the original)', '0.1')
    .option('--max-rotation <n>', 'largest rotation of a genuine variant, in columns either way', '8')
    .option('--json', 'machine-readable output')
    .action((opts: { out: string; count: string; seed: string; genuine: string; flipRate: string; maxRotation: string; json?: boolean }) =>
      run(opts, async () => {
        const options: TemplateFileOptions = {
          count: intOption(opts.count, '--count', 1, 100_000_000),
          seed: intOption(opts.seed, '--seed', 0, 2 ** 32 - 1),
          genuine: intOption(opts.genuine, '--genuine', 0, 100),
          flipRate: numberOption(opts.flipRate, '--flip-rate', 0, 0.5),
          maxRotation: intOption(opts.maxRotation, '--max-rotation', 0, 128),
        };
        const res = await writeTemplateFile(opts.out, options, terminalProgress(!opts.json && process.stderr.isTTY === true));
        emit(opts, { ...res, ...options }, `wrote ${res.templates} templates${res.genuineVariants ? ` and ${res.genuineVariants} genuine variants` : ''} to ${res.path}`);
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
