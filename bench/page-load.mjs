// A Vite-like page (one entry importing 300 small ES modules) loaded in headless Chromium
// through devtls over HTTP/2, devtls over HTTP/1.1 ("http2": false) and Caddy, in one run,
// and with no proxy at all (the same page as static files from nginx over HTTP/2), to show
// how much of the time any server can change.
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
import { median } from './lib/stats.mjs';

const MODULES = 300;
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');

const INDEX_HTML = '<!doctype html><title>modules</title><script type="module" src="/main.js"></script><body></body>';
const moduleSource = (i) => `export default ${i};\n`;

function mainSource() {
  const imports = Array.from({ length: MODULES }, (_, i) => `import m${i} from './m${i}.js';`).join('\n');
  const sum = Array.from({ length: MODULES }, (_, i) => `m${i}`).join(' + ');
  // Also when the browser asked for its last module and when the last answer ended: how
  // long the browser itself took to send the 300 requests, and how long the answers trailed.
  const span = "(() => { const mods = performance.getEntriesByType('resource').filter((e) => /\\/m\\d+\\.js$/.test(e.name)); return Math.max(...mods.map((e) => e.requestStart)).toFixed(1) + '/' + Math.max(...mods.map((e) => e.responseEnd)).toFixed(1); })()";
  return `${imports}\nconst p = document.createElement('p'); p.id = 'done';\np.textContent = 'sum=' + (${sum}) + ' ms=' + performance.now().toFixed(1) + ' proto=' + performance.getEntriesByType('navigation')[0].nextHopProtocol + ' modules=' + ${span};\ndocument.body.append(p);\n`;
}

/** The dev server: index.html, main.js importing m0…m299.js; nothing cacheable. */
function startDevServer() {
  const headers = { 'cache-control': 'no-store' };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const module = /^\/m(\d+)\.js$/.exec(url);
    if (module !== null) {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      res.end(moduleSource(module[1]));
    } else if (url === '/main.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      res.end(mainSource());
    } else {
      res.writeHead(200, { ...headers, 'content-type': 'text/html' });
      res.end(INDEX_HTML);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * The same page as files, served by one nginx worker over HTTP/2 with no proxying at all.
 * Its stream limit is raised from 128 so the 300 module requests go out at once, as they
 * do to devtls (256) and Caddy (250).
 */
async function startStaticNginx(dir, leafDir) {
  const site = join(dir, 'static-site');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), INDEX_HTML);
  writeFileSync(join(site, 'main.js'), mainSource());
  for (let i = 0; i < MODULES; i++) writeFileSync(join(site, `m${i}.js`), moduleSource(i));
  execFileSync('chmod', ['-R', 'a+rX', site]); // the worker may run as another user; only these files, never the CA's folder
  const port = await freePort();
  writeFileSync(
    join(site, 'nginx.conf'),
    `worker_processes 1;\ndaemon off;\nuser root;\npid ${site}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 1024; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${site}/tmp-body;\n  types { text/html html; text/javascript js; }\n` +
      `  server {\n    listen 127.0.0.1:${port} ssl http2;\n    ssl_certificate ${join(leafDir, 'localhost.pem')};\n    ssl_certificate_key ${join(leafDir, 'localhost-key.pem')};\n` +
      `    http2_max_concurrent_streams 512;\n    root ${site};\n    add_header cache-control no-store;\n  }\n}\n`,
  );
  const proc = start('nginx static', 'nginx', ['-p', site, '-c', join(site, 'nginx.conf')], { core: PROXY_CORE });
  await waitForPort(port, { proc });
  return { proc, port };
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
    const staticNginx = await startStaticNginx(dir, leafDir);
    started.push(staticNginx.proc);
    proxies.push({ name: 'no proxy: nginx, static files (HTTP/2)', port: staticNginx.port, floor: true });

    // One NSS database trusting only the bench CA, as Chromium reads it from $HOME.
    const home = join(dir, 'browser-home');
    const nssdb = join(home, '.pki', 'nssdb');
    mkdirSync(nssdb, { recursive: true });
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'devtls-bench', '-i', join(caDir, 'rootCA.pem')]);

    const results = [];
    for (const proxy of proxies) {
      const samples = [];
      const lastAsked = [];
      const lastAnswered = [];
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
        const match = /sum=(\d+) ms=([\d.]+) proto=([\w/.]+) modules=([\d.]+)\/([\d.]+)/.exec(out.output);
        if (match === null || Number(match[1]) !== (MODULES * (MODULES - 1)) / 2) throw new Error(`${proxy.name}: the page did not load completely:\n${out.output.slice(-2000)}`);
        protocol = match[3];
        if (i > 0) {
          // The first load warms the proxy and the dev server.
          samples.push(Number(match[2]));
          lastAsked.push(Number(match[4]));
          lastAnswered.push(Number(match[5]));
        }
        rmSync(profile, { recursive: true, force: true });
      }
      const medianMs = median(samples);
      results.push({ name: proxy.name, floor: proxy.floor === true, protocol, medianMs, samples, lastAskedMs: median(lastAsked), lastAnsweredMs: median(lastAnswered) });
      log(`${proxy.name}: ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${medianMs.toFixed(0)}, page protocol ${protocol}; last module asked for at ${median(lastAsked).toFixed(0)}, answered by ${median(lastAnswered).toFixed(0)})`);
    }
    const caddyResult = results.find((r) => r.name.startsWith('Caddy'));
    const floor = results.find((r) => r.floor);
    log(`\n| proxy | page protocol | load time of the 300-module page, median ms | × Caddy | last module asked for / answered, ms | goal (devtls over HTTP/2) | met |\n|---|---|---:|---:|---:|---|---|`);
    for (const r of results) {
      const ratio = r.medianMs / caddyResult.medianMs;
      const judged = r.name.startsWith('devtls') && r.protocol === 'h2';
      log(`| ${r.name} | ${r.protocol} | ${r.medianMs.toFixed(0)} | ${ratio.toFixed(2)}× | ${r.lastAskedMs.toFixed(0)} / ${r.lastAnsweredMs.toFixed(0)} | ${judged ? '≤ 0.8× Caddy' : ''} | ${judged ? (ratio <= 0.8 ? 'yes' : '**no**') : ''} |`);
    }
    // What a proxy can change at all: its time above a server with nothing behind it.
    if (floor !== undefined) log(`\nWith no proxy at all (nginx serving the files) the page takes ${floor.medianMs.toFixed(0)} ms, ${(floor.medianMs / caddyResult.medianMs).toFixed(2)}× Caddy's time.`);
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
