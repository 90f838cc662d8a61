#!/usr/bin/env node
// What the instance spends per full TLS handshake fresh, and right after other load: 2 s
// rounds of h2load --h1 batches of 200 new connections (one request each), then 6 s of
// keep-alive GETs and 6 s of 1 MiB GETs (as `npm run bench` runs them before its handshake
// row), then the same rounds again. With --trace-gc, the mark-compacts V8 ran after that load.
// The instance alone (`devtls serve`, the flags `up` starts it with), core 0; clients and
// backend on core 1; loopback only.
// Usage (after `npm run build`): node bench/handshakes-after-load.mjs [--rounds 4] [--trace-gc]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, number } from './lib/args.mjs';
import { stopAll } from './lib/processes.mjs';
import { HOST } from './lib/proxies.mjs';
import { loadedInstance } from './lib/instance.mjs';
import { h2load, pinToLoadCore, wrk } from './lib/load.mjs';
import { treeCpuMicros } from './lib/proc-stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const rounds = number('--rounds', 4);
const traceGc = flag('--trace-gc');
const { INSTANCE_NODE_FLAGS } = await import(join(root, 'dist/instance/start-instance.js'));

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-handshakes-'));
try {
  // `load` is wrk -c32 on small GETs, the bench's keep-alive load.
  const { instance, load } = await loadedInstance({ dir, name: 'devtls', flags: [...INSTANCE_NODE_FLAGS, ...(traceGc ? ['--trace-gc'] : [])], http1: true });
  const pid = instance.proc.pid;
  const batch = () => h2load(`https://${HOST}:${instance.port}/`, ['--h1', '-t1', '-n', '200', '-c', '200']);
  const measure = async (label) => {
    const perRound = [];
    for (let round = 0; round < rounds; round++) {
      const cpu0 = treeCpuMicros([pid]);
      let connections = 0;
      for (const until = performance.now() + 2000; performance.now() < until; ) connections += (await batch()).done;
      perRound.push(((treeCpuMicros([pid]) - cpu0) / Math.max(1, connections)).toFixed(0));
    }
    console.log(`${label}: ${perRound.join(', ')} µs CPU per connection (2 s rounds)`);
  };
  for (let i = 0; i < 10; i++) await batch(); // the handshake path compiled
  await measure('fresh');
  await load(6);
  await wrk(`https://${HOST}:${instance.port}/1m`, { connections: 8, seconds: 6, latency: false });
  await measure('after 6 s of keep-alive and 6 s of 1 MiB bodies');
  if (traceGc) {
    // The process's output is kept to its last 64 KiB: enough for the rounds after the load.
    const lines = instance.proc.output.split('\n').filter((line) => line.includes('Mark-Compact'));
    console.log(`mark-compacts in the output kept (the last 64 KiB), with V8's reason:\n${lines.slice(-20).map((line) => `  ${line.replace(/^.*?ms: /, '').replace(/\(\+.*?\) /, '')}`).join('\n')}`);
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
