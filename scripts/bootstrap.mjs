// Shared first steps of `npm test` and `npm run demo` on a fresh clone:
// npm dependencies, then the build. Only built-in modules are imported:
// node_modules may not exist yet.
import {spawnSync} from 'node:child_process';
import {existsSync, statSync} from 'node:fs';

export const log = (tag, msg) => process.stderr.write(`[${tag}] ${msg}\n`);

export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {stdio: 'inherit', ...opts});
  return r.status ?? 1;
}

function newer(a, b) {
  return existsSync(a) && (!existsSync(b) || statSync(a).mtimeMs > statSync(b).mtimeMs);
}

/** npm ci when node_modules is missing or older than the lock file; false on failure. */
export function ensureNpmDeps(tag) {
  if (existsSync('node_modules/.package-lock.json') && !newer('package-lock.json', 'node_modules/.package-lock.json')) return true;
  log(tag, 'installing npm dependencies (npm ci)');
  return sh('npm', ['ci', '--no-audit', '--no-fund']) === 0;
}

/** tsc + oclif manifest; false on failure. */
export function build(tag) {
  log(tag, 'building (type check, bundle, oclif manifest)');
  return sh('npm', ['run', '--silent', 'build']) === 0;
}

export const isRoot = process.getuid?.() === 0;
