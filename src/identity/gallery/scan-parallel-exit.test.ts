/**
 * A scan worker that exits under a scan without an 'error' event (killed, process.exit in native
 * code, out of memory in the addon): the scans waiting on it reject with a typed error instead of
 * hanging, and so does every later scan. The worker is a stand-in that says it is ready and exits
 * on its first job; the pool's bookkeeping is the real one.
 */
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SHAPE } from '../iris/template.js';
import { syntheticTemplate } from '../../synth/templates/index.js';
import { GalleryLayout } from './layout.js';

vi.mock('node:worker_threads', async (original) => {
  const { EventEmitter } = await import('node:events'); // vi.mock runs before the file's imports
  class ExitingWorker extends EventEmitter {
    constructor() {
      super();
      setImmediate(() => this.emit('message', { type: 'ready', kernel: 'wasm' }));
    }
    postMessage(): void {
      setImmediate(() => this.emit('exit', 134));
    }
    async terminate(): Promise<number> {
      return 0;
    }
  }
  return { ...(await original<typeof import('node:worker_threads')>()), Worker: ExitingWorker };
});

const { ParallelGalleryScanner } = await import('./scan-parallel.js');

describe('a scan worker that exits', () => {
  it('fails the waiting scan and every later one with INTERNAL, naming the exit code', async () => {
    const gallery = new GalleryLayout(DEFAULT_SHAPE, 4);
    for (let i = 0; i < 4; i++) gallery.append(syntheticTemplate(i, { seed: 3 }));
    const pool = new ParallelGalleryScanner({ workers: 2 });
    expect(await pool.ready()).toBe('wasm');
    const probe = syntheticTemplate(9, { seed: 3 });
    await expect(pool.scan(gallery, probe)).rejects.toMatchObject({ name: 'IriskError', code: 'INTERNAL', message: expect.stringMatching(/exited unexpectedly \(exit code 134\)/), details: { exitCode: 134 } });
    await expect(pool.scanMany(gallery, [probe, probe])).rejects.toMatchObject({ code: 'INTERNAL', details: { exitCode: 134 } });
    await pool.close();
  });
});
