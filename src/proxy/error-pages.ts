import { abortResponse, type ProxyRequest, type ProxyResponse } from './http-compat.js';

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

/** Answer with an error page: JSON when the client asks for JSON, HTML otherwise. */
export function sendErrorPage(req: ProxyRequest, res: ProxyResponse, page: ErrorPage): void {
  if (res.headersSent) {
    abortResponse(res);
    return;
  }
  const wantsJson = prefersJson(req.headers.accept);
  const body = wantsJson ? JSON.stringify(jsonBody(page)) + '\n' : htmlBody(page);
  res.writeHead(page.status, {
    'content-type': wantsJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-devtls-error': page.title,
  });
  if (req.method === 'HEAD') res.end();
  else res.end(body);
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

function htmlBody(page: ErrorPage): string {
  const links =
    page.links === undefined || page.links.length === 0
      ? ''
      : `<ul>${page.links.map((link) => `<li><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join('')}</ul>`;
  const hint = page.hint === undefined ? '' : `<p class="hint">${escapeHtml(page.hint)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
${page.reloadAfterSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${page.reloadAfterSeconds}">`}
<title>${page.status} ${escapeHtml(page.title)} · devtls</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.hint{background:#f4f4f4;padding:.75rem 1rem;border-radius:6px}small{color:#777}</style></head>
<body><h1>${page.status} · ${escapeHtml(page.title)}</h1><p>${escapeHtml(page.detail)}</p>${hint}${links}
<p><small>devtls</small></p></body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
