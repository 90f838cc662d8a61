import { abortResponse, requestAuthority, type ProxyRequest, type ProxyResponse } from './http-compat.js';
import { PAGE_STYLE } from './page-style.js';

/** devtls's own status page, linked from every error page (the name is reserved for it). */
const STATUS_HOST = 'devtls.localhost';

export interface ErrorPage {
  status: number;
  title: string;
  /** One sentence saying what happened. */
  detail: string;
  /** What the developer can do about it. */
  hint?: string;
  /** Links shown under the text, e.g. the configured hosts on a 404. */
  links?: string[];
  /** Reload the page after this many seconds (the dev server is starting or restarting). */
  reloadAfterSeconds?: number;
}

/** Answer with an error page: JSON when the client asks for JSON, HTML otherwise. Returns the body bytes sent. */
export function sendErrorPage(req: ProxyRequest, res: ProxyResponse, page: ErrorPage): number {
  if (res.headersSent) {
    abortResponse(res);
    return 0;
  }
  const wantsJson = prefersJson(req.headers.accept);
  const body = wantsJson ? JSON.stringify(jsonBody(page)) + '\n' : htmlBody(page, statusPageUrl(req));
  res.writeHead(page.status, {
    'content-type': wantsJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-devtls-error': page.title,
  });
  if (req.method === 'HEAD') {
    res.end();
    return 0;
  }
  res.end(body);
  return Buffer.byteLength(body);
}

function jsonBody(page: ErrorPage): Record<string, unknown> {
  return {
    error: page.title,
    status: page.status,
    detail: page.detail,
    ...(page.hint === undefined ? {} : { hint: page.hint }),
    ...(page.links === undefined ? {} : { hosts: page.links }),
  };
}

function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.includes('json') && !accept.includes('text/html');
}

/** The status page on the port this request came to (browsers send the port in Host unless it is 443). */
function statusPageUrl(req: ProxyRequest): string {
  const port = /:(\d+)$/.exec(requestAuthority(req))?.[1];
  return `https://${STATUS_HOST}${port === undefined || port === '443' ? '' : `:${port}`}/`;
}

function htmlBody(page: ErrorPage, statusUrl: string): string {
  const links =
    page.links === undefined || page.links.length === 0
      ? ''
      : `<ul>${page.links.map((link) => `<li><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join('')}</ul>`;
  const hint = page.hint === undefined ? '' : `<p class="hint">${escapeHtml(page.hint)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${page.reloadAfterSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${page.reloadAfterSeconds}">`}
<title>${page.status} ${escapeHtml(page.title)} · devtls</title>
<style>${PAGE_STYLE}</style></head>
<body><header><a class="brand" href="${escapeHtml(statusUrl)}">devtls</a><a href="${escapeHtml(statusUrl)}">status page</a></header>
<main><h1>${page.status} · ${escapeHtml(page.title)}</h1><p>${escapeHtml(page.detail)}</p>${hint}${links}</main></body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
