#!/usr/bin/env node
// devtls benchmark: devtls vs nginx vs Caddy vs https + http-proxy-3 (defaults), in one run.
// Usage: npm run bench [-- --quick] [-- --only nginx,caddy,devtls,naive]
//        [-- --devtls 'NAME=path/to/dist/cli.js [node flags]' ...]  (extra devtls builds or
//           node flags to compare in the same run, e.g. before/after a change)
//        [-- --profile]  (also profile devtls on the keep-alive scenario with --cpu-prof)
//        [-- --large-bodies-only]  (only the 1 MiB rounds: 1/4/16 connections, HTTP/1.1 and HTTP/2)
//        [-- --no-large-bodies]
//        [-- --uploads-only] [-- --no-uploads] [-- --upload-mib N]  (the large-upload rounds: one
//           POST of N MiB, 2048 by default, over HTTP/1.1 and HTTP/2 through each proxy)
// Loopback only; each proxy on core 0 (taskset), load generators and the backend on core 1.
import { measurePageLoad } from './page-load.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTools, versions } from './lib/tools.mjs';
import { killAllSync, run, stopAll } from './lib/processes.mjs';
import { coreBusySince, coreTimes, rssMiB, sampleRss, treeCpuMicros, treeHwmMiB, treeRssMiB } from './lib/proc-stats.mjs';
import { h2load, wrk, wsLoad, LOAD_CORE, pinToLoadCore } from './lib/load.mjs';
import { HOST, devtlsConfig, startBackend, startCaddy, startDevtls, startNaive, startNginx } from './lib/proxies.mjs';
import { get, keepAliveAgent, negotiatedAlpn, waitForFirstOk } from './lib/client.mjs';
import { renderReport } from './lib/report.mjs';
import { largeBodyRounds, renderLargeBodies } from './lib/large-bodies.mjs';
import { renderUploads, uploadRounds } from './lib/uploads.mjs';
import { summarizeProfile } from './profile-summary.mjs';
import { devtlsBuilds as buildsToMeasure, flag, values } from './lib/args.mjs';
import { measureAccessLog } from './access-log.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const quick = flag('--quick');
const only = values('--only').flatMap((v) => v.split(','));
const wanted = (name) => only.length === 0 || only.includes(name);

const S = quick
  ? { warm: 1, load: 3, handshake: 3, ws: 3, h2: 3, coldStarts: 1, edits: 8, profile: 5, rounds: 3, round: 2, roundWarm: 2, accessRounds: 3, accessRound: 2, bigRounds: 2, bigRound: 2, uploadRounds: 1 }
  : { warm: 1, load: 6, handshake: 5, ws: 4, h2: 4, coldStarts: 3, edits: 20, profile: 8, rounds: 5, round: 2, roundWarm: 2, accessRounds: 7, accessRound: 3, bigRounds: 3, bigRound: 2, uploadRounds: 2 };
const uploadsOnly = flag('--uploads-only');
const largeBodiesOnly = flag('--large-bodies-only') || uploadsOnly;
const KEEPALIVE_CONNECTIONS = 32;
const BIG_CONNECTIONS = 8;
const HANDSHAKE_BATCH = 200;
const WS = { connections: 16, window: 16 };

const log = (line) => console.log(line);

const devtlsBuilds = buildsToMeasure(root);

