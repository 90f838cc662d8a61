import type { Route } from '../routes/route.js';
import type { ErrorPage } from './error-pages.js';
import { routeLabel } from '../routes/labels.js';

/** How often the "dev server not listening" page reloads itself. */
const RELOAD_SECONDS = 2;

export interface UpstreamFailure {
  page: ErrorPage;
  /** One line for the terminal. */
  logLine: string;
}

/**
 * Turn a failure to reach a dev server into a page and a log line a person understands.
 * `waitedMs`: how long devtls kept trying a dev server that refused the connection;
 * `servesTls`: the dev server completed a TLS handshake after it dropped the request
 * (tls-target-probe.ts).
 */
export function describeUpstreamError(error: Error, route: Route, waitedMs = 0, servesTls = false): UpstreamFailure {
  const code = (error as { code?: string }).code ?? '';
  const target = route.target.origin;
  const where = routeLabel(route);
  const portHint = `Is your dev server running on :${route.target.port}?`;
  let status = 502;
  let what: string;
  let hint = portHint;
  if (servesTls) {
    what = 'serves HTTPS itself, so it dropped the plain HTTP request devtls sent';
    hint = `devtls terminates TLS and talks plain HTTP to the dev server: turn off the dev server's own HTTPS on :${route.target.port} (Vite: drop @vitejs/plugin-basic-ssl or server.https; Next.js: drop --experimental-https; webpack-dev-server: drop server: 'https').`;
    return failureOf(status, `devtls could not get a response for ${where} from ${target}: the target ${what}.`, what, where, target, hint);
  }
  switch (code) {
    case 'ECONNREFUSED': {
      const tried = (error as { triedAddresses?: string[] }).triedAddresses;
      what = tried === undefined ? 'refused the connection' : `refused the connection on ${tried.join(' and ')}`;
      if (waitedMs > 0) {
        // The dev server may be starting or restarting: say what devtls waited for, and let the
        // open browser tab recover by itself once it listens.
        const seconds = waitedMs < 1_000 ? `${waitedMs} ms` : `${Math.round(waitedMs / 1000)} s`;
        const detail = `devtls could not get a response for ${where} from ${target}: the target ${what} for ${seconds} while devtls waited for ${route.source} to listen on :${route.target.port}.`;
        return {
          page: { status, title: 'Bad Gateway', detail, hint: `${portHint} This page reloads itself every ${RELOAD_SECONDS} s until it is.`, reloadAfterSeconds: RELOAD_SECONDS },
          logLine: `${status} ${where} → ${target}: ${what} for ${seconds} (waited for ${route.source}). ${portHint}`,
        };
      }
      break;
    }
    case 'UND_ERR_CONNECT_TIMEOUT':
      status = 504;
      what = 'did not accept the connection in time';
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
      status = 504;
      what = 'did not answer in time';
      hint = `The dev server accepted the request but sent no response; raise "timeouts.response" in ${route.source} if it is just slow.`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      what = `has a host name that does not resolve (${route.target.hostname})`;
      hint = `Check the "target" URL in ${route.source}.`;
      break;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      what = 'closed the connection before answering';
      hint = 'The dev server may have crashed or restarted; check its output.';
      break;
    default:
      if (code.startsWith('HPE_') || code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
        what = 'sent a malformed HTTP response';
        hint = 'The dev server answered with something that is not valid HTTP/1.1.';
      } else {
        what = `failed (${code === '' ? error.message : code})`;
      }
  }
  return failureOf(status, `devtls could not get a response for ${where} from ${target}: the target ${what}.`, what, where, target, hint);
}

function failureOf(status: number, detail: string, what: string, where: string, target: string, hint: string): UpstreamFailure {
  return {
    page: { status, title: status === 504 ? 'Gateway Timeout' : 'Bad Gateway', detail, hint },
    logLine: `${status} ${where} → ${target}: ${what}. ${hint}`,
  };
}
