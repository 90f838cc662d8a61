#!/usr/bin/env node
// The garbage collector's work in the instance under load: `devtls serve` alone with
// --trace-gc-nvp (plus any node flags given), warmed up 2 s, then counted over the next S s
// of h2load -c32 -m10 (or wrk -c32 with --h1): scavenges and mark-compacts, their time, and
// per request the bytes allocated and the bytes promoted to the old generation (objects that
// outlived two scavenges, which only a mark-compact frees).
// With --profile, the instance also writes a --cpu-prof profile to .bench/profile/, summarised.
// --access-log: the project asks for the access log (sent to the bench, which drops it).
// Usage (after `npm run build`): node bench/gc-trace.mjs [--h1] [--access-log] [--profile] [--seconds 5] [-- NODE_FLAGS…]
// (without NODE_FLAGS: the flags `up` starts the instance with)
// Instance on core 0, backend and load on core 1; loopback only; every process stopped by PID.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, number } from './lib/args.mjs';
import { stopAll } from './lib/processes.mjs';
import { pinToLoadCore } from './lib/load.mjs';
import { loadedInstance } from './lib/instance.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'dist/cli.js');
const seconds = number('--seconds', 5);
const http1 = flag('--h1');
const accessLog = flag('--access-log');
const dashes = process.argv.indexOf('--');
// By default the flags `up` starts the instance with.
const { INSTANCE_NODE_FLAGS } = await import(join(root, 'dist/instance/start-instance.js'));
const flags = dashes === -1 ? INSTANCE_NODE_FLAGS : process.argv.slice(dashes + 1);
const profileDir = join(root, '.bench', 'profile');
const profiling = flag('--profile') ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
if (profiling.length > 0) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
}

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-gc-'));
try {
  const { instance, backend, load } = await loadedInstance({ dir, name: 'gc-trace', cli, flags: ['--trace-gc-nvp', ...profiling, ...flags], accessLog, http1 });
  await load(2);
  // Its --trace-gc lines while the load runs (proc.output keeps only the last 64 KiB).
  let traced = '';
  const trace = (chunk) => (traced += chunk);
  instance.proc.child.stdout?.on('data', trace);
  instance.proc.child.stderr.on('data', trace);
  const result = await load(seconds);
  instance.proc.child.stdout?.off('data', trace);
  instance.proc.child.stderr.off('data', trace);
  const lines = traced.split('\n');
  const field = (line, name) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
  const sum = (found, name) => found.reduce((total, line) => total + field(line, name), 0);
  const of = (kind, label) => {
    const found = lines.filter((line) => line.includes(` gc=${kind} `));
    return `${found.length} ${label}, ${sum(found, 'pause').toFixed(0)} ms in all`;
  };
  const requests = Math.max(1, result.requests ?? result.done ?? 0);
  const perRequest = (name) => (sum(lines, name) / requests).toFixed(0);
  console.log(
    `node flags: ${flags.join(' ') || '(none)'}; ${accessLog ? 'access log on; ' : ''}${http1 ? 'HTTP/1.1 keep-alive' : 'HTTP/2'} for ${seconds} s: ${result.rps.toFixed(0)} req/s; ${of('s', 'scavenges')}; ${of('mc', 'mark-compacts')}; per request ${perRequest('allocated')} B allocated, ${perRequest('promoted')} B promoted`,
  );
  await instance.stop();
  for (const proc of backend.procs) await proc.stop();
  for (const file of profiling.length > 0 ? readdirSync(profileDir) : []) console.log(`profile: .bench/profile/${file}\n${summarizeProfile(join(profileDir, file), 15).text}`);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
