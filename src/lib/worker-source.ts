/**
 * How to start a worker thread running a module that sits beside the caller: the compiled `.js`
 * script, or, when running from TypeScript sources (tests), a small bootstrap that registers tsx
 * and then imports the `.ts` script.
 */

/** The Worker source and `eval` flag for script `name` (no extension) next to module `callerUrl`. */
export function workerSource(callerUrl: string, name: string): { source: string | URL; eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { source: new URL(`./${name}.js`, callerUrl), eval: false };
  const script = new URL(`./${name}.ts`, callerUrl).href;
  // The timer keeps the worker alive while the loader imports the script (nothing else would: a
  // worker with no pending message exits before a dynamic import through registered hooks settles).
  return {
    source: `const keep = setInterval(() => {}, 1 << 30); import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(script)}); }).finally(() => clearInterval(keep));`,
    eval: true,
  };
}
