/**
 * The status page's HTML, rendered whole on the server (it reads fine before the script
 * runs, and without it); the script then keeps the requests and target states live.
 */
import { escapeHtml } from '../proxy/error-pages.js';
import { hostWithPort, targetUrl } from '../routes/labels.js';
import type { RecentRequest } from './request-history.js';
import type { StatusSnapshot } from './status-json.js';
import type { TargetHealth } from './target-checks.js';
import type { TrustReport } from './trust-states.js';

export function statusPageHtml(snapshot: StatusSnapshot, targets: TargetHealth[], recent: RecentRequest[], trust: TrustReport): string {
  const { instance, projects } = snapshot;
  const health = new Map(targets.map((target) => [target.origin, target]));
  const port = instance.httpsPort;
  const projectSections = projects.length === 0
    ? '<p class="card muted">No project is registered: run <code>devtls up</code> in a project folder.</p>'
    : projects.map((project) => `<div class="card"><div class="mono">${escapeHtml(project.source)} <small>pid ${project.pid}</small></div>
<div class="scroll"><table><thead><tr><th>Host</th><th>State</th><th>Target</th><th>Path</th><th>Last checked</th></tr></thead><tbody>
${project.routes.map((route) => {
  const target = health.get(route.target.origin);
  const link = route.wildcard ? escapeHtml(route.host) : `<a href="https://${escapeHtml(hostWithPort(route.host, port, 443))}${escapeHtml(route.path)}">${escapeHtml(route.host)}</a>`;
  return `<tr data-origin="${escapeHtml(route.target.origin)}"><td>${link}</td><td><span class="state ${stateClass(target)}">${escapeHtml(target?.state ?? 'unknown')}</span></td><td class="mono">${escapeHtml(targetUrl(route.target))}</td><td class="mono">${escapeHtml(route.path)}</td><td class="checked muted">${checked(target)}</td></tr>`;
}).join('\n')}
</tbody></table></div></div>`).join('\n');
  const rows = [...recent].reverse().map((r) => `<tr data-host="${escapeHtml(r.host)}" data-status="${r.status}"><td>${clock(r.time)}</td><td>${r.protocol === 'ws' ? 'WS' : escapeHtml(r.method)}</td><td class="s${String(r.status)[0]}">${r.status}${r.websocket === undefined ? '' : ` ${r.websocket}`}</td><td class="path mono" title="${escapeHtml(r.host + r.path)}">${escapeHtml(r.host + r.path)}</td><td>${r.websocket === 'open' ? '' : `${r.ms} ms`}</td><td>${r.websocket === 'open' ? '' : size(r.bytes)}</td><td>${r.protocol}</td></tr>`).join('\n');
  const certificates = snapshot.certificates.map((leaf) => `<tr><td class="mono">${escapeHtml(leaf.names.join(', '))}</td><td>${leaf.notAfter.toISOString().slice(0, 10)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>devtls status</title><link rel="stylesheet" href="/status.css"><script src="/status.js" defer></script></head>
<body><header><a class="brand" href="/">devtls</a><span class="muted">version ${escapeHtml(instance.version)} · pid ${instance.pid} · up <span id="uptime" data-started="${instance.startedAt}">${uptime(Date.now() - instance.startedAt)}</span></span></header>
<main>
<h2>Projects and routes</h2>
${projectSections}
<h2>Requests <small id="live" class="state unknown">loading…</small></h2>
<div class="filters"><input id="filter-host" type="search" placeholder="Filter by host" aria-label="Filter by host">
<select id="filter-status" aria-label="Filter by status"><option value="">Any status</option><option value="2">2xx</option><option value="3">3xx</option><option value="4">4xx</option><option value="5">5xx</option><option value="errors">Errors (4xx, 5xx)</option></select></div>
<div class="scroll"><table><thead><tr><th>Time</th><th>Method</th><th>Status</th><th>Host and path</th><th>Time taken</th><th>Size</th><th>Protocol</th></tr></thead>
<tbody id="requests">${rows}</tbody></table></div>
<h2>Instance</h2>
<div class="card"><dl>
<dt>HTTPS</dt><dd class="mono">${escapeHtml(instance.addresses.join(', '))}</dd>
<dt>HTTP</dt><dd>${instance.httpPort === false ? 'off' : `:${instance.httpPort} redirects to https`}</dd>
<dt>CA</dt><dd class="mono">${escapeHtml(instance.caDir)}</dd>
<dt>CA SHA-256</dt><dd class="mono">${escapeHtml(snapshot.ca.fingerprintSha256)}</dd>
<dt>CA expires</dt><dd>${snapshot.ca.notAfter.toISOString().slice(0, 10)}</dd>
<dt>Trusted by</dt><dd>${trustList(trust)}</dd>
</dl></div>
<h2>Certificates issued</h2>
<div class="scroll"><table><thead><tr><th>Names</th><th>Expires</th></tr></thead><tbody>${certificates}</tbody></table></div>
<p><small>Read-only. As JSON: <a href="/api/status">/api/status</a>; live: /api/events.</small></p>
</main></body></html>
`;
}

/** Each store: its state, what the check found, and the command that fixes it. */
function trustList(trust: TrustReport): string {
  if (trust.stores.length === 0) return '<span class="muted">not checked yet</span>';
  const items = trust.stores.map((store) => `<li data-store="${escapeHtml(store.store)}"><span class="state ${store.state.replace(' ', '-')}">${escapeHtml(store.state)}</span> ${escapeHtml(store.store)}
<br><small>${escapeHtml(store.detail)}${store.fix === '' ? '' : ` · fix: <code>${escapeHtml(store.fix)}</code>`}</small></li>`);
  return `<ul class="stores" id="trust">${items.join('\n')}</ul><small>checked ${clock(trust.checkedAt)} with a TLS handshake through each store, as <code>devtls doctor</code> does</small>`;
}

function stateClass(target: TargetHealth | undefined): string {
  return (target?.state ?? 'unknown').replace(' ', '-');
}

function checked(target: TargetHealth | undefined): string {
  if (target === undefined || target.checkedAt === 0) return '';
  return `${clock(target.checkedAt)}${target.answerMs === null ? '' : ` · ${target.answerMs} ms`}`;
}

function clock(time: number): string {
  return new Date(time).toTimeString().slice(0, 8);
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
