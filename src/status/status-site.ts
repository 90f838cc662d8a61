/**
 * https://devtls.localhost/: the status page and its API, answered by the instance itself.
 * It answers only for that Host (a rebinding page under another name never reaches it),
 * is read-only (anything but GET and HEAD gets 405), sends no CORS headers, and its
 * Content-Security-Policy allows nothing but itself.
 */
import type { TLSSocket } from 'node:tls';
import type { BuiltInSite } from '../proxy/dev-proxy.js';
import type { ProxyRequest, ProxyResponse } from '../proxy/http-compat.js';
import { asHttp1Response } from '../proxy/http-compat.js';
import { PAGE_STYLE } from '../proxy/page-style.js';
import { RESERVED_HOST } from './reserved-host.js';
import type { RequestHistory } from './request-history.js';
import { apiStatusJson, type StatusSnapshot } from './status-json.js';
import { statusPageHtml } from './status-page.js';
import { STATUS_SCRIPT } from './status-script.js';
import type { TargetChecks } from './target-checks.js';
import type { TrustStates } from './trust-states.js';

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** A quiet live stream still says something now and then, so idle proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;

export class StatusSite implements BuiltInSite {
  readonly host = RESERVED_HOST;
  private readonly snapshot: () => StatusSnapshot;
  private readonly history: RequestHistory;
  private readonly checks: TargetChecks;
  private readonly trust: TrustStates;
  private readonly streams = new Set<ProxyResponse>();

  constructor(snapshot: () => StatusSnapshot, history: RequestHistory, checks: TargetChecks, trust: TrustStates) {
    this.snapshot = snapshot;
    this.history = history;
    this.checks = checks;
    this.trust = trust;
  }

  handle(req: ProxyRequest, res: ProxyResponse, host: string): boolean {
    if (host !== RESERVED_HOST) return false;
    // Like a routed host: a connection opened for another name does not reach it.
    const serverName = (req.socket as TLSSocket).servername;
    if (typeof serverName === 'string' && serverName !== '' && serverName !== RESERVED_HOST) return false;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'The devtls status page is read-only: only GET and HEAD.\n', { allow: 'GET, HEAD' });
      return true;
    }
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/':
        void Promise.all([this.checks.fresh(), this.trust.fresh()]).then(([targets, trust]) => send(req, res, 200, 'text/html; charset=utf-8', statusPageHtml(this.snapshot(), targets, this.history.list(), trust)));
        return true;
      case '/status.css':
        send(req, res, 200, 'text/css; charset=utf-8', PAGE_STYLE);
        return true;
      case '/status.js':
        send(req, res, 200, 'text/javascript; charset=utf-8', STATUS_SCRIPT);
        return true;
      case '/api/status':
        void Promise.all([this.checks.fresh(), this.trust.fresh()]).then(([targets, trust]) => send(req, res, 200, 'application/json; charset=utf-8', `${JSON.stringify(apiStatusJson(this.snapshot(), targets, this.history.list(), trust), null, 2)}\n`));
        return true;
      case '/api/events':
        this.stream(req, res);
        return true;
      default:
        send(req, res, 404, 'text/plain; charset=utf-8', `The devtls status page has nothing at ${path}. See https://${RESERVED_HOST}/\n`);
        return true;
    }
  }

  /** End every live stream (the instance is stopping). */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.checks.stop();
  }

  /** Server-sent events: the recent requests once, then each tick's new ones, and target states every few seconds. */
  private stream(req: ProxyRequest, res: ProxyResponse): void {
    asHttp1Response(res).writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // A browser may leave between a check starting and its answer: nothing is written after that.
    const open = (): boolean => !res.writableEnded && !res.destroyed;
    const write = (event: string, data: unknown): void => {
      if (open()) asHttp1Response(res).write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    write('recent', this.history.list());
    const unsubscribe = this.history.subscribe((entries) => write('requests', entries));
    const sendTargets = (): void => write('targets', this.checks.snapshot().map((t) => ({ target: t.origin, state: t.state, checkedAt: t.checkedAt, answerMs: t.answerMs })));
    void this.checks.fresh().then(sendTargets);
    this.streams.add(res);
    this.checks.setWatching(true, () => this.broadcastTargets());
    const heartbeat = setInterval(() => {
      if (open()) asHttp1Response(res).write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    res.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(res);
      this.targetListeners.delete(sendTargets);
      if (this.streams.size === 0) this.checks.setWatching(false);
    });
    this.targetListeners.add(sendTargets);
  }

  private readonly targetListeners = new Set<() => void>();

  private broadcastTargets(): void {
    for (const listener of this.targetListeners) listener();
  }
}

function send(req: ProxyRequest, res: ProxyResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  asHttp1Response(res).writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
