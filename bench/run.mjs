#!/usr/bin/env node
// Side-by-side performance of pcmkctl, pcs and Pacemaker's own tools (issue 2).
// Plain Node, built-in modules only. Builds nothing: run `npm run build` first.
//
//   npm run bench [-- --reps N] [--cold-reps N] [--rss-reps N] [--count N]
//
// Every timed command runs on a fresh copy of bench/out/big.xml (5,000
// primitives), after one untimed warm-up run. Results: a table on stdout,
// bench/out/results.json and bench/out/results.md. See bench/README.md.
import {spawn, spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, totalmem} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {makeBigCib} from './make-big-cib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const outDir = join(here, 'out');
const runJs = join(root, 'bin', 'run.js');

// ---- options -----------------------------------------------------------------
const opts = {reps: 5, coldReps: 15, rssReps: 3, count: 5000};
{
  const args = process.argv.slice(2);
  const names = {'--reps': 'reps', '--cold-reps': 'coldReps', '--rss-reps': 'rssReps', '--count': 'count'};
  for (let i = 0; i < args.length; i++) {
    const key = names[args[i]];
    const value = Number(args[i + 1]);
    if (!key || !Number.isInteger(value) || value < 1 || value > 1000 || (key === 'count' && value < 43)) {
      console.error('usage: node bench/run.mjs [--reps N] [--cold-reps N] [--rss-reps N] [--count N(>=43)]   (N <= 1000)');
      process.exit(2);
    }
    opts[key] = value;
    i++;
  }
}

/** Per-run time limit and a limit for the whole benchmark: every loop is bounded. */
const RUN_TIMEOUT_MS = 180_000;
const TOTAL_BUDGET_MS = 20 * 60_000;
const started = Date.now();

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error("bench: dist/ is missing or incomplete. Build pcmkctl first:  npm run build");
  process.exit(1);
}

// ---- helpers -----------------------------------------------------------------
function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command (no shell); resolves with wall time in ms, exit code and output. */
function run(cmd, args, {env = {}, timeoutMs = RUN_TIMEOUT_MS} = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ms: NaN, code: -1, stdout, stderr: String(err)});
    });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      resolve({ms, code: signal ? `signal ${signal}` : code, stdout, stderr});
    });
  });
}

function checkBudget() {
  if (Date.now() - started > TOTAL_BUDGET_MS) {
    console.error(`bench: over the total budget of ${TOTAL_BUDGET_MS / 60_000} minutes, stopping`);
    process.exit(1);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => (xs.length ? {median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs} : null);
const fmtMs = (ms) => (ms === undefined || ms === null || Number.isNaN(ms) ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

// ---- set up ------------------------------------------------------------------
mkdirSync(outDir, {recursive: true});
const bigPath = join(outDir, 'big.xml');
const bigText = makeBigCib(opts.count);
writeFileSync(bigPath, bigText);
const bigBytes = Buffer.byteLength(bigText);
console.log(`bench: generated ${bigPath} (${opts.count} primitives, ${(bigBytes / 1e6).toFixed(2)} MB)`);

const tools = {
  node: process.execPath,
  pcs: which('pcs'),
  crmResource: which('crm_resource'),
  crmVerify: which('crm_verify'),
  gnuTime: undefined,
};
if (existsSync('/usr/bin/time')) {
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], {encoding: 'utf8'});
  if (probe.status === 0 && /^\d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '')) tools.gnuTime = '/usr/bin/time';
}
if (tools.crmVerify) {
  const v = spawnSync(tools.crmVerify, ['--xml-file', bigPath], {encoding: 'utf8', timeout: RUN_TIMEOUT_MS});
  if (v.status !== 0) {
    console.error(`bench: the generated CIB does not pass crm_verify:\n${v.stdout}${v.stderr}`);
    process.exit(1);
  }
}
const versionOf = (cmd, args) => {
  if (!cmd) return null;
  const r = spawnSync(cmd, args, {encoding: 'utf8', timeout: 60_000});
  return (r.stdout || r.stderr || '').trim().split('\n')[0] || null;
};
const env = {
  date: new Date().toISOString(),
  node: process.version,
  pcmkctl: versionOf(process.execPath, [runJs, '--version']),
  pcs: versionOf(tools.pcs, ['--version']),
  pacemaker: versionOf(tools.crmResource, ['--version']),
  cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  memGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  loadAvgAtStart: Number(loadavg()[0].toFixed(2)),
  cibBytes: bigBytes,
  primitives: opts.count,
};

