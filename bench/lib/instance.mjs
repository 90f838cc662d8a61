// The shared instance alone (`devtls serve`, no `up` process), with the bench's routes
// registered over its control socket the way a project's `up` would. Core 0, like every proxy.
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, run, start } from './processes.mjs';
import { HOST, PROXY_CORE, startBackend } from './proxies.mjs';
import { h2load, wrk } from './load.mjs';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function getOk(port) {
  return new Promise((ok) => {
    const req = request({ host: '127.0.0.1', port, servername: HOST, headers: { host: HOST }, rejectUnauthorized: false, agent: new Agent({ keepAlive: false }) }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode === 200));
    });
    req.on('error', () => ok(false));
    req.end();
  });
}

/**
 * `cli`: a built dist/cli.js; `flags`: node flags; `env`: extra environment. Routes `/` and `/ws` on HOST to the backend.
 * `accessLog`: the project asks for the access log, as a `devtls up` that prints it (the bench reads and drops it).
 */
export async function startInstance({ name, cli = join(root, 'dist/cli.js'), flags = [], env = {}, caDir, stateDir, backend, accessLog = false }) {
  const { ControlConnection } = await import(join(dirnameOf(cli), 'instance/control-client.js'));
  const { PROTOCOL_VERSION } = await import(join(dirnameOf(cli), 'instance/protocol.js'));
  const port = await freePort();
  const proc = start(name, process.execPath, [...flags, cli, 'serve', '--https-port', String(port), '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', caDir], {
    core: PROXY_CORE,
    env: { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: stateDir, ...env },
  });
  for (let i = 0; i < 400 && !/serving on/.test(proc.output) && proc.alive; i++) await sleep(25);
  const connection = await ControlConnection.connect(join(stateDir, 'control.sock'));
  const route = (path, target) => ({
    host: HOST, wildcard: false, path, changeOrigin: false, stripPrefix: false, rewriteRedirects: true, headers: {},
    target: { origin: `http://127.0.0.1:${target}`, hostname: '127.0.0.1', port: target, basePath: '' },
    timeouts: { connect: 5000, response: 120000 }, source: 'bench', definedAt: 'bench',
  });
  await connection.request({ type: 'hello', protocol: PROTOCOL_VERSION, wants: { httpsPort: null, httpPort: null, caDir } });
  await connection.request({ type: 'register', source: 'bench', pid: process.pid, routes: [route('/', backend.port), route('/ws', backend.wsPort)], accessLog });
  for (let i = 0; i < 500 && !(await getOk(port)); i++) await sleep(10);
  return {
    name,
    proc,
    port,
    pids: () => [proc.pid],
    stop: async () => {
      connection.close();
      await proc.stop();
    },
  };
}

/**
 * The instance alone under the small-GET load the GC benches use, in `dir`: its own leaf
 * certificate, the bench backend, and `load(seconds)` (h2load -c32 -m10, or wrk -c32 with
 * `http1`). Stop `instance` and `backend.procs` when done.
 */
export async function loadedInstance({ dir, name, cli = join(root, 'dist/cli.js'), flags = [], accessLog = false, http1 = false }) {
  const caDir = join(dir, 'ca');
  await run('devtls cert', process.execPath, [cli, 'cert', HOST, '--ca-dir', caDir, '--out', join(dir, 'leaf')]);
  const backend = await startBackend(dir);
  const instance = await startInstance({ name, cli, flags, caDir, stateDir: join(dir, 'state'), backend, accessLog });
  const url = `https://${HOST}:${instance.port}/`;
  const load = (seconds) => (http1 ? wrk(url, { connections: 32, seconds, latency: false }) : h2load(url, ['-t1', '-c', '32', '-m', '10', '-D', String(seconds)]));
  return { instance, backend, load };
}

/** dist/ of a build: tsc's modules sit beside the bundle's cli.js. */
function dirnameOf(cli) {
  return resolve(cli, '..');
}
