// How long joining the shared instance takes: a project's connect + hello + register over
// the control socket, until its new host answers 200 through the instance. The instance
// (`devtls serve`) runs on core 0 like every proxy in the bench; the project side runs here.
// Usage: node bench/join.mjs [--rounds 30]. Loopback only; every process stopped by PID.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, start, stopAll } from './lib/processes.mjs';
import { PROXY_CORE } from './lib/proxies.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { ControlConnection } = await import(join(root, 'dist/instance/control-client.js'));
const { PROTOCOL_VERSION } = await import(join(root, 'dist/instance/protocol.js'));
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 30) || 30;

const dir = mkdtempSync(join(tmpdir(), 'devtls-join-'));
const backend = createServer((_req, res) => res.end('ok'));
await new Promise((ok) => backend.listen(0, '127.0.0.1', ok));
const backendPort = backend.address().port;
const httpsPort = await freePort();
const env = { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: join(dir, 'state') };
const serve = start('devtls serve', process.execPath, [join(root, 'dist/cli.js'), 'serve', '--https-port', String(httpsPort), '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', join(dir, 'ca')], { core: PROXY_CORE, env });
try {
  for (let i = 0; i < 200 && !/serving on/.test(serve.output); i++) await sleep(25);
  const ca = readFileSync(join(dir, 'ca', 'rootCA.pem'), 'utf8');
  const socket = join(dir, 'state', 'control.sock');
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const host = `p${round}.localhost`;
    const route = {
      host, wildcard: false, path: '/', changeOrigin: false, stripPrefix: false, rewriteRedirects: true, headers: {},
      target: { origin: `http://127.0.0.1:${backendPort}`, hostname: '127.0.0.1', port: backendPort, basePath: '' },
      timeouts: { connect: 5000, response: 120000 }, source: `bench project ${round}`, definedAt: 'bench',
    };
    const started = performance.now();
    const connection = await ControlConnection.connect(socket);
    await connection.request({ type: 'hello', protocol: PROTOCOL_VERSION, wants: { httpsPort: null, httpPort: null, caDir: join(dir, 'ca') } });
    await connection.request({ type: 'register', source: route.source, pid: process.pid, routes: [route] });
    // A fresh TLS connection each poll, as a browser opening the new host would.
    for (;;) {
      const status = await new Promise((ok) => {
        const req = request({ host: '127.0.0.1', port: httpsPort, servername: host, headers: { host }, ca, agent: new Agent({ keepAlive: false }) }, (res) => {
          res.resume();
          res.on('end', () => ok(res.statusCode));
        });
        req.on('error', () => ok(0));
        req.end();
      });
      if (status === 200) break;
      if (performance.now() - started > 5000) throw new Error(`${host} never answered 200`);
    }
    samples.push(performance.now() - started);
    connection.close();
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`join → first 200 on the new host (new certificate issued, fresh TLS connection), ${rounds} projects: median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${samples.at(-1).toFixed(1)} ms`);
} finally {
  await stopAll();
  backend.close();
  rmSync(dir, { recursive: true, force: true });
}
