import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../../../../test/cli-harness.js';
import { validateMapping } from '../../../credit/import/mapping.js';
import { gmscLikeTable, monthlyPanelTable, tableText } from '../../../synth/credit/tables.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-credit-import-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('irisk credit import', () => {
  it('imports with a built-in mapping, prints the summary, and duplicates nothing the second time', async () => {
    const table = gmscLikeTable({ rows: 60, seed: 1 });
    const rows = table.rows.map((r) => [...r]);
    rows[2]![3] = 'old'; // line 4
    const file = join(dir, 'cs-training.csv');
    await writeFile(file, tableText({ header: table.header, rows }));
    const data = join(dir, 'data');
    const first = await cli('credit', 'import', file, '--mapping', 'gmsc', '--data-dir', data);
    expect(first.code).toBe(0);
    const positives = table.labels.reduce((s, y, i) => s + (i === 2 ? 0 : y), 0);
    expect(first.stdout).toMatch(/dataset\s+view\s+rows\s+events inserted\s+duplicates\s+rejected\s+labels\s+positives/);
    expect(first.stdout).toMatch(new RegExp(`gmsc\\s+gmsc\\s+60\\s+118\\s+0\\s+1\\s+59\\s+${positives}\\n`));
    expect(first.stdout).toContain('line 4: application.age: column "age": not a number (got "old")');
    expect(first.stdout).toContain('columns not imported: (column 1)');
    expect(first.stdout).toContain('rejected rows were skipped');
    expect(first.stderr).toBe(''); // no progress without a terminal

    const again = await cli('credit', 'import', file, '--mapping', 'gmsc', '--data-dir', data, '--json');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ mapping: 'gmsc', dataset: 'gmsc', rows: 60, accepted: 59, inserted: 0, duplicates: 118, labels: 0, labelDuplicates: 59, rejectedCount: 1 });
  });

  it('takes a mapping file and a dataset name; the panel mapping reads a PAY_1 / dotted-label header', async () => {
    const table = monthlyPanelTable({ rows: 20, seed: 2, firstStatus: 'PAY_1', labelColumn: 'default.payment.next.month' });
    const file = join(dir, 'panel.csv');
    await writeFile(file, tableText(table, { quoteHeader: true }));
    const r = await cli('credit', 'import', file, '--mapping', 'monthly-panel', '--dataset', 'cards', '--data-dir', join(dir, 'data'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: 'cards', view: 'panel', accepted: 20, inserted: 20 * 14 });

    const printed = await cli('credit', 'mappings', 'monthly-panel');
    expect(printed.code).toBe(0);
    const mapping = validateMapping(JSON.parse(printed.stdout));
    const mine = join(dir, 'mine.json');
    await writeFile(mine, JSON.stringify({ ...mapping, dataset: 'mine', asOf: '2006-01-01T00:00:00Z' }));
    const own = await cli('credit', 'import', file, '--mapping', mine, '--data-dir', join(dir, 'data'), '--json');
    expect(own.code).toBe(0);
    expect(JSON.parse(own.stdout)).toMatchObject({ dataset: 'mine', asOf: Date.parse('2006-01-01T00:00:00Z'), inserted: 20 * 14 });

    const list = await cli('credit', 'mappings');
    expect(list.stdout).toMatch(/gmsc\s+table\s+gmsc\s+gmsc/);
    expect(list.stdout).toMatch(/monthly-panel\s+panel\s+ccdefault\s+panel/);
  });

  it('exits 3 for an invalid mapping or a file that does not fit it, 2 for an unknown built-in', async () => {
    const file = join(dir, 'x.csv');
    await writeFile(file, 'a,b\n1,2\n');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ kind: 'table', dataset: 'x', view: 'gmsc', asOf: 'yesterday' }));
    const r1 = await cli('credit', 'import', file, '--mapping', bad, '--data-dir', join(dir, 'data'));
    expect(r1.code).toBe(3);
    expect(r1.stderr).toContain('error CONFIG_INVALID');
    expect(r1.stderr).toContain('asOf: must be an ISO 8601 time with a zone');
    const r2 = await cli('credit', 'import', file, '--mapping', 'gmsc', '--data-dir', join(dir, 'data'), '--json');
    expect(r2.code).toBe(3);
    expect(JSON.parse(r2.stdout).error.code).toBe('DATASET_INVALID');
    const r3 = await cli('credit', 'import', join(dir, 'none.csv'), '--mapping', 'gmsc', '--data-dir', join(dir, 'data'));
    expect(r3.code).toBe(3);
    expect(r3.stderr).toContain('error EVENT_FILE_UNREADABLE');
    expect((await cli('credit', 'mappings', 'nope')).code).toBe(2);
    const help = await cli('credit', 'import', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--mapping <name|file>');
    expect(help.stdout).toContain('irisk credit import cs-training.csv --mapping gmsc');
  });
});
