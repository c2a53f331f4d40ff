/**
 * Text measurement for server-side chart layout. Without a canvas, ECharts estimates text widths
 * from Helvetica-like metrics; our SVGs are rasterised with DejaVu Sans (the font every machine has),
 * which is wider, so legends and labels overflowed their boxes. These are DejaVu Sans advance widths
 * (thousandths of an em, read from the font's hmtx table) for printable ASCII and the few symbols our
 * tick labels use.
 */
import * as echarts from 'echarts';

const EXTRA_CHARS = '⁰¹²³⁴⁵⁶⁷⁸⁹⁻–—±×≤≥·…';

// prettier-ignore
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
  636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
  295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
  500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
  392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401,
  528, 500, 1000, 838, 838, 838, 838, 318, 1000,
];

// prettier-ignore
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696,
  696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372,
  372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838,
  500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595,
  478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838, 438, 438, 438, 438, 438, 438, 438, 438, 438, 438,
  528, 500, 1000, 838, 838, 838, 838, 380, 1000,
];

function table(widths: readonly number[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let c = 32; c < 127; c++) m.set(String.fromCharCode(c), widths[c - 32]! / 1000);
  [...EXTRA_CHARS].forEach((ch, k) => m.set(ch, widths[95 + k]! / 1000));
  return m;
}

const REGULAR_EM = table(REGULAR);
const BOLD_EM = table(BOLD);

/** Width in pixels of `text` set in DejaVu Sans as described by a CSS font shorthand ("bold 17px ..."). */
export function measureDejaVu(text: string, font = '12px sans-serif'): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  const widths = /\bbold\b|\b[6-9]00\b/.test(font) ? BOLD_EM : REGULAR_EM;
  let em = 0;
  for (const ch of text) em += widths.get(ch) ?? 1;
  return em * size;
}

let installed = false;

/**
 * Makes ECharts measure text as DejaVu Sans for server-side rendering. Process-wide and idempotent;
 * only for renderers without a canvas (in a browser ECharts measures with the real font).
 */
export function useDejaVuMetrics(): void {
  if (installed) return;
  installed = true;
  echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: measureDejaVu(text, font) }) });
}
