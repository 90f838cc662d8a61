#!/usr/bin/env node
// Proxy CPU per TLS connection, by kind of handshake, devtls (the instance) against Caddy and
// nginx with the same ECDSA P-256 leaf. Every connection is new and carries one request.
//   full, X25519: h2load --h1 batches of 200 connections (the client offers X25519 first, as browsers do)
//   full, P-256:  the same with the client offering only P-256 (OPENSSL_CONF for h2load)
//   Node, new:    bench/tls-connect-loop.mjs, 16 loops of one connection after another
//   Node, resumed: the same, each connection resuming the session (TLS 1.3 ticket) the
//                 previous one received; the share of connections actually resumed is shown
// Targets in turns, every round, S seconds per scenario; medians. Proxies on core 0, clients
// and backend on core 1. Usage (after `npm run build`):
//   node bench/handshakes.mjs [--rounds 5] [--seconds 2] [--only devtls,caddy,nginx]
//        [--devtls 'NAME=path/to/dist/cli.js [node flags]' …]   (other builds, measured alike)
import { devtlsBuilds, number, values } from './lib/args.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, stopAll } from './lib/processes.mjs';
import { HOST, startBackend, startCaddy, startNginx } from './lib/proxies.mjs';
import { startInstance } from './lib/instance.mjs';
import { LOAD_CORE, h2load, pinToLoadCore } from './lib/load.mjs';
import { treeCpuMicros } from './lib/proc-stats.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rounds = number('--rounds', 5);
const seconds = number('--seconds', 2);
const only = values('--only').flatMap((v) => v.split(','));
const wanted = (name) => only.length === 0 || only.includes(name);
const { INSTANCE_NODE_FLAGS } = await import(join(root, 'dist/instance/start-instance.js'));

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-handshakes-'));
const ctx = { dir, caDir: join(dir, 'ca'), certPath: join(dir, 'leaf', `${HOST}.pem`), keyPath: join(dir, 'leaf', `${HOST}-key.pem`) };
const p256 = join(dir, 'p256.cnf');
writeFileSync(p256, 'openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nGroups = P-256\n');

/** h2load --h1 batches of 200 new connections, one request each, for `seconds`. */
async function h2loadFull(port, env) {
  let connections = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const batch = await withEnv(env, () => h2load(`https://${HOST}:${port}/`, ['--h1', '-t1', '-n', '200', '-c', '200']));
    connections += batch.done;
  }
  return { connections };
}

async function withEnv(env, fn) {
  const saved = {};
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const loopClient = join(root, 'bench', 'tls-connect-loop.mjs');

/** bench/tls-connect-loop.mjs: new connections with SNI and Host, full (`new`) or resumed (`reuse`). */
async function nodeClient(port, mode) {
  const { output, code } = await run('tls loop', 'taskset', ['-c', String(LOAD_CORE), process.execPath, loopClient, String(port), HOST, mode, String(seconds)], { timeoutMs: (seconds + 20) * 1000 });
  if (code !== 0) throw new Error(`tls-connect-loop failed: ${output}`);
  return JSON.parse(output.trim().split('\n').pop());
}

const SCENARIOS = [
  { key: 'x25519', label: 'full handshake, X25519 (h2load)', run: (port) => h2loadFull(port, {}) },
  { key: 'p256', label: 'full handshake, P-256 (h2load, client offers P-256 only)', run: (port) => h2loadFull(port, { OPENSSL_CONF: p256 }) },
  { key: 'new', label: 'full handshake, X25519 (Node client)', run: (port) => nodeClient(port, 'new') },
  { key: 'reuse', label: 'resumed session, TLS 1.3 ticket (Node client)', run: (port) => nodeClient(port, 'reuse') },
];


const targets = [];
const results = new Map();
try {
  const cert = await run('devtls cert', process.execPath, [join(root, 'dist/cli.js'), 'cert', HOST, '127.0.0.1', '--ca-dir', ctx.caDir, '--out', join(dir, 'leaf')]);
  if (cert.code !== 0) throw new Error(`devtls cert failed: ${cert.output}`);
  execFileSync('chmod', ['-R', 'a+rX', join(dir, 'leaf')]);
  ctx.backend = await startBackend(dir);
  const builds = devtlsBuilds(root);
  for (const build of builds) {
    if (!wanted(build.name) && !(build.name !== 'devtls' && wanted('devtls'))) continue;
    mkdirSync(join(dir, build.name), { recursive: true });
    targets.push(await startInstance({ name: build.name, cli: build.cli, flags: [...INSTANCE_NODE_FLAGS, ...build.nodeArgs], env: build.env, caDir: ctx.caDir, stateDir: join(dir, build.name, 'state'), backend: ctx.backend }));
  }
  if (wanted('caddy')) targets.push({ ...(await startCaddy(ctx)), name: 'Caddy' });
  if (wanted('nginx')) targets.push({ ...(await startNginx(ctx)), name: 'nginx' });
  for (const target of targets) {
    results.set(target.name, Object.fromEntries(SCENARIOS.map((s) => [s.key, []])));
    await h2loadFull(target.port, {}); // warm-up: JIT, pools, caches
  }
  for (let round = 0; round < rounds; round++) {
    for (const scenario of SCENARIOS) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const target of order) {
        const pids = target.pids();
        const cpu0 = treeCpuMicros(pids);
        const r = await scenario.run(target.port);
        const us = (treeCpuMicros(pids) - cpu0) / Math.max(1, r.connections);
        results.get(target.name)[scenario.key].push({ us, ...r });
      }
    }
    console.log(`round ${round + 1}: ${targets.map((t) => `${t.name} ${SCENARIOS.map((s) => results.get(t.name)[s.key].at(-1).us.toFixed(0)).join('/')}`).join(', ')} µs`);
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nProxy CPU per new TLS connection (one request each), µs: medians of ${rounds} rounds of ${seconds} s, targets in turns`);
console.log(`| handshake | ${targets.map((t) => t.name).join(' | ')} |`);
console.log(`|---|${targets.map(() => '---:').join('|')}|`);
for (const scenario of SCENARIOS) {
  console.log(`| ${scenario.label} | ${targets.map((t) => median(results.get(t.name)[scenario.key].map((r) => r.us)).toFixed(0)).join(' | ')} |`);
}
const resumed = targets.map((t) => {
  const list = results.get(t.name).reuse;
  const made = list.reduce((s, r) => s + r.connections, 0);
  return made === 0 ? 'n/a' : `${((100 * list.reduce((s, r) => s + r.resumed, 0)) / made).toFixed(1)} %`;
});
console.log(`| … share of the Node client's reuse connections resumed | ${resumed.join(' | ')} |`);
