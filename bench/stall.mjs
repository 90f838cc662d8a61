#!/usr/bin/env node
// Sequential large GETs on ONE keep-alive connection, per-request latency percentiles:
// the measurement that shows (or rules out) a per-response stall (Nagle + delayed ACK,
// a timer in the relay) that a throughput figure hides.
//
// Usage (after `npm run build`):
//   node bench/stall.mjs [--n 100] [--rounds 4] [--path /1m] [--h2]
//        [--only devtls,naive,nginx,caddy] [--backend nginx|node]
//        [--devtls 'NAME=path/to/dist/cli.js [node flags]' ...]
// Every target is up at once; each round runs N sequential GETs against each target in
// turn (A B C A B C …), on one connection per target per round, so a noisy stretch of
// the shared machine hits all alike. Proxies on core 0, backend and this client on core 1.
// Loopback only; every process is stopped by PID.
import { devtlsBuilds, flag, values } from './lib/args.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllSync, run, stopAll } from './lib/processes.mjs';
import { HOST, startDevtls, startBackend, startCaddy, startNaive, startNginx, startNodeBackend } from './lib/proxies.mjs';
import { pinToLoadCore } from './lib/load.mjs';
import { coreBusySince, coreTimes, delayedAcks, treeCpuMicros } from './lib/proc-stats.mjs';
import { sequentialGets } from './lib/seq-client.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const one = (name, fallback) => values(name).at(-1) ?? fallback;
const N = Number(one('--n', '100'));
const ROUNDS = Number(one('--rounds', '4'));
const PATH = one('--path', '/1m');
const H2 = flag('--h2');
const only = values('--only').flatMap((v) => v.split(','));
const wanted = (name) => only.length === 0 || only.includes(name);
const backendKind = one('--backend', 'nginx');
const MIB_PER_RESPONSE = PATH === '/1m' ? 1 : 0;

const builds = devtlsBuilds(root);

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll().finally(() => process.exit(130)));

const dir = mkdtempSync(join(tmpdir(), 'devtls-stall-'));
const ctx = { dir, caDir: join(dir, 'ca'), certPath: join(dir, 'leaf', `${HOST}.pem`), keyPath: join(dir, 'leaf', `${HOST}-key.pem`) };
const targets = [];
try {
  pinToLoadCore();
  const cert = await run('devtls cert', process.execPath, [builds[0].cli, 'cert', HOST, '127.0.0.1', '--ca-dir', ctx.caDir, '--out', join(dir, 'leaf')]);
  if (cert.code !== 0) throw new Error(`devtls cert failed: ${cert.output}`);
  execFileSync('chmod', ['-R', 'a+rX', join(dir, 'leaf')]);
  ctx.backend = backendKind === 'node' ? await startNodeBackend(dir) : await startBackend(dir);

  const direct = { name: 'backend direct (plain HTTP)', port: ctx.backend.port, plain: true, pids: () => [] };
  if (wanted('direct') && !H2) targets.push(direct);
  if (wanted('nginx')) targets.push({ ...(await startNginx(ctx)), name: 'nginx' });
  if (wanted('caddy')) targets.push({ ...(await startCaddy(ctx)), name: 'caddy' });
  if (wanted('naive') && !H2) targets.push({ ...(await startNaive(ctx, { keepAlive: true })), name: 'naive (keep-alive agent)' });
  for (const build of builds) {
    if (wanted(build.name) || (build.name !== 'devtls' && wanted('devtls'))) targets.push({ ...(await startDevtls(ctx, build)), name: build.name });
  }
  console.log(`${N} sequential GET ${PATH} per round on one ${H2 ? 'HTTP/2 stream at a time (one session)' : 'HTTP/1.1 keep-alive connection'}, ${ROUNDS} rounds, targets in turn; backend ${backendKind}`);

  const stats = new Map(targets.map((t) => [t.name, { ms: [], cpu: 0, wall: 0, busy: [], acks: 0, roundMiBs: [], roundAcks: [] }]));
  // Warm-up: one short round each (JIT, pools, TLS sessions).
  for (const t of targets) {
    await sequentialGets({ port: t.port, path: PATH, n: Math.min(10, N), h2: H2, plain: t.plain }).catch((error) => {
      throw new Error(`${t.name}: ${error.message}`);
    });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const pids = t.pids();
      const cpu0 = treeCpuMicros(pids);
      const cores0 = coreTimes();
      const acks0 = delayedAcks();
      const t0 = performance.now();
      const ms = await sequentialGets({ port: t.port, path: PATH, n: N, h2: H2, plain: t.plain });
      const s = stats.get(t.name);
      const wall = performance.now() - t0;
      const acks = delayedAcks() - acks0;
      s.wall += wall;
      s.acks += acks;
      s.roundMiBs.push((ms.length * MIB_PER_RESPONSE) / (wall / 1000));
      s.roundAcks.push(acks / ms.length);
      s.cpu += treeCpuMicros(pids) - cpu0;
      s.busy.push(coreBusySince(cores0)[0]);
      s.ms.push(...ms);
    }
  }
  console.log('| target | p50 ms | p90 ms | p99 ms | max ms | > 20 ms | MiB/s (sequential) | proxy CPU % | core 0 busy % (median of rounds) | MiB/s per round (min–max) | delayed-ACK timeouts per response (per round min–max) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of targets) {
    const s = stats.get(t.name);
    const sorted = [...s.ms].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    const slow = sorted.filter((x) => x > 20).length;
    const mib = (sorted.length * MIB_PER_RESPONSE) / (s.wall / 1000);
    const range = (list, digits) => `${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)}`;
    console.log(`| ${t.name} | ${q(0.5).toFixed(2)} | ${q(0.9).toFixed(2)} | ${q(0.99).toFixed(2)} | ${sorted.at(-1).toFixed(2)} | ${slow} of ${sorted.length} | ${mib.toFixed(0)} | ${t.plain ? '' : ((100 * s.cpu) / 1000 / s.wall).toFixed(0)} | ${median(s.busy).toFixed(0)} | ${range(s.roundMiBs, 0)} | ${(s.acks / sorted.length).toFixed(2)} (${range(s.roundAcks, 2)}) |`);
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

