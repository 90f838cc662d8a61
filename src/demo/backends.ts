import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../proxy/listen.js';
import { escapeHtml } from '../proxy/error-pages.js';

/** Two tiny dev servers so `npm start` shows devtls working before you point it at your own. */
export async function startDemoBackends(appPort = 8080, apiPort = 8090): Promise<Server[]> {
  const app = createServer(appPage(apiPort));
  const api = createServer(apiHandler(apiPort));
  await listen(app, appPort, '127.0.0.1', 'HTTP');
  try {
    await listen(api, apiPort, '127.0.0.1', 'HTTP');
  } catch (error) {
    app.close();
    throw error;
  }
  return [app, api];
}

function appPage(apiPort: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const forwarded = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']
      .map((name) => `<tr><td>${name}</td><td>${escapeHtml(String(req.headers[name] ?? ''))}</td></tr>`)
      .join('');
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>devtls demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}td{padding:0 1rem 0 0}code{background:#f2f2f2;padding:0 .3rem}</style></head>
<body><h1>Hello over HTTPS</h1>
<p>This page comes from the demo dev server on <code>http://127.0.0.1:8080</code>; devtls decrypted the request and forwarded it.</p>
<table>${forwarded}</table>
<p>Path route <code>/api</code> → <code>:${apiPort}</code>: <span id="api">loading…</span></p>
<script>fetch('/api/time').then(r => r.json()).then(j => { document.getElementById('api').textContent = JSON.stringify(j); });</script>
</body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

function apiHandler(apiPort: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const body = JSON.stringify({ server: `demo api on :${apiPort}`, path: req.url, time: new Date().toISOString() });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}