// --- stop everything we started, whatever happens -----------------------------------------
let cleaningUp = false;
async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  await stopAll();
}
process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`\n${signal}: stopping every process the bench started…`);
    cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  const started = performance.now();
  ensureTools(log);
  // The bench itself (and so every client it runs) stays on the load core.
  pinToLoadCore();
  const machine = versions();
  log(`devtls bench${quick ? ' (--quick)' : ''}: node ${machine.node}, ${machine.nginx}, caddy ${machine.caddy}, ${machine.cores} cores (${machine.cpu})`);
  log(`proxies on core 0, backend + load generators on core ${LOAD_CORE}; ${S.load} s per load point after ${S.warm} s warm-up; loopback only.`);

  const dir = mkdtempSync(join(tmpdir(), 'devtls-bench-'));
  const ctx = { dir, caDir: join(dir, 'ca'), certPath: join(dir, 'leaf', `${HOST}.pem`), keyPath: join(dir, 'leaf', `${HOST}-key.pem`) };
  try {
    // One temp devtls CA; one P-256 leaf from it for nginx, Caddy and the naive proxy
    // (devtls issues its own P-256 leaf from the same CA).
    const cert = await run('devtls cert', process.execPath, [devtlsBuilds[0].cli, 'cert', HOST, '127.0.0.1', '--ca-dir', ctx.caDir, '--out', join(dir, 'leaf')]);
    if (cert.code !== 0) throw new Error(`devtls cert failed: ${cert.output}`);
    execFileSync('chmod', ['-R', 'a+rX', join(dir, 'leaf')]);

    ctx.backend = await startBackend(dir);
    log(`backend: nginx on 127.0.0.1:${ctx.backend.port} ('ok' and /1m), ws echo (node ws) on :${ctx.backend.wsPort}`);

    const results = { proxies: {}, devtls: {} };
    const lineup = [];
    if (wanted('nginx')) lineup.push({ key: 'nginx', label: 'nginx', start: () => startNginx(ctx) });
    if (wanted('caddy')) lineup.push({ key: 'caddy', label: 'Caddy', start: () => startCaddy(ctx) });
    for (const build of devtlsBuilds) {
      if (wanted(build.name) || (build.name !== 'devtls' && only.length > 0 && wanted('devtls'))) {
        // `up` prints its access log into a file, as `devtls up > file` would: piped through
        // the bench, its lines would cost the load core (where the bench reads them).
        lineup.push({ key: build.name, label: build.name, devtls: true, start: () => startDevtls(ctx, { name: build.name, cli: build.cli, nodeArgs: build.nodeArgs ?? [], env: build.env ?? {}, stdoutFile: join(ctx.dir, `${build.name}-up.log`) }) });
      }
    }
    if (wanted('naive')) lineup.push({ key: 'naive', label: 'https + http-proxy-3 (defaults)', naive: true, start: () => startNaive(ctx) });

    const compared = lineup.filter((entry) => !entry.naive);
    if (!flag('--no-uploads') && (uploadsOnly || !flag('--large-bodies-only'))) {
      const mib = Number(values('--upload-mib')[0] ?? (quick ? 512 : 2048));
      log(`\n== ${mib} MiB uploads, one POST each over HTTP/1.1 and HTTP/2 (curl -T), all up at once, ${S.uploadRounds} uploads each in turn`);
      results.uploads = await uploadRounds(compared, { dir, mib, rounds: S.uploadRounds, log });
    }
    if (!flag('--no-large-bodies') && !uploadsOnly) {
      // The naive pipe with a keep-alive agent here: without one, each response closes the
      // browser's connection too, and the 1-connection rows would time TLS handshakes.
      const entries = [...compared];
      if (wanted('naive')) entries.push({ key: 'naiveKeepAlive', label: 'https + http-proxy-3 (keep-alive agent)', start: () => startNaive(ctx, { keepAlive: true }) });
      log(`\n== 1 MiB responses over 1, 4 and 16 connections, HTTP/1.1 (wrk) and HTTP/2 (h2load -m1): all up at once, ${S.bigRounds} rounds of ${S.bigRound} s in turn`);
      results.largeBodies = await largeBodyRounds(entries, { rounds: S.bigRounds, seconds: S.bigRound, warmSeconds: 1, log });
    }

    for (const entry of largeBodiesOnly ? [] : lineup) {
      log(`\n== ${entry.label}`);
      results.proxies[entry.key] = { label: entry.label, ...(await measureProxy(entry, ctx)) };
    }

    if (compared.length > 1 && !largeBodiesOnly) {
      log(`\n== keep-alive and WebSocket, interleaved: ${compared.map((e) => e.label).join(', ')} all up at once; ${S.roundWarm} s warm-up each, then ${S.rounds} rounds of ${S.round} s each, in turn`);
      const interleaved = await interleavedRounds(compared);
      for (const [key, value] of Object.entries(interleaved)) {
        results.proxies[key].keepAliveInterleaved = value.keepAlive;
        results.proxies[key].wsInterleaved = value.ws;
      }
    }

    if (wanted('devtls') && !largeBodiesOnly) {
      log(`\n== access log: devtls up vs devtls up --quiet, keep-alive (${KEEPALIVE_CONNECTIONS} connections), ${S.accessRounds} interleaved rounds of ${S.accessRound} s`);
      results.devtls.accessLog = await measureAccessLog({ rounds: S.accessRounds, seconds: S.accessRound, log });
    }

    if (!largeBodiesOnly) log('\n== cold start to first 200');
    for (const entry of largeBodiesOnly ? [] : lineup) {
      const samples = [];
      for (let i = 0; i < S.coldStarts; i++) samples.push(await coldStart(entry, ctx, i));
      results.proxies[entry.key].coldStartMs = median(samples);
      log(`  ${entry.label}: ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(samples).toFixed(0)})${entry.devtls ? ' — new CA folder each time' : ''}`);
    }

    for (const build of devtlsBuilds.filter((b) => !largeBodiesOnly && lineup.some((entry) => entry.key === b.name))) {
      log(`\n== ${build.name}: config edit (rename over proxy.config.json) → first request served by the new route`);
      Object.assign(results.proxies[build.name], await editToServing(ctx, build));
    }

    if (!flag('--no-page') && !largeBodiesOnly && wanted('devtls') && wanted('caddy')) {
      log('\n== 300-module page in headless Chromium: devtls HTTP/2, devtls HTTP/1.1, Caddy, and no proxy (nginx, static files)');
      results.pageLoad = await measurePageLoad({ runs: quick ? 3 : 7, log });
    }

    if (flag('--profile')) {
      log('\n== profile: devtls on the keep-alive scenario (node --cpu-prof)');
      results.profile = await profileDevtls(ctx, devtlsBuilds[0]);
    }

    results.meta = {
      date: new Date().toISOString(),
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      quick,
      machine,
      settings: { ...S, largeBodiesOnly, keepAliveConnections: KEEPALIVE_CONNECTIONS, bigConnections: BIG_CONNECTIONS, handshakeBatch: HANDSHAKE_BATCH, ws: WS },
      seconds: (performance.now() - started) / 1000,
    };
    const names = devtlsBuilds.map((b) => b.name);
    let report = Object.keys(results.proxies).length > 0 ? renderReport(results, names) : '';
    for (const extra of [
      results.largeBodies === undefined ? undefined : renderLargeBodies(results.largeBodies, names),
      results.uploads === undefined ? undefined : renderUploads(results.uploads, names),
    ]) {
      if (extra === undefined) continue;
      results.verdicts = [...(results.verdicts ?? []), ...extra.verdicts];
      const head = report === '' ? `devtls bench, ${results.meta.date} — ${results.meta.command}\nnode ${machine.node}, ${machine.nginx}, caddy ${machine.caddy}, ${machine.wrk}, ${machine.h2load}; ${machine.cores} cores\n\n` : `${report}\n\n`;
      report = `${head}${extra.text}`;
    }
    log(`\n${report}`);
    const out = join(root, '.bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(out, 'results.md'), `${report}\n`);
    log(`\nResults written to .bench/results.json and .bench/results.md (${results.meta.seconds.toFixed(0)} s in all).`);
  } finally {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every load scenario against one proxy, started fresh, stopped after. */
async function measureProxy(entry, ctx) {
  const proxy = await entry.start();
  const out = {};
  try {
    const url = `https://${HOST}:${proxy.port}`;
    const check = await get(proxy.port, '/');
    if (check.status !== 200 || check.body !== 'ok') throw new Error(`${entry.label} answered ${check.status} ${check.body.slice(0, 200)}`);
    await sleep(500);
    const pids = proxy.pids();
    out.rssIdleMiB = treeRssMiB(pids);
    // devtls is two processes: `up` (the project's client) and the shared instance it
    // started (which serves). Each one's RSS is kept apart as well as their sum.
    const roles = entry.devtls ? { up: proxy.proc.pid, instance: pids.find((pid) => pid !== proxy.proc.pid) } : undefined;
    const byRole = (each) => (roles === undefined ? undefined : { up: each.get(roles.up), instance: each.get(roles.instance) });
    if (roles !== undefined) out.rssRoles = { idle: { up: rssMiB(roles.up), instance: rssMiB(roles.instance) }, peak: {} };
    out.alpn = await negotiatedAlpn(proxy.port);
    log(`  up on :${proxy.port} (pid ${proxy.proc.pid}${pids.length > 1 ? ` + ${pids.length - 1} child` : ''}), idle RSS ${out.rssIdleMiB.toFixed(1)} MiB, ALPN with h2 offered: ${out.alpn}`);

    // Keep-alive small GETs over HTTPS/1.1.
    await wrk(`${url}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.warm, latency: false });
    let peak = sampleRss(pids);
    let cpu0 = treeCpuMicros(pids);
    const cores0 = coreTimes();
    const ka = await wrk(`${url}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.load });
    let cpu = treeCpuMicros(pids) - cpu0;
    const [core0Busy, core1Busy] = coreBusySince(cores0);
    out.rssLoadMiB = peak();
    out.rssPeakMiB = { keepAlive: out.rssLoadMiB };
    if (roles !== undefined) out.rssRoles.peak.keepAlive = byRole(peak.each);
    out.keepAlive = { rps: ka.rps, p50ms: ka.p50ms, p99ms: ka.p99ms, requests: ka.requests, errors: ka.errors, cpuUsPerRequest: cpu / ka.requests, cpuCores: cpu / 1e6 / S.load, core0Busy, core1Busy };
    log(`  keep-alive (${KEEPALIVE_CONNECTIONS} conns): ${ka.rps.toFixed(0)} req/s, p50 ${ka.p50ms.toFixed(2)} ms, p99 ${ka.p99ms.toFixed(2)} ms, ${out.keepAlive.cpuUsPerRequest.toFixed(1)} µs CPU/req (proxy ${(out.keepAlive.cpuCores * 100).toFixed(0)}% of a core; core 0 ${core0Busy.toFixed(0)}% busy, core 1 (load+backend) ${core1Busy.toFixed(0)}%)${ka.errors ? `, ${ka.errors} errors` : ''}`);

    // 1 MiB responses.
    peak = sampleRss(pids);
    cpu0 = treeCpuMicros(pids);
    const big = await wrk(`${url}/1m`, { connections: BIG_CONNECTIONS, seconds: S.load, latency: false });
    cpu = treeCpuMicros(pids) - cpu0;
    out.rssPeakMiB.big = peak();
    if (roles !== undefined) out.rssRoles.peak.big = byRole(peak.each);
    out.rssLoadMiB = Math.max(out.rssLoadMiB, out.rssPeakMiB.big);
    out.big = { mibPerSec: (big.requests * 1) / S.load, wrkMiBPerSec: big.bytesPerSec / 1024 ** 2, requests: big.requests, errors: big.errors, cpuUsPerMiB: cpu / big.requests };
    log(`  1 MiB bodies (${BIG_CONNECTIONS} conns): ${out.big.wrkMiBPerSec.toFixed(0)} MiB/s, ${out.big.cpuUsPerMiB.toFixed(0)} µs CPU/MiB${big.errors ? `, ${big.errors} errors` : ''}`);

    // Full TLS handshakes: h2load opens every connection fresh (no session resumption), one request each.
    // Measured after S.warm s of them, as every other load point is after its warm-up: right
    // after the 1 MiB load, devtls's first 2 s of handshakes cost 8-30 % more than the next
    // (V8 collecting the old generation that load left; BENCHMARKS.md, 2026-12-03), which
    // is the previous scenario's cost, not the handshakes'.
    const handshakeBatch = () => h2load(`${url}/`, ['--h1', '-t1', '-n', String(HANDSHAKE_BATCH), '-c', String(HANDSHAKE_BATCH)]);
    for (const warmUntil = performance.now() + S.warm * 1000; performance.now() < warmUntil; ) await handshakeBatch();
    let conns = 0;
    let failed = 0;
    let tls = '?';
    cpu0 = treeCpuMicros(pids);
    const until = performance.now() + S.handshake * 1000;
    while (performance.now() < until) {
      const batch = await handshakeBatch();
      conns += batch.done;
      failed += batch.failed;
      tls = batch.tls;
    }
    cpu = treeCpuMicros(pids) - cpu0;
    out.handshake = { connections: conns, failed, tls, cpuUsPerConnection: cpu / Math.max(1, conns), perSec: conns / S.handshake };
    log(`  new TLS connections (${tls}, 1 request each): ${conns} in ${S.handshake} s, ${out.handshake.cpuUsPerConnection.toFixed(0)} µs CPU/connection${failed ? `, ${failed} failed` : ''}`);

    // WebSocket echo through the proxy.
    peak = sampleRss(pids);
    cpu0 = treeCpuMicros(pids);
    const ws = await wsLoad(`wss://${HOST}:${proxy.port}/ws`, { ...WS, seconds: S.ws });
    cpu = treeCpuMicros(pids) - cpu0;
    out.rssPeakMiB.ws = peak();
    if (roles !== undefined) out.rssRoles.peak.ws = byRole(peak.each);
    out.rssLoadMiB = Math.max(out.rssLoadMiB, out.rssPeakMiB.ws);
    out.ws = { messagesPerSec: ws.rate, errors: ws.errors, cpuUsPerMessage: cpu / Math.max(1, ws.messages * (S.ws / ws.seconds)) };
    log(`  WebSocket (${WS.connections} conns × ${WS.window} in flight): ${ws.rate.toFixed(0)} msg/s${ws.errors ? `, ${ws.errors} errors` : ''}`);

    // HTTP/2, where the proxy offers it.
    if (out.alpn === 'h2') {
      peak = sampleRss(pids);
      const h2 = await h2load(`${url}/`, ['-t1', '-c', '32', '-m', '10', '-D', String(S.h2), '--warm-up-time', '1'], { timeoutMs: (S.h2 + 20) * 1000 });
      out.rssPeakMiB.h2 = peak();
      if (roles !== undefined) out.rssRoles.peak.h2 = byRole(peak.each);
      out.rssLoadMiB = Math.max(out.rssLoadMiB, out.rssPeakMiB.h2);
      out.h2 = { rps: h2.rps, protocol: h2.protocol, failed: h2.failed };
      log(`  HTTP/2 (32 conns × 10 streams): ${h2.rps.toFixed(0)} req/s (${h2.protocol})${h2.failed ? `, ${h2.failed} failed` : ''}`);
    } else {
      out.h2 = null;
      log('  HTTP/2: n/a (h2 not negotiated by ALPN)');
    }
    out.rssHwmMiB = treeHwmMiB(pids);
    log(`  RSS under load (peak VmRSS) ${out.rssLoadMiB.toFixed(1)} MiB, VmHWM ${out.rssHwmMiB.toFixed(1)} MiB`);
    if (roles !== undefined) {
      const peaks = Object.values(out.rssRoles.peak);
      out.rssRoles.load = { up: Math.max(...peaks.map((p) => p.up ?? 0)), instance: Math.max(...peaks.map((p) => p.instance ?? 0)) };
      out.rssRoles.hwm = { up: treeHwmMiB([roles.up]), instance: treeHwmMiB([roles.instance]) };
      const show = (p) => `up ${p.up?.toFixed(1)}, instance ${p.instance?.toFixed(1)}`;
      log(`  … per process, MiB: idle ${show(out.rssRoles.idle)}; peak under load ${show(out.rssRoles.load)} (keep-alive: ${show(out.rssRoles.peak.keepAlive)}; 1 MiB: ${show(out.rssRoles.peak.big)}; WebSocket: ${show(out.rssRoles.peak.ws)}${out.rssRoles.peak.h2 ? `; HTTP/2: ${show(out.rssRoles.peak.h2)}` : ''})`);
    }
  } finally {
    await proxy.stop();
  }
  return out;
}

/**
 * Keep-alive small GETs and WebSocket echoes again, with every proxy running at once (each
 * idle while another is loaded) and short runs taken in turn, A B C A B C…: a neighbour on
 * this shared machine that slows one stretch of time slows every proxy's rounds alike, so
 * the medians' ratios hold better than those of one long run per proxy, minutes apart.
 */
async function interleavedRounds(entries) {
  const running = [];
  const out = {};
  try {
    for (const entry of entries) running.push({ entry, proxy: await entry.start(), rounds: [], wsRounds: [] });
    // Longer than the other warm-ups: devtls (V8) reaches its steady speed only after a few
    // seconds of load, once hot code is optimised and the young generation has grown.
    for (const r of running) await wrk(`https://${HOST}:${r.proxy.port}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.roundWarm, latency: false });
    await takeTurns(running, 'rounds', async (r, pids, cpu0) => {
      const result = await wrk(`https://${HOST}:${r.proxy.port}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.round, latency: true });
      return { rps: result.rps, p99ms: result.p99ms, cpuUsPerRequest: (treeCpuMicros(pids) - cpu0) / Math.max(1, result.requests), errors: result.errors };
    });
    await takeTurns(running, 'wsRounds', async (r, pids, cpu0) => {
      const ws = await wsLoad(`wss://${HOST}:${r.proxy.port}/ws`, { ...WS, seconds: S.round });
      return { messagesPerSec: ws.rate, cpuUsPerMessage: (treeCpuMicros(pids) - cpu0) / Math.max(1, ws.messages * (S.round / ws.seconds)), errors: ws.errors };
    });
    for (const r of running) {
      const rps = median(r.rounds.map((x) => x.rps));
      const cpuUsPerRequest = median(r.rounds.map((x) => x.cpuUsPerRequest));
      // The p99 of every proxy's steady state: the single run's starts 1 s after devtls did,
      // while its JIT and heap still settle (BENCHMARKS.md, 2026-12-03).
      const p99ms = median(r.rounds.map((x) => x.p99ms));
      const wsRate = median(r.wsRounds.map((x) => x.messagesPerSec));
      const wsCpu = median(r.wsRounds.map((x) => x.cpuUsPerMessage));
      out[r.entry.key] = {
        keepAlive: { rps, cpuUsPerRequest, p99ms, rounds: r.rounds },
        ws: { messagesPerSec: wsRate, cpuUsPerMessage: wsCpu, rounds: r.wsRounds },
      };
      log(`  ${r.entry.label}: keep-alive median ${rps.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(1)} µs CPU/req, p99 ${p99ms.toFixed(2)} ms (rounds: ${r.rounds.map((x) => `${x.rps.toFixed(0)} p99 ${x.p99ms.toFixed(2)}`).join(', ')}); WebSocket median ${wsRate.toFixed(0)} msg/s (rounds: ${r.wsRounds.map((x) => x.messagesPerSec.toFixed(0)).join(', ')})`);
    }
  } finally {
    for (const r of running) await r.proxy.stop();
  }
  return out;
}

