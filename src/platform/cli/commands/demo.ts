/**
 * `irisk demo` (what `npm start` runs): a working instance on embedded defaults. On an empty data
 * directory it builds the demo world (a lending world with a promoted credit model and decisions,
 * an iris world with a promoted PAD detector, evaluation reports, enrolments with duplicates and
 * attacks caught; see src/platform/demo/world.ts), writes `<data-dir>/serve.json` with a generated
 * admin key, then serves the API and dashboard. On a data directory that holds the world it just
 * serves. `--no-serve` builds (or finds) the world and exits.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { terminalProgress } from '../../../lib/progress.js';
import { adminKeyOf, buildDemoWorld, dataDirState, ensureServeFile, readDemoWorld, type DemoWorldSummary } from '../../demo/world.js';
import { loadServeConfig } from '../../server/config.js';
import { createService } from '../../server/service.js';
import { emit, intOption } from '../output.js';
import { run } from '../run.js';

/** The data directory: --data-dir, else IRISK_DATA_DIR, else ./.irisk. */
export function dataDir(option?: string): string {
  return resolve(option ?? process.env.IRISK_DATA_DIR ?? '.irisk');
}

interface DemoOptions {
  dataDir?: string;
  serve: boolean;
  port?: string;
  host?: string;
  seed: string;
  json?: boolean;
}

/** Registers the demo command. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Build the demo world into an empty data directory (credit model and decisions, PAD detector, reports, enrolments), then serve the API and dashboard (what `npm start` runs)')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--no-serve', 'build the world (or find it built) and exit')
    .option('--port <n>', 'port to serve on (default: serve.json, else 8080)')
    .option('--host <host>', 'interface to listen on (default: serve.json, else 127.0.0.1)')
    .option('--seed <s>', 'world seed (first build only)', '1')
    .option('--json', 'machine-readable output')
    .action((opts: DemoOptions) =>
      run(opts, async () => {
        const dir = dataDir(opts.dataDir);
        const seed = intOption(opts.seed, '--seed', 0, 2 ** 31 - 1);
        const port = opts.port !== undefined ? intOption(opts.port, '--port', 0, 65535) : undefined;
        const log = (m: string): void => {
          if (!opts.json) process.stderr.write(m + '\n');
        };
        const state = dataDirState(dir);
        let world: DemoWorldSummary | null = null;
        let built = false;
        if (state === 'interrupted') throw new IriskError('USAGE', `an earlier demo build into ${dir} was interrupted; remove that directory (or pick another --data-dir) and run again`);
        if (state === 'empty') {
          log(`building the demo world in ${dir} (about a minute on 2 cores)`);
          world = await buildDemoWorld(dir, { seed, log, progress: terminalProgress(!opts.json && process.stderr.isTTY === true) });
          built = true;
          log(
            `demo world built in ${world.seconds.toFixed(1)} s: ${world.identity.enrolled} persons enrolled, ${world.identity.duplicates} duplicates and ${world.identity.attacks} attacks caught, ` +
              `${world.credit.decisions} credit decisions (${Object.entries(world.credit.outcomes).map(([k, n]) => `${n} ${k}`).join(', ')})`,
          );
        } else if (state === 'demo') {
          world = await readDemoWorld(dir);
          log(`the demo world in ${dir} is built (${world?.builtAt ?? '?'}); not rebuilding`);
        } else log(`${dir} holds data but no demo world; serving it as it is`);
        const serveFile = await ensureServeFile(dir, port !== undefined ? { port } : {});
        const key = adminKeyOf(serveFile.file);
        const config = await loadServeConfig(dir, serveFile.path, { ...(opts.host ? { host: opts.host } : {}), ...(port !== undefined ? { port } : {}) });
        if (!opts.serve) {
          emit(opts, { dataDir: dir, built, world, serveConfig: serveFile.path }, `${built ? 'built' : 'found'} the demo world in ${dir}; serve it with \`irisk demo --data-dir ${dir}\` (config ${serveFile.path})`);
          return;
        }
        log('starting the service (loading the credit events into the online store takes a few seconds)');
        const service = await createService(config);
        const address = await service.app.listen({ host: config.host, port: config.port });
        const actualPort = Number(new URL(address).port);
        const shown = ['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(config.host) ? `http://localhost:${actualPort}` : address;
        for (const u of service.unavailable) log(`not served: ${u}`);
        const lines = [
          '',
          `irisk is serving ${dir} on ${address}`,
          '',
          `  dashboard:      ${shown}/`,
          `  admin API key:  ${key ? `${key.key}  (${key.name}, in ${serveFile.path})` : `none: add one to ${serveFile.path}`}`,
          '  try:',
          `    curl -s -H 'Authorization: Bearer ${key?.key ?? 'KEY'}' -H 'Content-Type: application/json' \\`,
          `      -d '{"customerId":"C0000001","amount":1500}' ${shown}/v1/credit/decisions`,
          `    curl -s -H 'Authorization: Bearer ${key?.key ?? 'KEY'}' ${shown}/v1/models`,
          '',
          'Ctrl-C stops it.',
        ];
        if (opts.json) process.stdout.write(JSON.stringify({ address, dashboard: `${shown}/`, dataDir: dir, serveConfig: serveFile.path, adminKey: key?.key ?? null }) + '\n');
        else process.stdout.write(lines.join('\n') + '\n');
        await new Promise<void>((done) => {
          const stop = (): void => done();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await service.close();
      }),
    );
}
