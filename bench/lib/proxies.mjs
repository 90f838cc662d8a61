// The backend and the proxies under test, each started on loopback on its own ports.
// Proxies are pinned to core 0; the backend and the load generators share core 1.
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, waitForPort, freePort } from './processes.mjs';
import { waitForFirstOk } from './client.mjs';
import { treePids } from './proc-stats.mjs';

export const PROXY_CORE = 0;
export const BACKEND_CORE = 1;
const here = fileURLToPath(new URL('..', import.meta.url));

/** Host every proxy serves; `localhost` resolves to 127.0.0.1 here (/etc/hosts) and devtls may sign it. */
export const HOST = 'localhost';

/**
 * The upstream: one nginx worker on core 1 answering `ok` (2 bytes) from memory, a 1 MiB
 * file with sendfile, and `new` under /marker/ (for the config-edit measurement). nginx is
 * the cheapest HTTP/1.1 server here, so the backend takes the least CPU from core 1.
 */
export async function startBackend(dir) {
  const prefix = join(dir, 'backend');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(prefix, 0o755);
  writeFileSync(join(prefix, '1m.bin'), Buffer.alloc(1024 * 1024, 97));
  const port = await freePort();
  const wsPort = await freePort();
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${nginxPreamble(prefix)}
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${prefix}/tmp-body;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location = /1m { alias ${prefix}/1m.bin; }
    location /marker/ { return 200 'new'; }
    location / { return 200 'ok'; }
  }
}
`,
  );
  const proc = start('backend nginx', 'nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], { core: BACKEND_CORE });
  await waitForPort(port, { proc });
  const ws = start('ws echo backend', process.execPath, [join(here, 'ws-echo.mjs'), String(wsPort)], { core: BACKEND_CORE });
  await waitForPort(wsPort, { proc: ws });
  // Uploads go to a backend that reads the whole body before it answers (nginx's `return` would answer first).
  const sinkPort = await freePort();
  const sink = start('upload sink backend', process.execPath, [join(here, 'upload-sink.mjs'), String(sinkPort)], { core: BACKEND_CORE });
  await waitForPort(sinkPort, { proc: sink });
  return { port, wsPort, sinkPort, procs: [proc, ws, sink] };
}

/**
 * A Node `http` backend serving the same 1 MiB body (and `ok`), for checking that what a
 * proxy does with large bodies does not depend on nginx's sendfile. Core 1, like nginx.
 */
export async function startNodeBackend(dir) {
  const port = await freePort();
  const proc = start('backend node', process.execPath, [join(here, 'body-server.mjs'), String(port)], { core: BACKEND_CORE });
  await waitForPort(port, { proc });
  return { port, wsPort: port, procs: [proc] };
}

/** The top of every nginx.conf the bench writes: one worker, in the foreground, under `prefix`. */
function nginxPreamble(prefix) {
  return `worker_processes 1;
daemon off;
user root;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 8192; }`;
}

function running(name, proc, port, kind) {
  return {
    name,
    kind,
    port,
    proc,
    pids: () => treePids(proc.pid),
    stop: (signal = 'SIGTERM', graceMs = 3000) => proc.stop(signal, graceMs),
  };
}

/** nginx as a reverse proxy: one worker, upstream keep-alive, HTTP/2 on, WebSocket location. */
export async function startNginx(ctx) {
  const prefix = join(ctx.dir, 'nginx-proxy');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  chmodSync(prefix, 0o755);
  const port = await freePort();
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${nginxPreamble(prefix)}
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp-body;
  proxy_temp_path ${prefix}/tmp-proxy;
  keepalive_requests 10000000;
  upstream backend { server 127.0.0.1:${ctx.backend.port}; keepalive 64; }
  upstream wsbackend { server 127.0.0.1:${ctx.backend.wsPort}; }
  upstream sink { server 127.0.0.1:${ctx.backend.sinkPort ?? ctx.backend.port}; keepalive 8; }
  server {
    listen 127.0.0.1:${port} ssl http2 backlog=4096;
    ssl_certificate ${ctx.certPath};
    ssl_certificate_key ${ctx.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    location /ws {
      proxy_pass http://wsbackend;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $http_host;
      proxy_read_timeout 300s;
    }
    location /upload {
      # Streamed, not buffered to disk first: as devtls and Caddy do.
      client_max_body_size 0;
      proxy_request_buffering off;
      proxy_pass http://sink;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
    }
  }
}
`,
  );
  const proc = start('nginx', 'nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], { core: PROXY_CORE });
  await waitForPort(port, { proc });
  return running('nginx', proc, port, 'reference');
}