// ---- the big-CIB edit --------------------------------------------------------
const fresh = (name) => {
  const p = join(outDir, `work-${name}.xml`);
  copyFileSync(bigPath, p);
  return p;
};

const edits = [
  {
    key: 'pcmkctl',
    label: 'pcmkctl -f big.xml resource update r42 meta foo=V',
    available: true,
    cmd: (file, value) => [process.execPath, [runJs, '-f', file, 'resource', 'update', 'r42', 'meta', `foo=${value}`], {}],
  },
  {
    key: 'pcs',
    label: 'pcs -f big.xml resource update r42 meta foo=V',
    available: Boolean(tools.pcs),
    cmd: (file, value) => [tools.pcs, ['-f', file, 'resource', 'update', 'r42', 'meta', `foo=${value}`], {}],
  },
  {
    key: 'crm_resource',
    label: 'CIB_file=big.xml crm_resource -r r42 --meta -p foo -v V',
    available: Boolean(tools.crmResource),
    cmd: (file, value) => [tools.crmResource, ['-r', 'r42', '--meta', '-p', 'foo', '-v', value], {CIB_file: file}],
  },
];

const results = {env, options: opts, edit: {}, coldStart: {}, rss: null, targets: []};

/** With GNU time each run also reports CPU seconds (user+sys, children included): steadier than wall time on a busy machine. */
async function runTimed(cmd, args, options) {
  if (!tools.gnuTime) return {...(await run(cmd, args, options)), cpuMs: null};
  const cpuFile = join(outDir, 'cpu.txt');
  rmSync(cpuFile, {force: true});
  const r = await run(tools.gnuTime, ['-f', '%U %S', '-o', cpuFile, cmd, ...args], options);
  const m = existsSync(cpuFile) ? /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(readFileSync(cpuFile, 'utf8')) : null;
  return {...r, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null};
}

// Interleaved (pcmkctl, pcs, crm_resource, pcmkctl, ...) so load drift on a shared machine hits all alike.
for (const edit of edits) results.edit[edit.key] = {label: edit.label, median: null, min: null, max: null, runs: [], cpu: null, cpuRuns: [], failures: [], unavailable: !edit.available};
process.stdout.write(`bench: big-CIB edit, ${opts.reps} rounds + 1 warm-up `);
for (let rep = -1; rep < opts.reps; rep++) {
  for (const edit of edits) {
    const entry = results.edit[edit.key];
    if (!edit.available || entry.failures.length >= 2) continue;
    checkBudget();
    const file = fresh(edit.key);
    const value = `v${Date.now().toString(36)}${rep + 1}`;
    const [cmd, args, extraEnv] = edit.cmd(file, value);
    const r = await runTimed(cmd, args, {env: extraEnv});
    const ok = r.code === 0 && readFileSync(file, 'utf8').includes(`value="${value}"`);
    if (!ok) {
      entry.failures.push(`exit ${r.code}${r.code === 0 ? ' but the new value is not in the file' : ''}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`);
      continue;
    }
    if (rep >= 0) {
      entry.runs.push(r.ms);
      if (r.cpuMs !== null) entry.cpuRuns.push(r.cpuMs);
    }
  }
  process.stdout.write('.');
}
for (const edit of edits) {
  const entry = results.edit[edit.key];
  if (entry.runs.length) Object.assign(entry, stats(entry.runs));
  if (entry.cpuRuns.length) entry.cpu = stats(entry.cpuRuns);
  rmSync(join(outDir, `work-${edit.key}.xml`), {force: true});
}
rmSync(join(outDir, 'cpu.txt'), {force: true});
process.stdout.write(' done\n');

