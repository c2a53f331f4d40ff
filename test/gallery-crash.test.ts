/**
 * Crash test of enrolment: a child process enrols 10,000 persons one after another and prints
 * `ack i` once `enroll` has resolved; it is killed (SIGKILL) at random moments and restarted,
 * each run going on from the first person it did not see acknowledged. After every restart the
 * gallery holds exactly the acknowledged persons, plus at most the one whose enrolment was in
 * flight when the process died (committed but not yet acknowledged: its retry is refused as
 * DUPLICATE naming that same person, which acknowledges it). At the end: exactly the 10,000
 * persons, each once, each with its own templates.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/lib/rng.js';
import { Gallery } from '../src/identity/gallery/gallery.js';
import { templateCells } from '../src/identity/gallery/layout.js';
import { eyes, SMALL_OPTIONS } from './gallery-world.js';

const TOTAL = 10_000;
const root = resolve(import.meta.dirname, '..');

/** The child: load, report what is there, enrol from `start` on, acknowledging each. */
function childScript(dir: string, start: number): string {
  return `
    import { Gallery } from ${JSON.stringify(join(root, 'src/identity/gallery/gallery.ts'))};
    import { eyes, SMALL_OPTIONS } from ${JSON.stringify(join(root, 'test/gallery-world.ts'))};
    const g = await Gallery.open(${JSON.stringify(dir)}, { ...SMALL_OPTIONS, scanner: 'single' });
    const ids = g.personIds();
    process.stdout.write('loaded ' + ids.length + ' ' + ids.every((id, i) => id === 'p' + i) + ' ' + g.repairedSlots + '\\n');
    for (let i = ${start}; i < ${TOTAL}; i++) {
      const e = eyes(i);
      try {
        await g.enroll('p' + i, e.left, e.right);
      } catch (err) {
        if (!(err.code === 'DUPLICATE' && err.details.personId === 'p' + i)) throw err;
      }
      process.stdout.write('ack ' + i + '\\n');
    }
    await g.close();
    process.stdout.write('done\\n');
  `;
}

interface Run {
  loaded: number;
  contiguous: boolean;
  lastAck: number;
  finished: boolean;
}

/** Runs the child from `start`; kills it once it has acknowledged `killAfter` more persons, 0-3 ms later. */
function runChild(dir: string, start: number, killAfter: number | null, rng: Rng): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript(dir, start)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let acks = 0;
  let killing = false;
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    out += text;
    acks += text.split('\n').filter((l) => l.startsWith('ack ')).length;
    if (killAfter !== null && !killing && acks >= killAfter) {
      killing = true;
      // Land anywhere inside the next enrolments: in the scan, between the template write and the commit, after it.
      setTimeout(() => child.kill('SIGKILL'), rng.int(0, 3));
    }
  });
  return new Promise((res, rej) => {
    child.on('exit', (code, signal) => {
      const lines = out.split('\n');
      const loaded = /^loaded (\d+) (true|false) (\d+)$/.exec(lines.find((l) => l.startsWith('loaded ')) ?? '');
      if (!loaded) return rej(new Error(`child printed no load line (code ${code}, signal ${signal}): ${err}`));
      if (signal !== 'SIGKILL' && code !== 0) return rej(new Error(`child failed (code ${code}): ${err}`));
      const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      res({ loaded: Number(loaded[1]), contiguous: loaded[2] === 'true', lastAck: acked.length ? acked[acked.length - 1]! : start - 1, finished: lines.includes('done') });
    });
  });
}

describe('gallery crash test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irisk-gallery-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed at random moments during 10,000 enrolments, the gallery holds exactly the acknowledged persons, none twice', async () => {
    const rng = new Rng(20261206);
    let acknowledged = 0;
    let kills = 0;
    for (;;) {
      const killAfter = kills < 12 ? rng.int(200, 1200) : null;
      const r = await runChild(dir, acknowledged, killAfter, rng);
      // What the restarted process found: every acknowledged person, at most one more (in flight at the kill), in order.
      expect(r.contiguous).toBe(true);
      expect(r.loaded === acknowledged || r.loaded === acknowledged + 1).toBe(true);
      acknowledged = r.lastAck + 1;
      if (r.finished) break;
      kills++;
    }
    expect(kills).toBe(12);
    expect(acknowledged).toBe(TOTAL);
    const g = await Gallery.open(dir, SMALL_OPTIONS);
    try {
      expect(g.personIds()).toEqual(Array.from({ length: TOTAL }, (_, i) => `p${i}`));
      expect(g.stats()).toMatchObject({ persons: TOTAL, templates: 2 * TOTAL, erasedSlots: 0 });
      // Each person's slots hold their own templates, byte for byte.
      const bytes = readFileSync(join(dir, 'gallery', 'templates.bin'));
      const slot = templateCells(eyes(0).left).byteLength;
      for (const i of [0, 1, 777, 4321, TOTAL - 1]) {
        const p = g.person(`p${i}`)!;
        expect(bytes.subarray(p.leftSlot * slot, (p.leftSlot + 1) * slot)).toEqual(Buffer.from(templateCells(eyes(i).left).buffer));
        expect(bytes.subarray(p.rightSlot * slot, (p.rightSlot + 1) * slot)).toEqual(Buffer.from(templateCells(eyes(i).right).buffer));
      }
    } finally {
      await g.close();
    }
  });
});
