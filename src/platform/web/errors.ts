/**
 * The error gallery: for each evaluation report (an `irisk iris eval` or `irisk pad eval` report
 * folder), the samples the models got wrong, with their images: the worst genuine pairs (false
 * non-matches first) and the best impostor pairs with segmentation overlays, the attacks that
 * passed and the live eyes rejected. Report files are served from `/reports/K/...`.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { esc, page } from './layout.js';

interface Pair {
  a: string;
  b: string;
  distance: number;
  debugDir: string;
}
interface PadError {
  name: string;
  species: string;
  score: number;
  threshold: number;
  image?: string;
}

const figure = (src: string, caption: string): string => `<figure><img src="${esc(src)}" alt="${esc(caption)}" loading="lazy"><figcaption>${esc(caption)}</figcaption></figure>`;

/** The gallery over `reports` (folders holding report.json). */
export async function errorsPage(reports: readonly string[]): Promise<string> {
  const sections: string[] = [];
  for (const [k, dir] of reports.entries()) {
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      sections.push(`<h2>${esc(basename(dir))}</h2><p class="muted">no readable report.json</p>`);
      continue;
    }
    try {
      sections.push(reportSection(k, dir, report));
    } catch {
      sections.push(`<h2>${esc(basename(dir))}</h2><p class="muted">this report.json is not in a form the gallery reads</p>`);
    }
  }
  return page('Error gallery', '/errors', sections.join('') || '<p class="muted">no evaluation report configured: put `irisk iris eval` or `irisk pad eval` reports under &lt;data-dir&gt;/reports/</p>');
}

/** One report's errors with their images (throws on a report of an unexpected form). */
function reportSection(k: number, dir: string, report: Record<string, unknown>): string {
  const url = (file: string): string => `/reports/${k}/${relative(dir, file).split('/').map(encodeURIComponent).join('/')}`;
  const parts: string[] = [];
  const pairs = (title: string, list: Pair[] | undefined): void => {
    if (!list?.length) return;
    parts.push(`<h3>${esc(title)}</h3><div class="gallery">${list.map((p) => figure(url(join(p.debugDir, 'a-segmentation.png')), `${p.a} vs ${p.b}: distance ${p.distance.toFixed(3)}`) + figure(url(join(p.debugDir, 'b-segmentation.png')), p.b)).join('')}</div>`);
  };
  pairs('Worst genuine pairs (false non-matches first)', report.worstGenuinePairs as Pair[] | undefined);
  pairs('Best impostor pairs (false matches first)', report.bestImpostorPairs as Pair[] | undefined);
  const errors = report.errors as { passedAttacks?: PadError[]; rejectedBonafide?: PadError[] } | undefined;
  const pad = (title: string, list: PadError[] | undefined): void => {
    if (!list) return;
    const shown = list.filter((e) => e.image);
    parts.push(`<h3>${esc(title)}: ${list.length}</h3><div class="gallery">${shown.map((e) => figure(url(join(dir, e.image!)), `${e.name} (${e.species}): score ${e.score.toFixed(3)}, threshold ${e.threshold.toFixed(3)}`)).join('') || '<p class="muted">none</p>'}</div>`);
  };
  pad('Missed attacks', errors?.passedAttacks);
  pad('Live eyes rejected as attacks', errors?.rejectedBonafide);
  return `<h2>${esc(basename(dir))}</h2>${parts.join('') || '<p class="muted">no errors listed in this report</p>'}`;
}
