/**
 * The enrolled gallery: duplicates under the AND and OR rules and the mirror check, enrolment
 * exactly once under real concurrency, deletion from search and from disk, persistence across
 * reopening, repair of what an interrupted enrolment or deletion leaves, and typed errors.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../lib/duckdb.js';
import { isIriskError } from '../../lib/errors.js';
import { matchReference } from '../iris/matcher.js';
import type { IrisTemplate } from '../iris/template.js';
import { genuineVariant, syntheticTemplate } from '../../synth/templates/index.js';
import { eyes, SMALL_OPTIONS } from '../../../test/gallery-world.js';
import { Gallery, type GalleryOptions } from './gallery.js';
import { templateCells } from './layout.js';

/** A new capture of an eye: flipped bits, a small rotation, a fresh mask. */
function recapture(t: IrisTemplate, key: string, flipRate = 0.12): IrisTemplate {
  return genuineVariant(t, key, { flipRate, rotation: 2 });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isIriskError(e)) return e.code;
    throw e;
  }
}

describe('gallery', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'irisk-gallery-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (extra: GalleryOptions = {}): Promise<Gallery> => Gallery.open(dir, { ...SMALL_OPTIONS, ...extra, policy: { ...SMALL_OPTIONS.policy, ...extra.policy } });

  async function enrolSome(g: Gallery, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const e = eyes(i);
      await g.enroll(`p${i}`, e.left, e.right);
    }
  }

  it('finds a re-enrolling person under another id, also with the eyes swapped; strangers enrol', async () => {
    const g = await open();
    try {
      await enrolSome(g, 40);
      const e = eyes(7);
      const again = { left: recapture(e.left, 'l'), right: recapture(e.right, 'r') };
      const err = await g.enroll('someone-else', again.left, again.right).catch((x: unknown) => x);
      expect(isIriskError(err, 'DUPLICATE')).toBe(true);
      expect((err as { details: { personId: string } }).details.personId).toBe('p7');
      // Swapped eyes are caught by the mirror check, and only by it.
      const swapped = await g.duplicates(again.right, again.left);
      expect(swapped.map((d) => [d.personId, d.mirrored])).toEqual([['p7', true]]);
      // A new person is not a duplicate of anyone, and their distances to all 80 templates are impostor-like.
      const stranger = eyes(1000);
      const hits = await g.search(stranger.left, 80);
      expect(hits.length).toBe(40);
      expect(hits[0]!.distance).toBeGreaterThan(0.37);
      await g.enroll('p1000', stranger.left, stranger.right);
      expect(g.stats()).toMatchObject({ persons: 41, templates: 82, erasedSlots: 0 });
    } finally {
      await g.close();
    }
  });

  it('without the mirror check, swapped eyes are not found', async () => {
    const g = await open({ policy: { mirror: false } });
    try {
      await enrolSome(g, 10);
      const e = eyes(3);
      expect(await g.duplicates(recapture(e.right, 'r'), recapture(e.left, 'l'))).toEqual([]);
      expect((await g.duplicates(recapture(e.left, 'l'), recapture(e.right, 'r'))).map((d) => d.personId)).toEqual(['p3']);
    } finally {
      await g.close();
    }
  });

  it('AND needs both eyes to match, OR either one', async () => {
    const g = await open();
    try {
      await enrolSome(g, 10);
    } finally {
      await g.close();
    }
    const e = eyes(4);
    const halfSame = { left: recapture(e.left, 'l'), right: eyes(500).right };
    const and = await open();
    try {
      expect(await and.duplicates(halfSame.left, halfSame.right)).toEqual([]);
    } finally {
      await and.close();
    }
    const or = await open({ policy: { rule: 'or' } });
    try {
      const [d] = await or.duplicates(halfSame.left, halfSame.right);
      expect(d!.personId).toBe('p4');
      expect(d!.left.distance).toBeLessThan(0.345);
      expect(d!.right.distance).toBeGreaterThan(0.37);
      // The right eye alone is found too under OR (scanned against every slot).
      const [r] = await or.duplicates(eyes(501).left, recapture(e.right, 'r2'));
      expect(r!.personId).toBe('p4');
    } finally {
      await or.close();
    }
  });

  it('two concurrent enrolments of one person (worker-thread scans): exactly one succeeds, the other is DUPLICATE naming it', async () => {
    const g = await open({ scanner: 'parallel' });
    try {
      await enrolSome(g, 30);
      for (let k = 0; k < 5; k++) {
        const e = eyes(200 + k);
        const a = g.enroll(`a${k}`, recapture(e.left, `a${k}l`), recapture(e.right, `a${k}r`));
        const b = g.enroll(`b${k}`, recapture(e.left, `b${k}l`), recapture(e.right, `b${k}r`));
        const settled = await Promise.allSettled([a, b]);
        const ok = settled.filter((s) => s.status === 'fulfilled');
        const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        expect(ok).toHaveLength(1);
        expect(failed).toHaveLength(1);
        expect(failed[0]!.reason.code).toBe('DUPLICATE');
        expect(failed[0]!.reason.details.personId).toBe((ok[0] as PromiseFulfilledResult<{ personId: string }>).value.personId);
      }
      expect(g.stats().persons).toBe(35);
    } finally {
      await g.close();
    }
  });

  it('every kernel and thread count, with and without the cascade, gives the same verdicts and distances', async () => {
    const g = await open();
    const probes = [3, 11, 17].map((i) => ({ left: recapture(eyes(i).left, `k${i}l`), right: recapture(eyes(i).right, `k${i}r`) }));
    const run = async (extra: GalleryOptions): Promise<unknown> => {
      const h = await open(extra);
      try {
        return await Promise.all(probes.map(async (p) => [await h.duplicates(p.left, p.right), (await h.search(p.left, 3))[0]]));
      } finally {
        await h.close();
      }
    };
    try {
      await enrolSome(g, 30);
    } finally {
      await g.close();
    }
    const reference = await run({ kernel: 'wasm', scanner: 'single' });
    expect((reference as [{ personId: string }[]][]).map(([d]) => d.map((x) => x.personId))).toEqual([['p3'], ['p11'], ['p17']]);
    for (const extra of [{ kernel: 'auto', scanner: 'single' }, { kernel: 'auto', scanner: 'parallel' }, { kernel: 'wasm', scanner: 'parallel', cascade: true }, { kernel: 'auto', scanner: 'single', cascade: true }] as const) {
      expect(await run(extra)).toEqual(reference);
    }
  });

  it('persists across reopening: the same persons, the same distances', async () => {
    const g = await open();
    const probe = recapture(eyes(9).left, 'x');
    let before;
    try {
      await enrolSome(g, 25);
      before = await g.search(probe, 25);
    } finally {
      await g.close();
    }
    const again = await open();
    try {
      expect(again.personIds()).toEqual(Array.from({ length: 25 }, (_, i) => `p${i}`));
      expect(await again.search(probe, 25)).toEqual(before);
      expect(before[0]).toMatchObject({ personId: 'p9', enrolledEye: 'left', match: true });
      expect(before[0]!.distance).toBe(matchReference(probe, eyes(9).left, SMALL_OPTIONS.policy!.params!).distance);
    } finally {
      await again.close();
    }
  });

  it('delete removes a person from search at once and their templates from disk', async () => {
    const g = await open();
    const file = join(dir, 'gallery', 'templates.bin');
    const slotBytes = templateCells(eyes(0).left).byteLength;
    try {
      await enrolSome(g, 6);
      const e = eyes(2);
      const bytes = readFileSync(file);
      expect(bytes.subarray(4 * slotBytes, 5 * slotBytes)).toEqual(Buffer.from(templateCells(e.left).buffer));
      await g.delete('p2');
      expect((await g.search(recapture(e.left, 'q'), 10)).map((h) => h.personId)).not.toContain('p2');
      expect(await g.duplicates(recapture(e.left, 'q'), recapture(e.right, 'q'))).toEqual([]);
      const after = readFileSync(file);
      expect(after.subarray(4 * slotBytes, 6 * slotBytes).every((b) => b === 0)).toBe(true);
      expect(after.subarray(0, 4 * slotBytes)).toEqual(bytes.subarray(0, 4 * slotBytes));
      expect(g.stats()).toMatchObject({ persons: 5, erasedSlots: 2 });
      expect(await code(g.delete('p2'))).toBe('PERSON_NOT_FOUND');
      // They may enrol again, and no one else is a duplicate of the erased slots.
      await g.enroll('p2-again', e.left, e.right);
    } finally {
      await g.close();
    }
    const again = await open();
    try {
      expect(again.personIds()).toEqual(['p0', 'p1', 'p3', 'p4', 'p5', 'p2-again']);
    } finally {
      await again.close();
    }
  });

  it('reopening repairs what a crash can leave: uncommitted tail slots go, half-deleted slots are zeroed', async () => {
    const g = await open();
    const file = join(dir, 'gallery', 'templates.bin');
    const slotBytes = templateCells(eyes(0).left).byteLength;
    try {
      await enrolSome(g, 4);
    } finally {
      await g.close();
    }
    // Templates written but never committed (killed before the index row), plus a torn partial slot.
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(2 * slotBytes + 100, 0xab)]));
    // A deletion committed in the index whose bytes were not yet zeroed.
    const db = await openDatabase(join(dir, 'gallery', 'index.duckdb'));
    await db.run(`DELETE FROM gallery_persons WHERE person_id = 'p1'`);
    db.close();
    const again = await open();
    try {
      expect(again.repairedSlots).toBe(2 + 1 + 2);
      expect(again.personIds()).toEqual(['p0', 'p2', 'p3']);
      expect(statSync(file).size).toBe(8 * slotBytes);
      expect(readFileSync(file).subarray(2 * slotBytes, 4 * slotBytes).every((b) => b === 0)).toBe(true);
      const e = eyes(1);
      await again.enroll('p1', e.left, e.right);
    } finally {
      await again.close();
    }
  });

  it('one open gallery per folder per process; closed means closed; blank eyes and broken indexes are refused', async () => {
    const g = await open();
    try {
      await enrolSome(g, 3);
      expect(await code(open())).toBe('STORE_UNAVAILABLE');
      const e = eyes(60);
      const blank = { ...e.left, mask: new Uint8Array(e.left.mask.length) };
      expect(await code(g.enroll('blank', blank, e.right))).toBe('IRIS_TOO_FEW_BITS');
      expect(await code(g.enroll('lone\uD800', e.left, e.right))).toBe('USAGE');
      expect(await code(g.enroll('c1\u0085', e.left, e.right))).toBe('USAGE');
      expect(await code(g.search(e.left, 0))).toBe('USAGE');
      // Deleting the last-enrolled person cleanly is no repair on the next open.
      await g.delete('p2');
    } finally {
      await g.close();
    }
    await g.close(); // idempotent
    expect(await code(g.enroll('late', eyes(61).left, eyes(61).right))).toBe('STORE_UNAVAILABLE');
    expect(await code(g.search(eyes(61).left))).toBe('STORE_UNAVAILABLE');
    const again = await open();
    try {
      expect(again.repairedSlots).toBe(0);
      expect(again.personIds()).toEqual(['p0', 'p1']);
    } finally {
      await again.close();
    }
    const db = await openDatabase(join(dir, 'gallery', 'index.duckdb'));
    await db.run(`UPDATE gallery_persons SET left_slot = 2, right_slot = 3 WHERE person_id = 'p0'`);
    db.close();
    expect(await code(open())).toBe('STORE_CORRUPT');
  });

  it('typed errors: a taken id, another shape, a bad id, a truncated template file; nothing changes', async () => {
    const g = await open();
    try {
      await enrolSome(g, 3);
      const e = eyes(50);
      expect(await code(g.enroll('p1', e.left, e.right))).toBe('PERSON_EXISTS');
      const big = syntheticTemplate(1, { seed: 1 });
      expect(await code(g.enroll('q', big, big))).toBe('TEMPLATE_INCOMPATIBLE');
      expect(await code(g.search(big))).toBe('TEMPLATE_INCOMPATIBLE');
      expect(await code(g.enroll('', e.left, e.right))).toBe('USAGE');
      expect(await code(g.enroll('a\nb', e.left, e.right))).toBe('USAGE');
      expect(g.stats().persons).toBe(3);
    } finally {
      await g.close();
    }
    expect(await code(Gallery.open(dir, { shape: { rows: 16, cols: 256, filters: 2 } }))).toBe('TEMPLATE_INCOMPATIBLE');
    const file = join(dir, 'gallery', 'templates.bin');
    truncateSync(file, statSync(file).size - templateCells(eyes(0).left).byteLength);
    expect(await code(open())).toBe('STORE_CORRUPT');
  });
});
