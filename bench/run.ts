/**
 * `npm run bench [-- GROUP...]`: runs benchmark groups, printing one JSON object per line.
 * Benchmarks are never part of `npm test`.
 */
import { benchCredit } from './credit.js';
import { benchIris } from './iris.js';
import { benchMl } from './ml.js';
import { benchPad } from './pad.js';
import { benchGallery } from './gallery.js';
import { benchGalleryStore } from './gallery-store.js';
import { benchServe } from './serve.js';

const GROUPS: Record<string, () => Promise<void>> = { iris: benchIris, ml: benchMl, credit: benchCredit, pad: benchPad, gallery: benchGallery, 'gallery-store': benchGalleryStore, serve: benchServe };

const wanted = process.argv.slice(2);
const unknown = wanted.filter((g) => !(g in GROUPS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark group(s): ${unknown.join(', ')}; known: ${Object.keys(GROUPS).join(', ')}\n`);
  process.exitCode = 2;
} else {
  for (const g of wanted.length > 0 ? wanted : Object.keys(GROUPS)) await GROUPS[g]!();
}
