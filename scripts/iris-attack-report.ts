/**
 * Realism check of the synthetic presentation attacks (run: npx tsx scripts/iris-attack-report.ts
 * [subjects] [perEye] [outDir]): encodes live captures and every attack species through the
 * default iris pipeline, reports the encode success rate per species and the Hamming distance of
 * each attack to the attacked eye's live templates (against live impostor distances), and writes
 * a montage (per species a live capture and two attacks, unpicked; three fake eyes) to <outDir>/attack-montage.png.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeImage } from '../src/identity/iris/pipeline.js';
import { matchReference } from '../src/identity/iris/matcher.js';
import type { IrisTemplate } from '../src/identity/iris/template.js';
import { saveGrayPng, type GrayImage } from '../src/lib/image.js';
import { renderAttack, renderCapture, renderProsthetic, type EyeSide, type IrisWorldOptions } from '../src/synth/iris/index.js';

const subjects = Number(process.argv[2] ?? 10);
const perEye = Number(process.argv[3] ?? 2);
const outDir = process.argv[4] ?? '/tmp/irisk-attacks';
const world: IrisWorldOptions = { subjects, captures: 3, seed: 2024 };
const eyes: EyeSide[] = ['L', 'R'];

function encode(img: GrayImage): { template: IrisTemplate } | { error: string } {
  try {
    return { template: encodeImage(img).template };
  } catch (e) {
    return { error: (e as { code?: string }).code ?? String(e) };
  }
}

function quantiles(v: number[]): string {
  if (v.length === 0) return 'n/a';
  const s = [...v].sort((a, b) => a - b);
  const q = (p: number): string => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(3);
  return `n=${s.length} min ${s[0]!.toFixed(3)} p25 ${q(0.25)} median ${q(0.5)} p75 ${q(0.75)} max ${s[s.length - 1]!.toFixed(3)}; below 0.35: ${(
    (100 * s.filter((x) => x < 0.35).length) /
    s.length
  ).toFixed(0)}%`;
}

const live = new Map<string, IrisTemplate[]>();
let liveTried = 0;
let liveOk = 0;
for (let s = 1; s <= subjects; s++) {
  for (const e of eyes) {
    const list: IrisTemplate[] = [];
    for (let c = 1; c <= world.captures; c++) {
      liveTried++;
      const r = encode(renderCapture(world, s, e, c).image);
      if ('template' in r) {
        liveOk++;
        list.push(r.template);
      }
    }
    live.set(`${s}${e}`, list);
  }
}
const genuine: number[] = [];
const impostor: number[] = [];
const keys = [...live.keys()];
for (let a = 0; a < keys.length; a++) {
  const ta = live.get(keys[a]!)!;
  for (let i = 0; i < ta.length; i++) for (let j = i + 1; j < ta.length; j++) genuine.push(matchReference(ta[i]!, ta[j]!).distance);
  for (let b = a + 1; b < keys.length; b++) for (const x of ta) for (const y of live.get(keys[b]!)!) impostor.push(matchReference(x, y).distance);
}
const lines = [
  `world: ${subjects} subjects x 2 eyes x ${world.captures} live captures, ${perEye} presentation(s) per species per eye, seed ${world.seed}`,
  `bona_fide   encoded ${liveOk}/${liveTried} (${((100 * liveOk) / liveTried).toFixed(1)}%)`,
  `  live genuine HD  ${quantiles(genuine)}`,
  `  live impostor HD ${quantiles(impostor)}`,
];

const montage: GrayImage[] = [];
for (const species of ['print', 'screen', 'lens'] as const) {
  let tried = 0;
  const failures = new Map<string, number>();
  const toOwn: number[] = [];
  const toOthers: number[] = [];
  for (let s = 1; s <= subjects; s++) {
    for (const e of eyes) {
      for (let k = 1; k <= perEye; k++) {
        tried++;
        const a = renderAttack(world, species, s, e, k);
        if (s === 1 && e === 'L' && k === 1) montage.push(renderCapture(world, s, e, 1).image, a.image);
        if (s === 1 && e === 'R' && k === 1) montage.push(a.image);
        const r = encode(a.image);
        if (!('template' in r)) {
          failures.set(r.error, (failures.get(r.error) ?? 0) + 1);
          continue;
        }
        const own = live.get(`${s}${e}`)!;
        if (own.length) toOwn.push(Math.min(...own.map((t) => matchReference(r.template, t).distance)));
        const other = live.get(`${(s % subjects) + 1}${e}`)!;
        if (other.length) toOthers.push(Math.min(...other.map((t) => matchReference(r.template, t).distance)));
      }
    }
  }
  const ok = tried - [...failures.values()].reduce((x, y) => x + y, 0);
  lines.push(`${species.padEnd(11)} encoded ${ok}/${tried} (${((100 * ok) / tried).toFixed(1)}%)${failures.size ? ` failures: ${[...failures].map(([c, n]) => `${c} ${n}`).join(', ')}` : ''}`);
  lines.push(`  HD to attacked eye (best of ${world.captures} live templates) ${quantiles(toOwn)}`);
  lines.push(`  HD to another eye (best of ${world.captures} live templates)  ${quantiles(toOthers)}`);
}
{
  let tried = 0;
  const failures = new Map<string, number>();
  const toAny: number[] = [];
  for (let p = 1; p <= subjects; p++) {
    for (let k = 1; k <= perEye; k++) {
      tried++;
      const a = renderProsthetic(world, p, k);
      if (p <= 3 && k === 1) montage.push(a.image);
      const r = encode(a.image);
      if (!('template' in r)) {
        failures.set(r.error, (failures.get(r.error) ?? 0) + 1);
        continue;
      }
      toAny.push(Math.min(...[...live.values()].flat().map((t) => matchReference(r.template, t).distance)));
    }
  }
  const ok = tried - [...failures.values()].reduce((x, y) => x + y, 0);
  lines.push(`prosthetic  encoded ${ok}/${tried} (${((100 * ok) / tried).toFixed(1)}%)${failures.size ? ` failures: ${[...failures].map(([c, n]) => `${c} ${n}`).join(', ')}` : ''}`);
  lines.push(`  HD to the closest live template of the world ${quantiles(toAny)}`);
}

// Montage at full resolution, one row per species: a live capture of S1 left, the attack on
// S1 left, the attack on S1 right (not picked: presentation 1 of each); then three fake eyes.
await mkdir(outDir, { recursive: true });
const tw = montage[0]!.width;
const th = montage[0]!.height;
const cols = 3;
const rows = Math.ceil(montage.length / cols);
const data = new Uint8Array(cols * tw * rows * th);
montage.forEach((t, n) => {
  const ox = (n % cols) * tw;
  const oy = Math.floor(n / cols) * th;
  for (let y = 0; y < th; y++) data.set(t.data.subarray(y * tw, (y + 1) * tw), (oy + y) * cols * tw + ox);
});
const montagePath = join(outDir, 'attack-montage.png');
await saveGrayPng(montagePath, { width: cols * tw, height: rows * th, data });
lines.push(`montage (rows: live S1L | print S1L | print S1R; same for screen, lens; three prosthetic eyes): ${montagePath}`);
await writeFile(join(outDir, 'report.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
