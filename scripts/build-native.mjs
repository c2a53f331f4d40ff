// Builds the optional native gallery scan kernel (native/gallery, a Node-API addon) with node-gyp,
// offline, into native/gallery/build/Release/gallery_scan.node. Run at install and by `npm run
// build`. Never fails: without a compiler, Node.js headers or node-gyp, or when the build fails,
// it prints one line saying the WebAssembly kernel will be used, and exits 0.
// Fast when up to date: a stamp records the inputs of the last build (sources, node-addon-api,
// Node.js, compiler, CPU: the addon is compiled with -march=native) and whether it succeeded, so a
// failed build is not retried until an input changes (`--force` retries anyway).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'gallery');
const build = join(dir, 'build');
const addon = join(build, 'Release', 'gallery_scan.node');
const stampFile = join(build, 'irisk-stamp.json');
const logFile = join(build, 'build.log');
const force = process.argv.includes('--force');
const requireHere = createRequire(join(root, 'package.json'));

/** Says the native kernel is unavailable and why, and leaves with success (the install goes on). */
function unavailable(why) {
  console.log(`native gallery kernel unavailable (${why}); the WebAssembly kernel will be used`);
  process.exit(0);
}

/** First line of `command --version` (command may carry arguments, as $CXX may), or null when it does not run. */
function version(command) {
  const [cmd, ...args] = command.trim().split(/\s+/);
  const r = spawnSync(cmd, [...args, '--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : null;
}

/** The CPU, as -march=native sees it: model and (on Linux) feature flags. */
function cpuIdentity() {
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
  } catch {
    // not Linux: the model alone
  }
  return `${cpus()[0]?.model ?? ''} ${flags}`;
}

/** A folder holding Node.js's headers (include/node/node_api.h), so node-gyp never downloads them. */
function nodeHeaders() {
  const has = (d) => Boolean(d) && existsSync(join(d, 'include', 'node', 'node_api.h'));
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..'), '/usr'];
  const found = candidates.find(has);
  if (found) return found;
  const npm = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' });
  const configured = npm.status === 0 ? npm.stdout.trim() : '';
  return has(configured) ? configured : null;
}

/** node-gyp's entry point: the project's devDependency, else the one npm bundles. */
function nodeGyp() {
  try {
    return requireHere.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    return bundled && existsSync(bundled) ? bundled : null;
  }
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return null;
  }
}

// The compiler make will use ($CXX, else g++, make's default).
const cxx = process.env.CXX || 'g++';
const cxxVersion = version(cxx);
if (cxxVersion === null) unavailable(`no C++ compiler: \`${cxx} --version\` does not run`);
if (version('make') === null) unavailable('no make');

let addonApi = null;
try {
  addonApi = requireHere('node-addon-api/package.json').version;
} catch {
  unavailable('node-addon-api is not installed');
}
const hash = createHash('sha256');
for (const f of ['gallery_scan.cc', 'binding.gyp']) hash.update(readFileSync(join(dir, f)));
const key = JSON.stringify({ sources: hash.digest('hex'), addonApi, node: process.version, arch: process.arch, cxx: `${cxx} (${cxxVersion})`, cpu: cpuIdentity() });

const stamp = readStamp();
if (!force && stamp?.key === key) {
  if (stamp.ok && existsSync(addon)) process.exit(0);
  if (!stamp.ok) unavailable(`${stamp.reason}; not retried until an input changes, \`npm run build:native -- --force\` retries`);
}

const nodedir = nodeHeaders();
if (nodedir === null) unavailable('no Node.js headers (include/node/node_api.h) under the node prefix, /usr or `npm config get nodedir`; node-gyp is never let download them');
const gyp = nodeGyp();
if (gyp === null) unavailable('node-gyp is not installed');

/** Records the attempt (so an up-to-date build or a known failure is skipped next time). */
function record(ok, reason = '') {
  mkdirSync(build, { recursive: true });
  writeFileSync(stampFile, JSON.stringify({ key, ok, reason }, null, 2));
}

/** A failed attempt: recorded, no addon left behind for the loader to trip on, and the fall-back line. */
function failed(reason) {
  record(false, reason);
  rmSync(addon, { force: true });
  unavailable(reason);
}

const t0 = performance.now();
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${nodedir}`], {
  cwd: dir,
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
mkdirSync(build, { recursive: true });
writeFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
const log = relative(process.cwd(), logFile);
if (r.status !== 0 || !existsSync(addon)) failed(`the build failed, see ${log}`);
// Load it once in a fresh process: a binary that does not load is no better than none.
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(addon)}); if (typeof a.scan !== 'function') process.exit(1); console.log(a.isa)`], { encoding: 'utf8' });
if (check.status !== 0) {
  writeFileSync(logFile, `${readFileSync(logFile, 'utf8')}\nload check:\n${check.stderr}`);
  failed(`the built addon does not load, see ${log}`);
}
record(true);
console.log(`built the native gallery kernel ${relative(process.cwd(), addon)} (${check.stdout.trim()}, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
