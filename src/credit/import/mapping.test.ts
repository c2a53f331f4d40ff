import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorCode } from '../../../test/support.js';
import { isIriskError } from '../../lib/errors.js';
import { BUILTIN_MAPPINGS, GMSC_MAPPING, loadMapping, MONTHLY_PANEL_MAPPING } from './builtin.js';
import { bindMapping, RowRejected } from './convert.js';
import { parseDuration, resolveColumn, validateMapping } from './mapping.js';
import { detectDelimiter, parseTable } from './table.js';

const base = {
  kind: 'table',
  dataset: 'demo',
  view: 'gmsc',
  asOf: '2020-01-01T00:00:00Z',
  label: { column: 'y', positive: 1 },
  events: [{ type: 'bureau', before: '1d', fields: { openAccounts: 'open', delinquencies: { const: 0 } } }],
};

/** The base mapping with `patch` applied at a dotted path (undefined deletes the key). */
function variant(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const keys = path.split('.');
  let o = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isIriskError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error('no error');
}

describe('validateMapping', () => {
  it('accepts the built-in mappings and fills in defaults', () => {
    expect(Object.keys(BUILTIN_MAPPINGS)).toEqual(['gmsc', 'monthly-panel']);
    const m = validateMapping(base, 'demo.json');
    expect(m.id).toBe('row');
    expect(m.format?.delimiter).toBe('auto');
    expect(m.format?.missing).toContain('NA');
    expect(m.events[0]!.key).toBe('bureau');
    const panel = BUILTIN_MAPPINGS['monthly-panel']!;
    expect(panel.monthly?.lateDaysPerStatus).toBe(30);
    expect(panel.monthly?.status.length).toBe(6);
    expect(validateMapping(JSON.parse(JSON.stringify(GMSC_MAPPING)))).toEqual(BUILTIN_MAPPINGS.gmsc);
    expect(validateMapping(JSON.parse(JSON.stringify(MONTHLY_PANEL_MAPPING)))).toEqual(panel);
  });

  it.each([
    ['top level', 42, /\(top level\): a mapping must be a JSON object/],
    ['unknown key', { ...base, extra: 1 }, /demo\.json: extra: unknown key/],
    ['kind', variant('kind', 'wide'), /kind: must be "table" or "panel"/],
    ['dataset', variant('dataset', 'Has Spaces'), /dataset: must be a lowercase name/],
    ['view', variant('view', 'nope'), /view: must name a feature view, one of underwriting, gmsc, panel/],
    ['asOf without zone', variant('asOf', '2020-01-01T00:00:00'), /asOf: must be an ISO 8601 time with a zone/],
    ['asOf impossible date', variant('asOf', '2020-02-30T00:00:00Z'), /asOf:/],
    ['label missing', variant('label', undefined), /label: must be an object/],
    ['label positive', variant('label.positive', []), /label\.positive: must be a value or a non-empty list/],
    ['label overlap', variant('label.negative', [0, '1']), /label\.negative: "1" is also a positive value/],
    ['label column', variant('label.column', ''), /label\.column: a column name must not be blank/],
    ['events type', variant('events', [{ type: 'repayment', before: '1d', fields: {} }]), /events\[0\]\.type: repayment events come from the monthly section/],
    ['events unknown type', variant('events', [{ type: 'tweet', before: '1d', fields: {} }]), /events\[0\]\.type: must be one of application, loan/],
    ['events before zero', variant('events', [{ type: 'bureau', before: '0d', fields: { openAccounts: 'a', delinquencies: 'b' } }]), /events\[0\]\.before: must be longer than zero/],
    ['events before malformed', variant('events', [{ type: 'bureau', before: '1 week', fields: { openAccounts: 'a', delinquencies: 'b' } }]), /events\[0\]\.before: must be a duration/],
    ['events before missing', variant('events', [{ type: 'bureau', fields: { openAccounts: 'a', delinquencies: 'b' } }]), /events\[0\]\.before: is required/],
    ['field of another type', variant('events.0.fields.income', 'inc'), /events\[0\]\.fields\.income: is not a field of a bureau event/],
    ['required field', variant('events.0.fields.delinquencies', undefined), /events\[0\]\.fields\.delinquencies: is required for a bureau event/],
    ['const type', variant('events', [{ type: 'purchase', before: '1d', fields: { amount: 'a', merchantCategory: 'm', channel: { const: 'fax' } } }]), /events\[0\]\.fields\.channel\.const: must be one of online, in_store, app/],
    ['const range', variant('events.0.fields.delinquencies', { const: -1 }), /events\[0\]\.fields\.delinquencies\.const: must be at least 0/],
    ['sum of text', variant('events', [{ type: 'purchase', before: '1d', fields: { amount: 'a', merchantCategory: { sum: ['a'] }, channel: { const: 'app' } } }]), /merchantCategory\.sum: a sum needs a numeric field/],
    ['source option', variant('events.0.fields.openAccounts', { column: 'open', scale: 0 }), /openAccounts\.scale: must be a non-zero number/],
    ['source key', variant('events.0.fields.openAccounts', { column: 'open', round: true }), /openAccounts\.round: unknown key/],
    ['loanId', variant('events', [{ type: 'loan', before: '1d', fields: { loanId: 'x', amount: 'a', termMonths: { const: 1 }, installments: { const: 1 }, merchantCategory: { const: 'x' } } }]), /events\[0\]\.fields\.loanId: is generated/],
    ['duplicate key', variant('events', [base.events[0], base.events[0]]), /events\[1\]\.key: "bureau" is used twice/],
    ['table without events', variant('events', []), /events: a table mapping needs at least one event/],
    ['monthly on a table', { ...base, monthly: {} }, /monthly: only a panel mapping/],
    ['panel without monthly', variant('kind', 'panel'), /monthly: is required for a panel mapping/],
    ['format delimiter', variant('format', { delimiter: ':' }), /format\.delimiter: must be one of/],
    ['format columns', variant('format', { header: false }), /format\.columns: a file without a header needs the list of its column names/],
    ['id', variant('id', 'uuid'), /id: must be "row" or \{"column": \.\.\.\}/],
  ])('rejects %s with CONFIG_INVALID naming the key', (_, raw, pattern) => {
    expect(messageOf(() => validateMapping(raw, 'demo.json'))).toMatch(pattern);
  });

  it('checks the monthly section of a panel', () => {
    const panel = { ...base, kind: 'panel', events: [] as unknown[], monthly: { status: ['s1', 's2'], bill: ['b1', 'b2'], paid: ['p1'] } };
    expect(messageOf(() => validateMapping(panel))).toMatch(/monthly\.paid: lists 1 months; status, bill and paid must list the same number of months \(2\)/);
    expect(messageOf(() => validateMapping({ ...panel, monthly: { ...panel.monthly, paid: ['p1', 'p2'], lateDaysPerStatus: 0 } }))).toMatch(/monthly\.lateDaysPerStatus: must be a whole number of days from 1 to 365/);
    expect(messageOf(() => validateMapping({ ...panel, monthly: { ...panel.monthly, paid: ['p1', 'p2'], negativeBill: 'drop' } }))).toMatch(/monthly\.negativeBill: must be "clamp" or "reject"/);
    expect(messageOf(() => validateMapping({ ...panel, monthly: { ...panel.monthly, paid: ['p1', 'p2'], status: 'PAY_0' } }))).toMatch(/monthly\.status: must be a non-empty list of columns/);
    const ok = validateMapping({ ...panel, monthly: { ...panel.monthly, paid: ['p1', 'p2'] } });
    expect(ok.monthly).toMatchObject({ lateDaysPerStatus: 30, negativeBill: 'clamp', loan: 'loan', before: '1d' });
  });
});

