#!/usr/bin/env node
// Node/V8 flags for the shared instance, A/B: each variant is the instance (`devtls serve`)
// started with those flags, fresh in every round, variants in turns (who goes first
// rotates). In each round, after a 1 s warm-up: keep-alive (wrk -c32), 1 MiB bodies
// (wrk -c8), WebSockets (16 × 16 in flight) and HTTP/2 (h2load -c32 -m10), S s each:
// the instance's CPU per request / per MiB, and its peak RSS in each (VmRSS every 250 ms).
// Medians over the rounds. The instance alone (no `up` process): a project registers over
// the control socket, as bench/join.mjs does.
// Usage (after `npm run build`): node bench/instance-flags.mjs [--rounds 5] [--seconds 2]
//        --variant 'default=' --variant 'semi4=--max-semi-space-size=4' …
// Instance on core 0, backend and load on core 1; loopback only; every process stopped by PID.
import { number, values } from './lib/args.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopAll } from './lib/processes.mjs';
import { HOST, startBackend } from './lib/proxies.mjs';
import { startInstance } from './lib/instance.mjs';
import { h2load, wrk, wsLoad, pinToLoadCore } from './lib/load.mjs';
import { rssMiB, sampleRss, treeCpuMicros, treeHwmMiB } from './lib/proc-stats.mjs';
import { median } from './lib/stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rounds = number('--rounds', 5);
const seconds = number('--seconds', 2);
// A variant's words: node flags, and NAME=value words for its environment (MALLOC_ARENA_MAX=2).
const variants = values('--variant').map((spec) => {
  const at = spec.indexOf('=');
  const words = spec.slice(at + 1).trim().split(/\s+/).filter((f) => f !== '');
  const env = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { name: spec.slice(0, at), words, flags: words.filter((w) => !/^[A-Z_]+=/.test(w)), env };
});
if (variants.length === 0) variants.push({ name: 'default', words: [], flags: [], env: {} });

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-flags-'));
const caDir = join(dir, 'ca');

async function measure(variant, index, backend) {
  const instance = await startInstance({ name: `instance ${variant.name}`, flags: variant.flags, env: variant.env, caDir, stateDir: join(dir, `state-${variant.name}-${index}`), backend });
  const { proc, port } = instance;
  const pids = [proc.pid];
  const url = `https://${HOST}:${port}`;
  const out = {};
  try {
    await sleep(500);
    out.idle = rssMiB(proc.pid);
    await wrk(`${url}/`, { connections: 32, seconds: 1, latency: false });
    let peak = sampleRss(pids);
    let cpu0 = treeCpuMicros(pids);
    const ka = await wrk(`${url}/`, { connections: 32, seconds, latency: false });
    out.kaCpu = (treeCpuMicros(pids) - cpu0) / ka.requests;
    out.kaRps = ka.rps;
    out.kaPeak = peak();
    peak = sampleRss(pids);
    cpu0 = treeCpuMicros(pids);
    const big = await wrk(`${url}/1m`, { connections: 8, seconds, latency: false });
    out.bigCpu = (treeCpuMicros(pids) - cpu0) / big.requests;
    out.bigMiBs = big.requests / seconds;
    out.bigPeak = peak();
    peak = sampleRss(pids);
    cpu0 = treeCpuMicros(pids);
    const ws = await wsLoad(`wss://${HOST}:${port}/ws`, { connections: 16, window: 16, seconds });
    out.wsCpu = (treeCpuMicros(pids) - cpu0) / Math.max(1, ws.messages);
    out.wsPeak = peak();
    peak = sampleRss(pids);
    cpu0 = treeCpuMicros(pids);
    const h2 = await h2load(`${url}/`, ['-t1', '-c', '32', '-m', '10', '-D', String(seconds)], { timeoutMs: (seconds + 20) * 1000 });
    out.h2Cpu = (treeCpuMicros(pids) - cpu0) / Math.max(1, h2.done);
    out.h2Peak = peak();
    out.hwm = treeHwmMiB(pids);
  } finally {
    await instance.stop();
  }
  return out;
}


const results = new Map(variants.map((v) => [v.name, []]));
try {
  // One CA for every variant, made before the rounds.
  execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'ca', '--ca-dir', caDir], { stdio: 'ignore' });
  const backend = await startBackend(dir);
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      const r = await measure(variant, round, backend);
      results.get(variant.name).push(r);
      console.log(`round ${round + 1} ${variant.name}: idle ${r.idle.toFixed(1)} MiB; keep-alive ${r.kaCpu.toFixed(1)} µs/req, peak ${r.kaPeak.toFixed(1)}; 1 MiB ${r.bigCpu.toFixed(0)} µs/MiB, peak ${r.bigPeak.toFixed(1)}; ws ${r.wsCpu.toFixed(2)} µs/msg, peak ${r.wsPeak.toFixed(1)}; h2 ${r.h2Cpu.toFixed(1)} µs/req, peak ${r.h2Peak.toFixed(1)}; VmHWM ${r.hwm.toFixed(1)}`);
    }
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

const keys = [
  ['idle', 'RSS idle, MiB', 1],
  ['kaPeak', 'peak RSS, keep-alive, MiB', 1],
  ['bigPeak', 'peak RSS, 1 MiB bodies, MiB', 1],
  ['wsPeak', 'peak RSS, WebSockets, MiB', 1],
  ['h2Peak', 'peak RSS, HTTP/2, MiB', 1],
  ['hwm', 'VmHWM after all, MiB', 1],
  ['kaCpu', 'CPU per request, keep-alive, µs', 1],
  ['bigCpu', 'CPU per MiB, 1 MiB bodies, µs', 0],
  ['wsCpu', 'CPU per WebSocket message, µs', 2],
  ['h2Cpu', 'CPU per request, HTTP/2, µs', 1],
];
console.log(`\nInstance flags, ${rounds} rounds of ${seconds} s per scenario, variants in turns, fresh processes each round: medians`);
console.log(`| | ${variants.map((v) => `${v.name}${v.words.length ? ` (\`${v.words.join(' ')}\`)` : ''}`).join(' | ')} |`);
console.log(`|---|${variants.map(() => '---:').join('|')}|`);
for (const [key, label, digits] of keys) console.log(`| ${label} | ${variants.map((v) => median(results.get(v.name).map((r) => r[key])).toFixed(digits)).join(' | ')} |`);
