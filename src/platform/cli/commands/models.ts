/**
 * `irisk models ...`: the model registry from the command line: list versions, show one, promote a
 * version to an alias (with a reason, recorded in the append-only audit log), retire an alias, and
 * read the alias history, including which version served under an alias at a given time.
 *
 * Every subcommand takes a reference where it names a version: a version id or a prefix of at
 * least 8 hex digits, NAME@ALIAS (credit-default@champion), or a bare alias set on one line only.
 * To add a subcommand, write an `add...Command(models)` function and call it in `registerModelsCommands`.
 */
import type { Command } from 'commander';
import { IriskError } from '../../../lib/errors.js';
import { defaultActor, type AliasAt, type ModelVersion } from '../../../ml/registry/index.js';
import { emit, formatBytes, textTable, timeOption } from '../output.js';
import { addGateCommand } from './models-gate.js';
import { addImportCommand } from './models-import.js';
import { withRegistry, type ModelsCommonOptions } from './with-registry.js';

/** Registers `irisk models` and its subcommands; returns the `models` command so more can be added. */
export function registerModelsCommands(program: Command): Command {
  const models = program
    .command('models')
    .description('Model registry: immutable content-addressed versions, aliases (champion, challenger, ...) and their audit history')
    .addHelpText(
      'after',
      '\nReferences: a version id or >= 8 leading hex digits, NAME@ALIAS (e.g. credit-default@champion), or an alias set on exactly one model line.',
    );
  addListCommand(models);
  addShowCommand(models);
  addPromoteCommand(models);
  addRetireCommand(models);
  addHistoryCommand(models);
  addGateCommand(models);
  addImportCommand(models);
  return models;
}

/** Adds the options every models subcommand has. */
function common(cmd: Command): Command {
  return cmd.option('--data-dir <dir>', 'data directory (default: $IRISK_DATA_DIR or ./.irisk)').option('--json', 'machine-readable output');
}

function addListCommand(models: Command): void {
  common(
    models
      .command('list')
      .description('List registered model versions, oldest first, with the aliases pointing at them')
      .option('--name <name>', 'only this model line (e.g. credit-default)'),
  ).action((opts: ModelsCommonOptions & { name?: string }) =>
    withRegistry(opts, async (reg) => {
      const versions = await reg.list({ name: opts.name });
      const aliases = await reg.aliases(opts.name);
      const rows = versions.map((v) => ({ ...summary(v), aliases: aliases.filter((a) => a.version === v.id).map((a) => a.alias) }));
      const human = rows.length
        ? textTable(
            ['ID', 'NAME', 'KIND', 'CREATED', 'BY', 'SIZE', 'ALIASES'],
            rows.map((r) => [r.id.slice(0, 12), r.name, r.kind, r.createdAt, r.createdBy, formatBytes(r.sizeBytes), r.aliases.join(',')]),
          )
        : `no model versions${opts.name ? ` of ${opts.name}` : ''}`;
      emit(opts, rows, human);
    }),
  );
}

function addShowCommand(models: Command): void {
  common(
    models
      .command('show')
      .description('Show one version: metadata, files with sizes and hashes, the aliases pointing at it, and an integrity check of its files')
      .argument('<ref>', 'version id, id prefix (>= 8 hex digits), NAME@ALIAS or alias'),
  ).action((ref: string, opts: ModelsCommonOptions) =>
    withRegistry(opts, async (reg) => {
      const v = await reg.resolve(ref);
      const aliases = (await reg.aliases(v.metadata.name)).filter((a) => a.version === v.id).map((a) => ({ alias: a.alias, since: a.since }));
      const integrity = await reg.verify(v.id);
      const value = {
        id: v.id,
        dir: v.dir,
        sizeBytes: v.sizeBytes,
        metadata: v.metadata,
        files: v.files,
        aliases,
        integrity: { ok: integrity.ok, problems: integrity.problems },
      };
      const m = v.metadata;
      const lines = [
        `version   ${v.id}`,
        `line      ${m.name} (${m.kind})`,
        `created   ${m.createdAt} by ${m.createdBy}`,
        `code      ${m.codeVersion}`,
        `parent    ${m.parent ?? '-'}`,
        `data      ${m.trainingData.rows} rows, sha256 ${m.trainingData.fingerprint}${m.trainingData.source ? `, from ${m.trainingData.source}` : ''}`,
        `features  ${m.featureSchema.length ? m.featureSchema.map((f) => f.name).join(', ') : '-'}`,
        ...(m.description ? [`about     ${m.description}`] : []),
        `aliases   ${aliases.length ? aliases.map((a) => `${m.name}@${a.alias} (since ${a.since})`).join(', ') : '-'}`,
        `params    ${JSON.stringify(m.params)}`,
        `metrics   ${JSON.stringify(m.metrics)}`,
        `files     (${formatBytes(v.sizeBytes)} in ${v.dir})`,
        ...v.files.map((f) => `  ${f.name.padEnd(24)} ${formatBytes(f.size).padStart(10)}  sha256 ${f.sha256}`),
        `integrity ${integrity.ok ? 'ok' : 'FAILED: ' + integrity.problems.join('; ')}`,
      ];
      emit(opts, value, lines.join('\n'));
    }),
  );
}