describe('loadMapping', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'irisk-mapping-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads built-ins by name and files by path; reports bad files as CONFIG_INVALID', async () => {
    expect((await loadMapping('gmsc')).builtin).toBe(true);
    const file = join(dir, 'm.json');
    await writeFile(file, JSON.stringify(base));
    expect((await loadMapping(file)).mapping.dataset).toBe('demo');
    await writeFile(join(dir, 'bad.json'), '{"kind": ');
    await expect(loadMapping(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/not valid JSON/) });
    await expect(loadMapping(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/neither a built-in mapping \(gmsc, monthly-panel\) nor a readable JSON file: no such file/) });
    await writeFile(join(dir, 'invalid.json'), JSON.stringify({ ...base, view: 'x' }));
    await expect(loadMapping(join(dir, 'invalid.json'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/invalid\.json: view:/) });
  });
});

describe('columns and durations', () => {
  it('matches column names exactly, then ignoring case and punctuation, alternatives in order', () => {
    const header = ['ID', 'PAY_1', 'default.payment.next.month', 'Pay Amt 1'];
    expect(resolveColumn(header, 'ID', 'f')).toBe(0);
    expect(resolveColumn(header, ['PAY_0', 'PAY_1'], 'f')).toBe(1);
    expect(resolveColumn(header, 'default payment next month', 'f')).toBe(2);
    expect(resolveColumn(header, 'PAY_AMT1', 'f')).toBe(3);
    expect(resolveColumn(header, 'PAY_2', 'f')).toBe(-1);
    expectErrorCode(() => resolveColumn(['a_b', 'A-B'], 'ab', 'f'), 'DATASET_INVALID', /matches "a_b" and "A-B"/);
    expect(resolveColumn(['a_b', 'A-B'], 'A-B', 'f')).toBe(1);
  });

  it('parses durations', () => {
    expect(parseDuration('1d')).toEqual({ amount: 1, unit: 'd' });
    expect(parseDuration('30min')).toEqual({ amount: 30, unit: 'min' });
    expect(parseDuration('6mo')).toEqual({ amount: 6, unit: 'mo' });
    expect(parseDuration('1.5mo')).toBeNull();
    expect(parseDuration('5m')).toBeNull();
  });
});

