// How long `devtls run` makes a dev server wait: from just before `devtls run -- node
// child.cjs` is spawned until the child's first line of code runs (both read the same
// monotonic clock), against `node child.cjs` spawned directly. With an instance already
// running (`devtls serve`), and with none (devtls run starts one in the background).
// Usage: node bench/run-start.mjs [--rounds 10]. Loopback only; every process stopped by PID.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, start, stopAll } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'dist/cli.js');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 10) || 10;

const dir = mkdtempSync(join(tmpdir(), 'devtls-run-start-'));
const project = join(dir, 'app');
mkdirSync(project);
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'start-bench', private: true }));
// CommonJS, so that its first line runs before anything is loaded.
writeFileSync(join(project, 'child.cjs'), "const at = process.hrtime.bigint();\nrequire('node:fs').writeFileSync(process.env.MARK_FILE, String(at));\nsetInterval(() => {}, 1000);\n");
const mark = join(dir, 'mark');
const caDir = join(dir, 'ca');
const stateDir = join(dir, 'state');
const httpsPort = await freePort();
const env = { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: stateDir, DEVTLS_CA_DIR: caDir, MARK_FILE: mark };

/** ms from spawning `command` until the child's first line ran. */
async function once(name, command, args) {
  rmSync(mark, { force: true });
  const before = process.hrtime.bigint();
  const proc = start(name, command, args, { env, cwd: project });
  for (let i = 0; i < 400 && !existsSync(mark); i++) await sleep(5);
  if (!existsSync(mark)) throw new Error(`${name}: the child never ran:\n${proc.output}`);
  await sleep(5); // the mark is written whole
  const ms = Number(BigInt(readFileSync(mark, 'utf8')) - before) / 1e6;
  await proc.stop('SIGTERM');
  return ms;
}

async function instanceGone() {
  for (let i = 0; i < 400 && existsSync(join(stateDir, 'instance.json')); i++) await sleep(10);
}

const line = (label, samples) => `${label}: median ${median(samples).toFixed(1)} ms (min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)})`;
const runArgs = [cli, 'run', '--https-port', String(httpsPort), '--http-port', '0', '--', process.execPath, 'child.cjs'];

try {
  const direct = [];
  const cold = [];
  const warm = [];
  // Create the CA once, outside the measurement (a first run ever also creates it).
  await once('devtls run (CA)', process.execPath, runArgs);
  await instanceGone();
  for (let round = 0; round < rounds; round++) {
    direct.push(await once('node child.cjs', process.execPath, ['child.cjs']));
    cold.push(await once('devtls run, no instance', process.execPath, runArgs));
    await instanceGone();
  }
  const serve = start('devtls serve', process.execPath, [cli, 'serve', '--https-port', String(httpsPort), '--http-port', '0'], { env, cwd: project });
  for (let i = 0; i < 400 && !/serving on/.test(serve.output); i++) await sleep(10);
  for (let round = 0; round < rounds; round++) warm.push(await once('devtls run, instance running', process.execPath, runArgs));
  console.log(`${rounds} rounds each; spawn → the child's first line`);
  console.log(line('node child.cjs directly', direct));
  console.log(line('devtls run, instance running', warm) + `; adds ${(median(warm) - median(direct)).toFixed(1)} ms`);
  console.log(line('devtls run, no instance (starts one)', cold) + `; adds ${(median(cold) - median(direct)).toFixed(1)} ms`);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