/** S.rounds rounds; in each, every proxy in turn is measured once (into `r[field]`). */
async function takeTurns(running, field, measure) {
  for (let round = 0; round < S.rounds; round++) {
    for (const r of running) {
      const pids = r.proxy.pids();
      r[field].push(await measure(r, pids, treeCpuMicros(pids)));
    }
  }
}

/** Spawn → first 200 through the proxy (fresh connections polled every 2 ms). devtls gets a new CA folder. */
async function coldStart(entry, ctx, index) {
  const start = entry.devtls
    ? () => {
        const build = devtlsBuilds.find((b) => b.name === entry.key);
        return startDevtls(ctx, { name: entry.key, cli: build.cli, nodeArgs: build.nodeArgs ?? [], env: build.env ?? {}, caDir: join(ctx.dir, `cold-ca-${entry.key}-${index}`) });
      }
    : entry.start;
  const proxy = await start();
  try {
    return await waitForFirstOk(proxy.port, proxy.proc.spawnedAt, { proc: proxy.proc });
  } finally {
    await proxy.stop();
  }
}

/**
 * devtls watching its config: write a new file beside it and rename it over
 * proxy.config.json (an editor's "safe write"), then poll over one keep-alive connection
 * until the new route answers. Edits alternate a new host (needs a certificate) and a new
 * path on the existing host (the backend answers 'new' under /marker/).
 */