describe('parseTable', () => {
  it('keeps each row with its line: quotes, CRLF, a BOM, blank lines, embedded newlines', () => {
    const text = '\ufeff"id","name","note"\r\n1,a,"x, y"\r\n\r\n2,"b ""q""","multi\nline"\r\n3,c\r\n4,d,e';
    const t = parseTable(text);
    expect(t.header).toEqual(['id', 'name', 'note']);
    expect(t.rows).toEqual([
      { line: 2, cells: ['1', 'a', 'x, y'] },
      { line: 4, cells: ['2', 'b "q"', 'multi\nline'] },
      { line: 6, cells: ['3', 'c'] },
      { line: 7, cells: ['4', 'd', 'e'] },
    ]);
  });

  it('detects the delimiter, splits runs of spaces, takes column names for a headerless file', () => {
    expect(detectDelimiter('a;b;"c,d";e')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('single')).toBe(',');
    expect(parseTable('a;b\n1;2\n').rows[0]!.cells).toEqual(['1', '2']);
    const g = parseTable('A11 6  A34\nA12 48 A32 \n', { delimiter: ' ', header: false, columns: ['status', 'months', 'history'] });
    expect(g.rows).toEqual([
      { line: 1, cells: ['A11', '6', 'A34'] },
      { line: 2, cells: ['A12', '48', 'A32'] },
    ]);
    expectErrorCode(() => parseTable(''), 'DATASET_INVALID', /empty/);
    expectErrorCode(() => parseTable('a,b\n'), 'DATASET_INVALID', /no data rows/);
    expectErrorCode(() => parseTable('a,b\n1,"x\n'), 'DATASET_INVALID', /line 2: unterminated quoted field/);
  });
});

