/** Worker thread of the synthetic gallery builder: runs each generate job it is sent, then says so. */
import { parentPort } from 'node:worker_threads';
import { runGenerateJob, type GenerateJob } from './gallery.js';

parentPort!.on('message', (job: GenerateJob) => {
  runGenerateJob(job);
  parentPort!.postMessage('done');
});
