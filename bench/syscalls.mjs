#!/usr/bin/env node
// System calls and page faults per MiB moved, devtls (the instance) against Caddy: a 1 GiB HTTP/1.1 upload
// (curl -T) and 1 MiB GETs over 4 HTTP/1.1 connections (wrk -c4, 5 s), each after a warm-up,
// counted with `perf stat` on the proxy's process (syscall tracepoints: needs perf and the
// right to trace, e.g. root). Proxies on core 0, clients and backend on core 1; loopback only.
// Usage (after `npm run build`): node bench/syscalls.mjs [--upload-mib 1024] [--seconds 5]
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { number } from './lib/args.mjs';
import { run, stopAll } from './lib/processes.mjs';
import { LOAD_CORE, pinToLoadCore, wrk } from './lib/load.mjs';
import { HOST, devtlsConfig, startBackend, startCaddy, startDevtls } from './lib/proxies.mjs';
import { treeCpuMicros } from './lib/proc-stats.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'dist/cli.js');
const uploadMiB = number('--upload-mib', 1024);
const seconds = number('--seconds', 5);
const CALLS = ['read', 'write', 'writev', 'recvfrom', 'sendmsg', 'epoll_ctl', 'epoll_pwait', 'futex'];
// Also counted: page faults (a fresh buffer per read that the allocator keeps giving back to
// the kernel would show here).
const EVENTS = [...CALLS.map((call) => `syscalls:sys_enter_${call}`), 'page-faults'];

/** Runs `load` while perf counts `pid`'s system calls; returns { calls: { name: count }, cpuMicros, result }. */
async function counted(pid, load) {
  const out = join(tmpdir(), `devtls-syscalls-${pid}-${Date.now()}.txt`);
  const perf = spawn('perf', ['stat', '-e', EVENTS.join(','), '-p', String(pid), '-o', out], { stdio: 'ignore' });
  await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  const cpu0 = treeCpuMicros([pid]);
  const result = await load();
  const cpuMicros = treeCpuMicros([pid]) - cpu0;
  perf.kill('SIGINT');
  await new Promise((resolveExit) => perf.once('exit', resolveExit));
  const calls = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const match = /^\s*([\d,]+)\s+(?:syscalls:sys_enter_)?([\w-]+)/.exec(line);
    if (match !== null) calls[match[2]] = Number(match[1].replace(/,/g, ''));
  }
  rmSync(out, { force: true });
  if (Object.keys(calls).length === 0) throw new Error('perf counted nothing: is perf installed, and may this user trace system calls?');
  return { calls, cpuMicros, result };
}

function perMiB(calls, mib) {
  return [...CALLS, 'page-faults'].filter((call) => (calls[call] ?? 0) > 0).map((call) => `${call} ${(calls[call] / mib).toFixed(1)}`).join(', ');
}

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-syscalls-'));
const ctx = { dir, caDir: join(dir, 'ca'), certPath: join(dir, 'leaf', `${HOST}.pem`), keyPath: join(dir, 'leaf', `${HOST}-key.pem`) };
try {
  const cert = await run('devtls cert', process.execPath, [cli, 'cert', HOST, '--ca-dir', ctx.caDir, '--out', join(dir, 'leaf')]);
  if (cert.code !== 0) throw new Error(cert.output);
  ctx.backend = await startBackend(dir);
  const file = join(dir, 'upload.bin');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, uploadMiB * 1048576);
  closeSync(fd);
  const devtls = await startDevtls(ctx, { cli, upArgs: ['--quiet'], config: devtlsConfig(ctx) });
  const caddy = await startCaddy(ctx);
  const proxies = [
    { name: 'devtls (the instance)', port: devtls.port, pid: devtls.pids().find((pid) => pid !== devtls.proc.pid) },
    { name: 'Caddy', port: caddy.port, pid: caddy.proc.pid },
  ];
  const upload = async (port) => {
    const curl = await run('curl upload', 'curl', ['-sk', '--http1.1', '-X', 'POST', '-T', file, '-H', 'Expect:', '-w', '\n%{http_code} %{time_total}\n', `https://${HOST}:${port}/upload`], { core: LOAD_CORE, timeoutMs: 600_000 });
    const [status, total] = (curl.output.trim().split('\n').at(-1) ?? '').split(' ');
    if (curl.code !== 0 || status !== '200') throw new Error(`upload failed: ${curl.output.slice(-500)}`);
    return Number(total);
  };
  console.log(`== ${uploadMiB} MiB upload, HTTP/1.1 (after one warm-up upload), per MiB`);
  for (const proxy of proxies) {
    await upload(proxy.port);
    const { calls, cpuMicros, result: secondsTaken } = await counted(proxy.pid, () => upload(proxy.port));
    console.log(`  ${proxy.name}: ${(uploadMiB / secondsTaken).toFixed(0)} MiB/s, ${(cpuMicros / uploadMiB).toFixed(0)} µs CPU; ${perMiB(calls, uploadMiB)}`);
  }
  console.log(`== 1 MiB GETs over 4 HTTP/1.1 connections, ${seconds} s (after 2 s of them), per MiB`);
  for (const proxy of proxies) {
    await wrk(`https://${HOST}:${proxy.port}/1m`, { connections: 4, seconds: 2, latency: false });
    const { calls, cpuMicros, result } = await counted(proxy.pid, () => wrk(`https://${HOST}:${proxy.port}/1m`, { connections: 4, seconds, latency: false }));
    const mib = Math.max(1, result.requests);
    console.log(`  ${proxy.name}: ${(result.bytesPerSec / 1048576).toFixed(0)} MiB/s, ${(cpuMicros / mib).toFixed(0)} µs CPU; ${perMiB(calls, mib)}`);
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
