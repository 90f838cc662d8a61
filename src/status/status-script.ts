/**
 * The status page's script, served from the page's own origin (the Content-Security-Policy
 * allows nothing else): live requests over server-sent events, filters, target states.
 * It builds rows with textContent only: a path or host from a request is never HTML.
 */
export const STATUS_SCRIPT = `'use strict';
const MAX = 200;
const body = document.getElementById('requests');
const hostFilter = document.getElementById('filter-host');
const statusFilter = document.getElementById('filter-status');
const live = document.getElementById('live');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}
function size(bytes) {
  return bytes < 1024 ? bytes + ' B' : bytes < 1048576 ? (bytes / 1024).toFixed(1) + ' kB' : (bytes / 1048576).toFixed(1) + ' MB';
}
function row(r) {
  const tr = document.createElement('tr');
  tr.dataset.host = r.host;
  tr.dataset.status = String(r.status);
  const time = new Date(r.time);
  const path = cell(r.host + r.path, 'path mono');
  path.title = r.host + r.path;
  tr.append(
    cell(time.toTimeString().slice(0, 8)),
    cell(r.protocol === 'ws' ? 'WS' : r.method),
    cell(String(r.status) + (r.websocket ? ' ' + r.websocket : ''), 's' + String(r.status)[0]),
    path,
    cell(r.websocket === 'open' ? '' : r.ms + ' ms'),
    cell(r.websocket === 'open' ? '' : size(r.bytes)),
    cell(r.protocol),
  );
  show(tr);
  return tr;
}
function show(tr) {
  const host = hostFilter.value.trim().toLowerCase();
  const status = statusFilter.value;
  const code = Number(tr.dataset.status);
  const hostOk = host === '' || tr.dataset.host.includes(host);
  const statusOk = status === '' || (status === 'errors' ? code >= 400 : String(code)[0] === status);
  tr.hidden = !(hostOk && statusOk);
}
function refilter() {
  for (const tr of body.rows) show(tr);
}
hostFilter.addEventListener('input', refilter);
statusFilter.addEventListener('change', refilter);

const events = new EventSource('/api/events');
events.addEventListener('open', () => { live.textContent = 'live'; live.className = 'state up'; });
events.addEventListener('error', () => { live.textContent = 'reconnecting…'; live.className = 'state unknown'; });
events.addEventListener('recent', (e) => {
  body.replaceChildren(...JSON.parse(e.data).reverse().map(row));
});
events.addEventListener('requests', (e) => {
  for (const r of JSON.parse(e.data)) body.prepend(row(r));
  while (body.rows.length > MAX) body.lastElementChild.remove();
});
events.addEventListener('targets', (e) => {
  for (const t of JSON.parse(e.data)) {
    for (const el of document.querySelectorAll('[data-origin]')) {
      if (el.dataset.origin !== t.target) continue;
      const state = el.querySelector('.state');
      state.textContent = t.state;
      state.className = 'state ' + t.state.replace(' ', '-');
      el.querySelector('.checked').textContent = t.checkedAt ? new Date(t.checkedAt).toTimeString().slice(0, 8) + (t.answerMs !== null ? ' · ' + t.answerMs + ' ms' : '') : '';
    }
  }
});

const uptime = document.getElementById('uptime');
const started = Number(uptime.dataset.started);
setInterval(() => {
  const s = Math.floor((Date.now() - started) / 1000);
  uptime.textContent = s < 60 ? s + 's' : s < 3600 ? Math.floor(s / 60) + 'm ' + (s % 60) + 's' : Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
}, 1000);
`;