async function editToServing(ctx, build) {
  const proxy = await startDevtls(ctx, { name: `${build.name}-watch`, cli: build.cli, nodeArgs: build.nodeArgs ?? [], env: build.env ?? {}, watch: true });
  const agent = keepAliveAgent();
  const hostMs = [];
  const pathMs = [];
  let failures = 0;
  try {
    await get(proxy.port, '/', { agent });
    await sleep(300);
    for (let i = 0; i < S.edits; i++) {
      const newHost = i % 2 === 0;
      const tag = `e${i}x${Date.now() % 100000}`;
      const route = newHost
        ? { host: `${tag}.localhost`, target: `http://127.0.0.1:${ctx.backend.port}` }
        : { host: HOST, path: `/${tag}`, target: `http://127.0.0.1:${ctx.backend.port}/marker` };
      const probe = newHost ? { path: '/', host: `${tag}.localhost`, ok: (r) => r.status === 200 && r.body === 'ok' } : { path: `/${tag}`, host: HOST, ok: (r) => r.status === 200 && r.body === 'new' };
      const before = await get(proxy.port, probe.path, { agent, host: probe.host });
      if (probe.ok(before)) throw new Error(`edit ${i}: the new route answered before the edit`);
      const temp = join(proxy.home, `.proxy.config.json.${i}.tmp`);
      writeFileSync(temp, devtlsConfig(ctx, [route]));
      const t0 = performance.now();
      renameSync(temp, proxy.config);
      let elapsed;
      while (performance.now() - t0 < 5000) {
        const answer = await get(proxy.port, probe.path, { agent, host: probe.host });
        if (probe.ok(answer)) {
          elapsed = performance.now() - t0;
          break;
        }
      }
      if (elapsed === undefined) failures++;
      else (newHost ? hostMs : pathMs).push(elapsed);
      await sleep(250); // let the watcher's settle re-read pass, so edits do not coalesce
    }
  } finally {
    agent.destroy();
    await proxy.stop();
  }
  const all = [...hostMs, ...pathMs];
  log(`  new path: ${pathMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  log(`  new host: ${hostMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  log(`  median ${median(all).toFixed(0)} ms over ${all.length} edits (path ${median(pathMs).toFixed(0)}, host ${median(hostMs).toFixed(0)})${failures ? `, ${failures} not served within 5 s` : ''}`);
  return { editMedianMs: median(all), editPathMedianMs: median(pathMs), editHostMedianMs: median(hostMs), editFailures: failures, editSamplesMs: all };
}

async function profileDevtls(ctx, build) {
  const profileDir = join(root, '.bench', 'profile');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const proxy = await startDevtls(ctx, { name: `${build.name}-profile`, cli: build.cli, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
  let ka;
  let skipMs = 0;
  try {
    await wrk(`https://${HOST}:${proxy.port}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.warm, latency: false });
    skipMs = performance.now() - proxy.proc.spawnedAt;
    ka = await wrk(`https://${HOST}:${proxy.port}/`, { connections: KEEPALIVE_CONNECTIONS, seconds: S.profile });
  } finally {
    await proxy.stop('SIGTERM', 10_000);
  }
  // Two profiles: the `up` process's and the instance's, which serves (every file is named
  // after its process's pid).
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !f.includes(`.${proxy.proc.pid}.`));
  if (files.length === 0) {
    log('  no .cpuprofile written (devtls did not exit cleanly?)');
    return null;
  }
  const summary = summarizeProfile(join(profileDir, files[0]), 15, skipMs);
  log(`  ${ka.rps.toFixed(0)} req/s under the profiler; profile: .bench/profile/${files[0]}`);
  log(summary.text);
  return { rps: ka.rps, file: `.bench/profile/${files[0]}`, skipMs, top: summary.top, byPackage: summary.byPackage };
}


main().catch(async (error) => {
  console.error(`\nbench failed: ${error instanceof Error ? error.stack : String(error)}`);
  await cleanup();
  process.exit(1);
});
