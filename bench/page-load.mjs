// A Vite-like page (one entry importing 300 small ES modules) loaded in headless Chromium
// through devtls over HTTP/2, devtls over HTTP/1.1 ("http2": false) and Caddy, in one run.
// Each load uses a fresh browser profile (cold cache) whose NSS database trusts only the
// bench's own CA. Loopback only; every process is started and stopped by PID.
// Part of `npm run bench` (skip it with --no-page); alone: npm run build && node bench/page-load.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, start, waitForPort, freePort, killAllSync } from './lib/processes.mjs';
import { waitForFirstOk } from './lib/client.mjs';
import { PROXY_CORE } from './lib/proxies.mjs';
import { LOAD_CORE } from './lib/load.mjs';

const MODULES = 300;
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');

/** The dev server: index.html, main.js importing m0…m299.js; nothing cacheable. */
function startDevServer() {
  const headers = { 'cache-control': 'no-store' };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const module = /^\/m(\d+)\.js$/.exec(url);
    if (module !== null) {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      res.end(`export default ${module[1]};\n`);
    } else if (url === '/main.js') {
      const imports = Array.from({ length: MODULES }, (_, i) => `import m${i} from './m${i}.js';`).join('\n');
      const sum = Array.from({ length: MODULES }, (_, i) => `m${i}`).join(' + ');
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      res.end(`${imports}\nconst p = document.createElement('p'); p.id = 'done';\np.textContent = 'sum=' + (${sum}) + ' ms=' + performance.now().toFixed(1) + ' proto=' + performance.getEntriesByType('navigation')[0].nextHopProtocol;\ndocument.body.append(p);\n`);
    } else {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      res.end('<!doctype html><title>modules</title><script type="module" src="/main.js"></script><body></body>');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Load the page through each proxy `runs` times; prints a table and returns the results. */
export async function measurePageLoad({ runs = 7, log = console.log } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'devtls-page-load-'));
  const servers = [];
  const started = [];
  try {
    const caDir = join(dir, 'ca');
    const leafDir = join(dir, 'leaf');
    const made = await run('devtls cert', process.execPath, [cli, 'cert', 'localhost', '127.0.0.1', '--ca-dir', caDir, '--out', leafDir]);
    if (made.code !== 0) throw new Error(made.output);
    const backend = await startDevServer();
    servers.push(backend);
    const backendPort = backend.address().port;

    const proxies = [];
    for (const http2 of [true, false]) {
      const home = join(dir, `devtls-${http2 ? 'h2' : 'h1'}`);
      mkdirSync(home);
      const port = await freePort();
      writeFileSync(join(home, 'proxy.config.json'), JSON.stringify({ routes: [{ host: 'localhost', target: backendPort }], http2 }));
      const proc = start(`devtls ${http2 ? 'h2' : 'h1'}`, process.execPath, [cli, 'up', '--https-port', String(port), '--http-port', '0', '--host', '127.0.0.1', '--ca-dir', caDir, '--no-watch'], { core: PROXY_CORE, cwd: home, env: { ...process.env, DEVTLS_STATE_DIR: join(home, 'state') } });
      started.push(proc);
      await waitForFirstOk(port, performance.now(), { proc }); // the route, not just the port
      proxies.push({ name: `devtls, HTTP/${http2 ? '2' : '1.1'}`, port });
    }
    const caddyPort = await freePort();
    const caddyDir = join(dir, 'caddy');
    mkdirSync(caddyDir);
    writeFileSync(
      join(caddyDir, 'Caddyfile'),
      `{\n  admin off\n  auto_https off\n  storage file_system ${caddyDir}/data\n}\nhttps://localhost:${caddyPort} {\n  bind 127.0.0.1\n  tls ${join(leafDir, 'localhost.pem')} ${join(leafDir, 'localhost-key.pem')}\n  reverse_proxy 127.0.0.1:${backendPort}\n}\n`,
    );
    const caddyEnv = { ...process.env, HOME: caddyDir, XDG_DATA_HOME: join(caddyDir, 'data'), XDG_CONFIG_HOME: join(caddyDir, 'config') };
    const caddy = start('caddy', 'caddy', ['run', '--config', join(caddyDir, 'Caddyfile'), '--adapter', 'caddyfile'], { core: PROXY_CORE, env: caddyEnv });
    started.push(caddy);
    await waitForPort(caddyPort, { proc: caddy });
    proxies.push({ name: 'Caddy (HTTP/2)', port: caddyPort });

    // One NSS database trusting only the bench CA, as Chromium reads it from $HOME.
    const home = join(dir, 'browser-home');
    const nssdb = join(home, '.pki', 'nssdb');
    mkdirSync(nssdb, { recursive: true });
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'devtls-bench', '-i', join(caDir, 'rootCA.pem')]);

    const results = [];
    for (const proxy of proxies) {
      const samples = [];
      let protocol = '';
      for (let i = 0; i < runs + 1; i++) {
        const profile = join(dir, `profile-${proxy.port}-${i}`);
        const out = await run(
          'chromium',
          'chromium',
          [
            '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
            '--dump-dom', `https://localhost:${proxy.port}/`,
          ],
          { core: LOAD_CORE, env: { ...process.env, HOME: home }, timeoutMs: 60_000 },
        );
        const match = /sum=(\d+) ms=([\d.]+) proto=([\w/.]+)/.exec(out.output);
        if (match === null || Number(match[1]) !== (MODULES * (MODULES - 1)) / 2) throw new Error(`${proxy.name}: the page did not load completely:\n${out.output.slice(-2000)}`);
        protocol = match[3];
        if (i > 0) samples.push(Number(match[2])); // the first load warms the proxy and the dev server
        rmSync(profile, { recursive: true, force: true });
      }
      samples.sort((a, b) => a - b);
      results.push({ name: proxy.name, protocol, medianMs: samples[Math.floor(samples.length / 2)], samples });
      log(`${proxy.name}: ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${samples[Math.floor(samples.length / 2)].toFixed(0)}, page protocol ${protocol})`);
    }
    const caddyResult = results.find((r) => r.name.startsWith('Caddy'));
    log(`\n| proxy | page protocol | load time of the 300-module page, median ms | × Caddy | goal (devtls over HTTP/2) | met |\n|---|---|---:|---:|---|---|`);
    for (const r of results) {
      const ratio = r.medianMs / caddyResult.medianMs;
      const judged = r.name.startsWith('devtls') && r.protocol === 'h2';
      log(`| ${r.name} | ${r.protocol} | ${r.medianMs.toFixed(0)} | ${ratio.toFixed(2)}× | ${judged ? '≤ 0.8× Caddy' : ''} | ${judged ? (ratio <= 0.8 ? 'yes' : '**no**') : ''} |`);
    }
    mkdirSync(join(root, '.bench'), { recursive: true });
    writeFileSync(join(root, '.bench', 'page-load.json'), `${JSON.stringify({ date: new Date().toISOString(), modules: MODULES, runs, results }, null, 2)}\n`);
    return results;
  } finally {
    await Promise.all(started.map((proc) => proc.stop()));
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.on('exit', killAllSync);
  const argv = process.argv.slice(2);
  await measurePageLoad({ runs: Number(argv[argv.indexOf('--runs') + 1]) || 7 });
}