function addPromoteCommand(models: Command): void {
  common(
    models
      .command('promote')
      .description("Point an alias of the version's model line at it; the change and its reason are appended to the audit log")
      .argument('<ref>', 'version id, id prefix, NAME@ALIAS or alias')
      .requiredOption('--alias <alias>', 'alias to move (champion, challenger, or [a-z][a-z0-9_-]*)')
      .requiredOption('--reason <text>', 'why (recorded in the audit log)')
      .option('--by <who>', 'who is doing this (default: $USER)'),
  ).action((ref: string, opts: ModelsCommonOptions & { alias: string; reason: string; by?: string }) =>
    withRegistry(opts, async (reg) => {
      const { event, changed } = await reg.promote(ref, opts.alias, { reason: opts.reason, actor: opts.by ?? defaultActor() });
      const target = `${event.name}@${event.alias}`;
      emit(
        opts,
        { ...event, changed },
        changed
          ? `${target}: ${event.from ? event.from.slice(0, 12) : '(unset)'} -> ${event.to!.slice(0, 12)} at ${event.at} by ${event.actor} (event ${event.seq})`
          : `${target} already points at ${event.to!.slice(0, 12)} (since ${event.at}); nothing recorded`,
      );
    }),
  );
}

function addRetireCommand(models: Command): void {
  common(
    models
      .command('retire')
      .description('Unset an alias (NAME@ALIAS); the change and its reason are appended to the audit log')
      .argument('<name@alias>', 'e.g. credit-default@challenger')
      .requiredOption('--reason <text>', 'why (recorded in the audit log)')
      .option('--by <who>', 'who is doing this (default: $USER)'),
  ).action((target: string, opts: ModelsCommonOptions & { reason: string; by?: string }) =>
    withRegistry(opts, async (reg) => {
      const at = target.indexOf('@');
      if (at <= 0) throw new IriskError('USAGE', `retire takes NAME@ALIAS (got "${target}")`);
      const { event } = await reg.unsetAlias(target.slice(0, at), target.slice(at + 1), { reason: opts.reason, actor: opts.by ?? defaultActor() });
      emit(opts, { ...event, changed: true }, `${event.name}@${event.alias}: ${event.from?.slice(0, 12)} -> (retired) at ${event.at} by ${event.actor} (event ${event.seq})`);
    }),
  );
}

function addHistoryCommand(models: Command): void {
  common(
    models
      .command('history')
      .description('The alias audit log; with --at, which version served under each alias at that time')
      .option('--name <name>', 'only this model line')
      .option('--alias <alias>', 'only this alias')
      .option('--at <time>', 'ISO 8601 time (a time without a zone is UTC): show what each alias pointed to then'),
  ).action((opts: ModelsCommonOptions & { name?: string; alias?: string; at?: string }) =>
    withRegistry(opts, async (reg) => {
      const filter = { name: opts.name, alias: opts.alias };
      if (opts.at !== undefined) {
        const at = timeOption(opts.at, '--at');
        const rows: AliasAt[] =
          opts.name !== undefined && opts.alias !== undefined ? [await reg.aliasAt(opts.name, opts.alias, at)] : await reg.aliasesAt(at, filter);
        emit(opts, rows, rows.length ? rows.map(describeAt).join('\n') : `no alias had been set by ${at.toISOString()}`);
        return;
      }
      const events = await reg.history(filter);
      const human = events.length
        ? textTable(
            ['SEQ', 'AT', 'ALIAS', 'FROM', 'TO', 'BY', 'REASON'],
            events.map((e) => [String(e.seq), e.at, `${e.name}@${e.alias}`, short(e.from), e.to ? e.to.slice(0, 12) : '(retired)', e.actor, e.reason]),
          )
        : 'no alias changes recorded';
      emit(opts, events, human);
    }),
  );
}

function describeAt(r: AliasAt): string {
  const target = `${r.name}@${r.alias} at ${r.at}`;
  if (!r.event) return `${target}: not set yet`;
  if (!r.version) return `${target}: retired (since ${r.event.at}, ${r.event.reason})`;
  return `${target}: ${r.version} (since ${r.event.at}, by ${r.event.actor}: ${r.event.reason})`;
}

function summary(v: ModelVersion) {
  const m = v.metadata;
  return { id: v.id, name: m.name, kind: m.kind, createdAt: m.createdAt, createdBy: m.createdBy, parent: m.parent, sizeBytes: v.sizeBytes, description: m.description };
}

function short(id: string | null): string {
  return id ? id.slice(0, 12) : '(unset)';
}

