#!/usr/bin/env node
// What Node's HTTP/2 compatibility layer (the 'request' event's Http2ServerRequest and
// Http2ServerResponse) costs against answering on the stream ('stream' event, respond/end):
// a bare HTTP/2 server with a fixed 13-byte answer, each API in turn, h2load -c32 -m10.
// Prints req/s and the server's CPU per request. Loopback only; the server on core 0, h2load
// on core 1; every process stopped by PID.
// Usage: node bench/http2-compat-cost.mjs [--rounds 3] [--seconds 4]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { number } from './lib/args.mjs';
import { freePort, start, stopAll, waitForPort } from './lib/processes.mjs';
import { h2load, pinToLoadCore } from './lib/load.mjs';
import { treeCpuMicros } from './lib/proc-stats.mjs';
import { median } from './lib/stats.mjs';

const PROXY_CORE = 0;
const rounds = number('--rounds', 3);
const seconds = number('--seconds', 4);

const SERVER = `
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
const [mode, port, key, cert] = process.argv.slice(2);
const server = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), allowHTTP1: true });
const body = Buffer.from('hello world!\\n');
if (mode === 'compat') server.on('request', (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body); });
else server.on('stream', (stream) => { stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length }); stream.end(body); });
server.listen(Number(port), '127.0.0.1');
`;

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-h2compat-'));
try {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const script = join(dir, 'server.mjs');
  writeFileSync(script, SERVER);
  const results = { compat: [], stream: [] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? ['compat', 'stream'] : ['stream', 'compat']) {
      const port = await freePort();
      const server = start(`h2-${mode}`, process.execPath, [script, mode, String(port), key, cert], { core: PROXY_CORE });
      await waitForPort(port, { proc: server });
      await h2load(`https://127.0.0.1:${port}/`, ['-t1', '-c', '32', '-m', '10', '-D', '1']);
      const cpu0 = treeCpuMicros([server.pid]);
      const load = await h2load(`https://127.0.0.1:${port}/`, ['-t1', '-c', '32', '-m', '10', '-D', String(seconds)]);
      const cpu = treeCpuMicros([server.pid]) - cpu0;
      results[mode].push({ rps: load.rps, cpuUsPerRequest: cpu / Math.max(1, load.done) });
      await server.stop();
      await sleep(100);
    }
  }
  for (const mode of ['compat', 'stream']) {
    const r = results[mode];
    console.log(`${mode === 'compat' ? "'request' (compatibility layer)" : "'stream' (respond/end)     "}: ${median(r.map((x) => x.rps)).toFixed(0)} req/s, ${median(r.map((x) => x.cpuUsPerRequest)).toFixed(1)} µs CPU per request (rounds: ${r.map((x) => `${x.rps.toFixed(0)} req/s ${x.cpuUsPerRequest.toFixed(1)} µs`).join(', ')})`);
  }
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
