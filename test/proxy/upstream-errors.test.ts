import test from 'ava';
import { describeUpstreamError } from '../../dist/proxy/upstream-errors.js';
import { route } from '../helpers/routes.js';

const app = route({ host: 'app.localhost', path: '/api', target: 8090, source: 'web/proxy.config.json' });
const failure = (code: string) => describeUpstreamError(Object.assign(new Error(code), { code }), app);

test('a refused connection is a 502 that names the route, the target and the port', (t) => {
  const { page, logLine } = failure('ECONNREFUSED');
  t.is(page.status, 502);
  t.is(page.detail, 'devtls could not get a response for app.localhost/api from http://127.0.0.1:8090: the target refused the connection.');
  t.is(logLine, '502 app.localhost/api → http://127.0.0.1:8090: refused the connection. Is your dev server running on :8090?');
});

test('timeouts are 504s; the response timeout names the file the route came from', (t) => {
  t.is(failure('UND_ERR_CONNECT_TIMEOUT').page.status, 504);
  const slow = failure('UND_ERR_HEADERS_TIMEOUT');
  t.is(slow.page.status, 504);
  t.regex(slow.page.hint ?? '', /raise "timeouts\.response" in web\/proxy\.config\.json/);
  t.regex(failure('ENOTFOUND').page.hint ?? '', /Check the "target" URL in web\/proxy\.config\.json/);
});

test('resets, malformed answers and anything else each get their own words', (t) => {
  t.regex(failure('ECONNRESET').logLine, /closed the connection before answering/);
  t.regex(failure('HPE_INVALID_CONSTANT').logLine, /sent a malformed HTTP response/);
  t.regex(failure('EWHATEVER').logLine, /failed \(EWHATEVER\)/);
});

test('a dev server that dropped the request and then completed a TLS handshake: it serves HTTPS itself, and the hint says how to stop that', (t) => {
  const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  const { page, logLine } = describeUpstreamError(reset, app, 0, true);
  t.is(page.status, 502);
  t.is(page.detail, 'devtls could not get a response for app.localhost/api from http://127.0.0.1:8090: the target serves HTTPS itself, so it dropped the plain HTTP request devtls sent.');
  t.regex(page.hint ?? '', /^devtls terminates TLS and talks plain HTTP to the dev server: turn off the dev server's own HTTPS on :8090 \(Vite: /);
  t.regex(logLine, /^502 app\.localhost\/api → http:\/\/127\.0\.0\.1:8090: serves HTTPS itself/);
  t.regex(describeUpstreamError(reset, app).logLine, /closed the connection before answering/, 'without the handshake, as before');
});

test('a bare-port target that refused on both loopback addresses says which were tried', (t) => {
  const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED', triedAddresses: ['127.0.0.1', '::1'] });
  t.regex(describeUpstreamError(error, app).page.detail, /refused the connection on 127\.0\.0\.1 and ::1\./);
});

test('a refused connection devtls waited for names the source and port, and the HTML page reloads itself every 2 s', (t) => {
  const run = route({ host: 'shop.localhost', target: 4321, source: 'devtls run -- npm run dev' });
  const { page, logLine } = describeUpstreamError(Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }), run, 5_000);
  t.is(page.status, 502);
  t.is(page.detail, 'devtls could not get a response for shop.localhost from http://127.0.0.1:4321: the target refused the connection for 5 s while devtls waited for devtls run -- npm run dev to listen on :4321.');
  t.is(page.reloadAfterSeconds, 2);
  t.regex(logLine, /refused the connection for 5 s \(waited for devtls run -- npm run dev\)/);
  t.is(failure('ECONNREFUSED').page.reloadAfterSeconds, undefined, 'no reload when devtls did not wait');
});