// ---- peak RSS of the pcmkctl edit --------------------------------------------
// With GNU time: %M = largest max-RSS among the process and the children it
// waited for (crm_verify included). Always also: the pcmkctl (node) process
// alone, from process.resourceUsage().maxRSS at exit via a preloaded probe.
{
  process.stdout.write('bench: pcmkctl peak RSS ');
  const probePath = join(outDir, 'rss-probe.mjs');
  writeFileSync(
    probePath,
    "import {writeFileSync} from 'node:fs';\n" +
      "process.on('exit', () => { try { writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS)); } catch {} });\n",
  );
  const treeKiB = [];
  const nodeKiB = [];
  const failures = [];
  for (let rep = 0; rep < opts.rssReps; rep++) {
    checkBudget();
    const file = fresh('rss');
    const value = `rss${Date.now().toString(36)}${rep}`;
    const nodeOut = join(outDir, 'rss-node.txt');
    const timeOut = join(outDir, 'rss-time.txt');
    rmSync(nodeOut, {force: true});
    rmSync(timeOut, {force: true});
    const nodeArgs = ['--import', pathToFileURL(probePath).href, runJs, '-f', file, 'resource', 'update', 'r42', 'meta', `foo=${value}`];
    const r = tools.gnuTime
      ? await run(tools.gnuTime, ['-f', '%M', '-o', timeOut, process.execPath, ...nodeArgs], {env: {BENCH_RSS_OUT: nodeOut}})
      : await run(process.execPath, nodeArgs, {env: {BENCH_RSS_OUT: nodeOut}});
    if (r.code !== 0 || !readFileSync(file, 'utf8').includes(`value="${value}"`)) {
      failures.push(`exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
      if (failures.length >= 2) break;
      continue;
    }
    if (existsSync(nodeOut)) nodeKiB.push(Number(readFileSync(nodeOut, 'utf8')));
    if (tools.gnuTime && existsSync(timeOut)) treeKiB.push(Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop()));
    process.stdout.write('.');
  }
  for (const f of ['work-rss.xml', 'rss-node.txt', 'rss-time.txt', 'rss-probe.mjs']) rmSync(join(outDir, f), {force: true});
  const toMiB = (k) => k / 1024;
  results.rss = {
    unit: 'MiB',
    nodeProcess: stats(nodeKiB.map(toMiB)),
    processTree: tools.gnuTime ? stats(treeKiB.map(toMiB)) : null,
    method: tools.gnuTime ? 'GNU time %M (process + waited children, max) and process.resourceUsage().maxRSS of the node process' : 'process.resourceUsage().maxRSS of the node process (GNU time not installed)',
    failures,
  };
  process.stdout.write(' done\n');
}

// ---- cold start --------------------------------------------------------------
const starts = [
  {key: 'node', label: 'node -e 0', available: true, cmd: [process.execPath, ['-e', '0']]},
  {key: 'pcmkctl', label: 'pcmkctl --version', available: true, cmd: [process.execPath, [runJs, '--version']]},
  {key: 'pcs', label: 'pcs --version', available: Boolean(tools.pcs), cmd: [tools.pcs, ['--version']]},
];
process.stdout.write('bench: cold start ');
for (const s of starts) results.coldStart[s.key] = {label: s.label, median: null, min: null, max: null, runs: [], failures: [], unavailable: !s.available};
// interleaved, so drift (thermal, other load) hits all three alike; one warm-up round first
for (let rep = -1; rep < opts.coldReps; rep++) {
  for (const s of starts) {
    if (!s.available) continue;
    checkBudget();
    const r = await run(s.cmd[0], s.cmd[1], {timeoutMs: 60_000});
    const entry = results.coldStart[s.key];
    if (r.code !== 0) entry.failures.push(`exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
    else if (rep >= 0) entry.runs.push(r.ms);
  }
  process.stdout.write('.');
}
for (const entry of Object.values(results.coldStart)) if (entry.runs.length) Object.assign(entry, stats(entry.runs));
process.stdout.write(' done\n');

// ---- targets -----------------------------------------------------------------
const ratio = (a, b) => (a && b ? a / b : null);
const e = results.edit;
const c = results.coldStart;
const rssMiB = results.rss.processTree?.median ?? results.rss.nodeProcess?.median ?? null;
const target = (name, value, limit, unit, fmt) => ({name, value, limit, unit, verdict: value === null ? 'n/a' : value <= limit ? 'PASS' : 'MISS', shown: value === null ? 'n/a' : fmt(value)});
results.targets = [
  target('big-CIB edit: pcmkctl / pcs (median)', ratio(e.pcmkctl.median, e.pcs.median), 0.1, 'x', (v) => `${v.toFixed(2)}x`),
  target('big-CIB edit: pcmkctl / crm_resource (median)', ratio(e.pcmkctl.median, e.crm_resource.median), 1.0, 'x', (v) => `${v.toFixed(2)}x`),
  target('big-CIB edit: pcmkctl peak RSS (median)', rssMiB, 200, 'MiB', (v) => `${v.toFixed(0)} MiB`),
  target('cold start: pcmkctl / pcs (median)', ratio(c.pcmkctl.median, c.pcs.median), 0.3, 'x', (v) => `${v.toFixed(2)}x`),
];

// ---- report ------------------------------------------------------------------
const rows = [
  ...['pcmkctl', 'pcs', 'crm_resource'].map((k) => ['edit', e[k].label, e[k].unavailable ? 'n/a' : fmtMs(e[k].median), e[k].unavailable ? 'n/a' : fmtMs(e[k].min), e[k].cpu ? fmtMs(e[k].cpu.median) : 'n/a', e[k].runs.length]),
  ...['pcmkctl', 'pcs', 'node'].map((k) => ['cold start', c[k].label, c[k].unavailable ? 'n/a' : fmtMs(c[k].median), c[k].unavailable ? 'n/a' : fmtMs(c[k].min), '', c[k].runs.length]),
];
const rssRow = (name, s) => (s ? [`peak RSS`, name, `${s.median.toFixed(0)} MiB`, `${s.min.toFixed(0)} MiB`, '', s.runs.length] : null);
rows.push(...[rssRow('pcmkctl edit, node process', results.rss.nodeProcess), rssRow('pcmkctl edit, incl. crm_verify child (GNU time)', results.rss.processTree)].filter(Boolean));

const header = ['what', 'command', 'median', 'min', 'cpu (median)', 'runs'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((x, i) => String(x).padEnd(widths[i])).join('  ');
env.loadAvgAtEnd = Number(loadavg()[0].toFixed(2));
const busy = Math.max(env.loadAvgAtStart, env.loadAvgAtEnd) > cpus().length * 0.5;
console.log(`\nCIB: ${opts.count} primitives, ${(bigBytes / 1e6).toFixed(2)} MB; ${env.cpu}; node ${env.node}; pcs ${env.pcs ?? 'n/a'}; ${env.pacemaker ?? 'Pacemaker n/a'}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
if (busy) console.log(`\nWARNING: the machine was busy (load average ${env.loadAvgAtStart} at start, ${env.loadAvgAtEnd} at end, ${cpus().length} CPUs): wall times are inflated; compare the CPU column, or re-run on an idle machine.`);
console.log('\nTargets');
const tw = Math.max(...results.targets.map((t) => t.name.length));
for (const t of results.targets) console.log(`  ${t.verdict.padEnd(4)}  ${t.name.padEnd(tw)}  ${t.shown.padStart(8)}  (target <= ${t.limit}${t.unit === 'x' ? 'x' : ' ' + t.unit})`);
const allFailures = [
  ...Object.entries(e).flatMap(([k, v]) => v.failures.map((f) => `edit ${k}: ${f}`)),
  ...Object.entries(c).flatMap(([k, v]) => v.failures.map((f) => `cold start ${k}: ${f}`)),
  ...results.rss.failures.map((f) => `rss: ${f}`),
];
if (allFailures.length) {
  console.log('\nFailed runs (not timed):');
  for (const f of allFailures) console.log(`  ${f}`);
}

writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
const md = [
  `Measured ${env.date.slice(0, 10)} on ${env.cpu} (load average ${env.loadAvgAtStart} → ${env.loadAvgAtEnd}), node ${env.node}, pcs ${env.pcs ?? 'n/a'}, ${env.pacemaker ?? 'Pacemaker n/a'}; CIB with ${opts.count} primitives (${(bigBytes / 1e6).toFixed(2)} MB), fresh copy per run; median (min) of ${opts.reps} runs for edits, ${opts.coldReps} for cold start.`,
  '',
  '| what | command | median | min | CPU user+sys (median) |',
  '|---|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r[0]} | ${r[0] === 'peak RSS' ? r[1] : '`' + r[1] + '`'} | ${r[2]} | ${r[3]} | ${r[4]} |`),
  '',
  '| target | measured | limit | verdict |',
  '|---|---:|---:|---|',
  ...results.targets.map((t) => `| ${t.name} | ${t.shown} | ≤ ${t.limit}${t.unit === 'x' ? '×' : ' ' + t.unit} | ${t.verdict} |`),
  '',
].join('\n');
writeFileSync(join(outDir, 'results.md'), md);
console.log(`\nbench: wrote ${join(outDir, 'results.json')} and ${join(outDir, 'results.md')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
