/**
 * `irisk serve`: the HTTP API on the data directory (credit decisions and events, the model
 * registry, health, metrics, OpenAPI), until interrupted.
 */
import type { Command } from 'commander';
import { loadServeConfig } from '../../server/config.js';
import { createService } from '../../server/service.js';
import { intOption, type OutputOptions } from '../output.js';
import { run } from '../run.js';
import { dataDir } from './demo.js';

/** Registers `irisk serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API: POST /v1/credit/decisions and /v1/credit/events, GET /v1/models, /healthz, /metrics, /openapi.json')
    .option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)')
    .option('--config <file>', 'service config JSON: host, port, bodyLimit, apiKeys [{name, key, roles: [enroll|decide|admin]}]')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--port <n>', 'port (default 8080)')
    .addHelpText('after', '\nAPI keys also come from IRISK_API_KEYS="KEY:ROLE[+ROLE],...". Requests send Authorization: Bearer KEY.')
    .action((opts: OutputOptions & { dataDir?: string; config?: string; host?: string; port?: string }) =>
      run(opts, async () => {
        const config = await loadServeConfig(dataDir(opts.dataDir), opts.config, {
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.port ? { port: intOption(opts.port, '--port', 0, 65535) } : {}),
        });
        const service = await createService(config);
        const address = await service.app.listen({ host: config.host, port: config.port });
        process.stderr.write(`irisk serving on ${address} (data ${config.dataDir}, ${config.apiKeys.length} API keys)\n`);
        for (const u of service.unavailable) process.stderr.write(`not served: ${u}\n`);
        if (config.apiKeys.length === 0) process.stderr.write('no API keys configured: only /healthz, /metrics and /openapi.json answer; add keys with --config or IRISK_API_KEYS\n');
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await service.close();
      }),
    );
}