describe('bindMapping', () => {
  const header = ['', 'y', 'open', 'inc', 'late30', 'late90'];
  const mapping = validateMapping({
    ...base,
    events: [
      { type: 'bureau', before: '1d', fields: { openAccounts: 'open', delinquencies: { sum: ['late30', 'late90'] } } },
      { type: 'application', before: '1h', fields: { income: { column: 'inc', scale: 2, min: 0 }, amount: { const: 0 }, channel: { const: 'app' }, merchantCategory: { const: 'x' } } },
    ],
  });

  it('turns a row into events, a customer id and a label; lists unread columns', () => {
    const b = bindMapping(mapping, header, 'f.csv');
    expect(b.ignoredColumns).toEqual(['(column 1)']);
    const r = b.convert(['17', '1', '3', '-5', '1', '2'], 17);
    expect(r.customerId).toBe('demo-000017');
    expect(r.label).toBe(1);
    expect(r.clamped).toBe(1);
    const asOf = Date.parse('2020-01-01T00:00:00Z');
    expect(r.events).toEqual([
      { eventId: 'demo-000017-bureau', customerId: 'demo-000017', type: 'bureau', eventTime: asOf - 86_400_000, openAccounts: 3, delinquencies: 3 },
      { eventId: 'demo-000017-application', customerId: 'demo-000017', type: 'application', eventTime: asOf - 3_600_000, income: 0, amount: 0, channel: 'app', merchantCategory: 'x' },
    ]);
    // A missing cell: an optional field is absent, a sum of a missing cell too (and delinquencies is required).
    expect(b.convert(['1', '0', '3', 'NA', '1', '0'], 1).events[1]).not.toHaveProperty('income');
    expect(() => b.convert(['1', '0', '3', '1', 'NA', '0'], 1)).toThrow(/bureau\.delinquencies: column "late30 \+ late90" is missing/);
    expect(() => b.convert(['1', '0', 'x', '1', '0', '0'], 1)).toThrow(RowRejected);
    expect(() => b.convert(['1', '0', 'x', '1', '0', '0'], 1)).toThrow(/bureau\.openAccounts: column "open": not a number \(got "x"\)/);
    expect(() => b.convert(['1', '', '3', '1', '0', '0'], 1)).toThrow(/label column "y" is empty/);
    expect(() => b.convert(['1', '1', '3'], 1)).toThrow(/3 field\(s\), the header has 6/);
  });

  it('rejects a file that lacks a column before reading rows (DATASET_INVALID)', () => {
    expectErrorCode(() => bindMapping(mapping, ['y', 'open', 'inc'], 'f.csv'), 'DATASET_INVALID', /f\.csv: no column "late30", which mapping demo reads for events\[0\]\.fields\.delinquencies\.sum\[0\]/);
    const optional = validateMapping({ ...base, events: [{ type: 'bureau', before: '1d', fields: { openAccounts: { column: 'open', optional: true }, delinquencies: { const: 0 }, debtRatio: { column: 'dr', optional: true } } }] });
    expect(bindMapping(optional, ['y', 'open'], 'f.csv').convert(['1', '2'], 1).events[0]).not.toHaveProperty('debtRatio');
    expectErrorCode(() => bindMapping(optional, ['y', 'dr'], 'f.csv'), 'DATASET_INVALID', /no column "open", which mapping demo reads for events\[0\]\.fields\.openAccounts \(a required field/);
  });

  it('maps label values strictly when negatives are given', () => {
    const strict = validateMapping({ ...base, label: { column: 'y', positive: ['bad', 2], negative: ['good', 1] } });
    const b = bindMapping(strict, ['y', 'open'], 'f');
    expect(b.convert(['bad', '1'], 1).label).toBe(1);
    expect(b.convert(['2.0', '1'], 1).label).toBe(1);
    expect(b.convert(['good', '1'], 1).label).toBe(0);
    expect(() => b.convert(['3', '1'], 1)).toThrow(/"3" is neither a positive \(bad, 2\) nor a negative \(good, 1\) value/);
  });
});
