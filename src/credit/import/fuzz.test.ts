/**
 * Fuzzing the import parsers: mutated tables and mapping configs give a result or a typed error,
 * never a crash, and an import of a mutated file never stores an event the validator would refuse.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';
import { gmscLikeTable, monthlyPanelTable, tableText } from '../../synth/credit/tables.js';
import { allEvents, openEventStore } from '../events/store.js';
import { validateEvent } from '../events/validate.js';
import { GMSC_MAPPING, MONTHLY_PANEL_MAPPING } from './builtin.js';
import { importTable } from './import.js';
import { validateMapping } from './mapping.js';
import { parseTable } from './table.js';

const NOW = Date.UTC(2026, 0, 1);
const PIECES = ['', ',', ';', '"', '""', '\n', '\r\n', '\t', 'NA', '-1', '1e400', 'nan', '0x1f', ' ', '96', '\u0000', '\ufeff', 'é', '9'.repeat(40)];

/** A copy of `text` with a few random edits: pieces inserted, characters deleted or replaced. */
function mutate(rng: Rng, text: string): string {
  let s = text;
  for (let k = rng.int(1, 6); k > 0; k--) {
    const at = rng.int(0, s.length);
    const roll = rng.next();
    if (roll < 0.4) s = s.slice(0, at) + rng.pick(PIECES) + s.slice(at);
    else if (roll < 0.7) s = s.slice(0, at) + s.slice(at + rng.int(1, 12));
    else s = s.slice(0, at) + String.fromCharCode(rng.int(0, 0x2fff)) + s.slice(at + 1);
  }
  return s;
}

/** Runs `fn`; a thrown error must be an IriskError. Returns whether it threw. */
function typedOrOk(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (!isIriskError(e)) throw e;
    return true;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'irisk-import-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import fuzzing', () => {
  it('parseTable: 3,000 mutated tables parse or fail with a typed error', () => {
    const rng = new Rng(77);
    const texts = [tableText(gmscLikeTable({ rows: 12, seed: 1 })), tableText(monthlyPanelTable({ rows: 12, seed: 2 }), { quoteHeader: true })];
    let failed = 0;
    for (let i = 0; i < 3000; i++) if (typedOrOk(() => parseTable(mutate(rng, rng.pick(texts)), { source: 'fuzz.csv' }))) failed++;
    expect(failed).toBeGreaterThan(0); // the mutations do reach the error paths
  });

  it('validateMapping: 3,000 mutated configs validate or fail with CONFIG_INVALID', () => {
    const rng = new Rng(78);
    const configs = [JSON.stringify(GMSC_MAPPING), JSON.stringify(MONTHLY_PANEL_MAPPING)];
    let parsedJson = 0;
    for (let i = 0; i < 3000; i++) {
      let raw: unknown;
      try {
        raw = JSON.parse(mutate(rng, rng.pick(configs)));
      } catch {
        continue; // not JSON: the CLI reports that before validation
      }
      parsedJson++;
      try {
        validateMapping(raw, 'fuzz.json');
      } catch (e) {
        expect(isIriskError(e, 'CONFIG_INVALID'), String(e)).toBe(true);
      }
    }
    expect(parsedJson).toBeGreaterThan(300);
  });

  it('importTable: mutated files import what is valid, reject the rest, store only valid events', async () => {
    const rng = new Rng(79);
    const base = tableText(gmscLikeTable({ rows: 40, seed: 3 }));
    const data = join(dir, 'data');
    for (let i = 0; i < 25; i++) {
      const file = join(dir, `m${i}.csv`);
      await writeFile(file, mutate(rng, base));
      try {
        const report = await importTable(data, file, GMSC_MAPPING, { now: NOW, dataset: `fuzz${i}` });
        expect(report.accepted + report.rejectedCount).toBeLessThanOrEqual(report.rows);
      } catch (e) {
        expect(isIriskError(e), String(e)).toBe(true);
      }
    }
    const db = await openEventStore(data);
    try {
      for (const e of await allEvents(db)) {
        const raw = e as unknown as Record<string, unknown>;
        expect(() => validateEvent(raw, { now: NOW })).not.toThrow();
      }
    } finally {
      db.close();
    }
  });
});
