/**
 * Child process of the gallery-store bench: opens the gallery under argv[2] and prints the
 * seconds it took and the persons found, as one JSON line. A fresh process per open, as a
 * service starting up would be, so no earlier open's memory is still held.
 */
import { Gallery } from '../src/identity/gallery/gallery.js';

const t0 = performance.now();
const g = await Gallery.open(process.argv[2]!);
const seconds = (performance.now() - t0) / 1000;
const persons = g.stats().persons;
await g.close();
process.stdout.write(JSON.stringify({ seconds, persons }) + '\n');