/** Caddy 2 reverse_proxy with the same leaf; automatic HTTPS off; admin API off. */
export async function startCaddy(ctx) {
  const prefix = join(ctx.dir, 'caddy');
  mkdirSync(prefix, { recursive: true });
  const port = await freePort();
  const file = join(prefix, 'Caddyfile');
  writeFileSync(
    file,
    `{
  admin off
  auto_https off
  storage file_system ${prefix}/data
}
https://${HOST}:${port} {
  bind 127.0.0.1
  tls ${ctx.certPath} ${ctx.keyPath}
  reverse_proxy /ws* 127.0.0.1:${ctx.backend.wsPort}
  reverse_proxy /upload* 127.0.0.1:${ctx.backend.sinkPort ?? ctx.backend.port}
  reverse_proxy 127.0.0.1:${ctx.backend.port}
}
`,
  );
  const env = { ...process.env, HOME: prefix, XDG_DATA_HOME: join(prefix, 'data'), XDG_CONFIG_HOME: join(prefix, 'config') };
  const proc = start('caddy', 'caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { core: PROXY_CORE, env });
  await waitForPort(port, { proc });
  return running('caddy', proc, port, 'reference');
}

/** https + http-proxy-3 with default options (no keep-alive agent), or with one (`keepAlive`). */
export async function startNaive(ctx, { keepAlive = false } = {}) {
  const port = await freePort();
  const proc = start(
    'naive',
    process.execPath,
    [join(here, 'naive-proxy.mjs'), String(port), ctx.certPath, ctx.keyPath, `http://127.0.0.1:${ctx.backend.port}`, `http://127.0.0.1:${ctx.backend.wsPort}`, ...(keepAlive ? ['keepalive'] : [])],
    { core: PROXY_CORE, cwd: join(here, '..') },
  );
  await waitForPort(port, { proc });
  return running(keepAlive ? 'http-proxy-3 (naive, keep-alive agent)' : 'http-proxy-3 (naive)', proc, port, 'reference');
}

export function devtlsConfig(ctx, extraRoutes = []) {
  return `${JSON.stringify(
    {
      routes: [
        { host: HOST, target: `http://127.0.0.1:${ctx.backend.port}` },
        { host: HOST, path: '/ws', target: `http://127.0.0.1:${ctx.backend.wsPort}` },
        ...(ctx.backend.sinkPort === undefined ? [] : [{ host: HOST, path: '/upload', target: `http://127.0.0.1:${ctx.backend.sinkPort}` }]),
        ...extraRoutes,
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * `devtls up` from a built CLI (`cli` = path to dist/cli.js), with its own config, state
 * and certs folders, the shared temp CA, https on a free port, no http redirect, 127.0.0.1 only.
 * To join an instance another `up` started: its `stateDir` and `port`, and routes of its own
 * (`config`, checked ready at `readyPath`). `env`: more environment, for `up` and the instance it starts.
 */
export async function startDevtls(ctx, { name = 'devtls', cli, nodeArgs = [], caDir = ctx.caDir, watch = false, configDir, upArgs = [], config: configText, stateDir, port: joinPort, readyPath = '/', stdoutFile, env: extraEnv = {} } = {}) {
  const home = configDir ?? join(ctx.dir, `${name.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const config = join(home, 'proxy.config.json');
  writeFileSync(config, configText ?? devtlsConfig(ctx));
  const port = joinPort ?? (await freePort());
  const args = [
    ...nodeArgs,
    cli,
    'up',
    '--config',
    config,
    '--https-port',
    String(port),
    '--http-port',
    '0',
    '--host',
    '127.0.0.1',
    '--ca-dir',
    caDir,
    '--certs-dir',
    join(home, 'certs'),
    ...(watch ? [] : ['--no-watch']),
    ...upArgs,
  ];
  const startedAt = performance.now();
  // `up` starts the shared instance as its child: it inherits the pinned core and the node
  // flags, and is part of the process tree whose CPU is measured. A state folder of its own
  // keeps every build's instance apart.
  const state = stateDir ?? join(home, 'state');
  const env = { ...process.env, NO_COLOR: '1', DEVTLS_STATE_DIR: state, ...extraEnv };
  const proc = start(name, process.execPath, args, { core: PROXY_CORE, cwd: home, env, ...(stdoutFile === undefined ? {} : { stdoutFile }) });
  // The port opens before the project's routes are registered: wait for the route itself.
  await waitForFirstOk(port, startedAt, { proc, path: readyPath });
  return { ...running(name, proc, port, 'devtls'), config, home, startedAt, stateDir: state };
}
