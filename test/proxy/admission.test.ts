import test from 'ava';
import { admit, isRefusal } from '../../dist/proxy/admission.js';
import { RouteTable } from '../../dist/routes/route-table.js';
import { route } from '../helpers/routes.js';

const table = new RouteTable([
  route({ host: 'app.localhost', target: 1 }),
  route({ host: 'api.localhost', path: '/v1', target: 2 }),
  route({ host: '*.preview.localhost', target: 3 }),
]);
const rules = {
  table,
  httpsPort: 8443,
  // As SecureContexts answers: a name's certificate is its own, or its wildcard's.
  certificateKeyFor: (name: string) => table.hostPatternFor(name),
};

interface FakeRequest {
  url: string;
  headers: Record<string, string>;
  rawHeaders: string[];
  httpVersionMajor: number;
  httpVersionMinor: number;
  socket: { servername?: string };
}

/** What admission reads of a request: target, headers, version and the TLS server name. */
function request(url: string, raw: string[], servername?: string, version = '1.1'): Parameters<typeof admit>[0] {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] ??= raw[i + 1] as string;
  const [major, minor] = version.split('.').map(Number);
  const fake: FakeRequest = { url, headers, rawHeaders: raw, httpVersionMajor: major ?? 1, httpVersionMinor: minor ?? 1, socket: servername === undefined ? {} : { servername } };
  return fake as unknown as Parameters<typeof admit>[0];
}

function status(result: ReturnType<typeof admit>): number {
  return isRefusal(result) ? result.status : 200;
}

test('a routed Host and matching SNI are admitted to their route', (t) => {
  const result = admit(request('/x', ['Host', 'app.localhost:8443'], 'app.localhost'), rules);
  t.false(isRefusal(result));
  t.is(isRefusal(result) ? undefined : result.target.port, 1);
});

test('malformed targets and Host headers get 400', (t) => {
  t.is(status(admit(request('http://app.localhost/', ['Host', 'app.localhost']), rules)), 400);
  t.is(status(admit(request('/', []), rules)), 400, 'HTTP/1.1 requires Host');
  t.is(status(admit(request('/', ['Host', 'app.localhost', 'Host', 'evil.localhost']), rules)), 400, 'two Host headers');
  t.is(status(admit(request('/', [], undefined, '1.0'), rules)), 404, 'HTTP/1.0 may omit Host: it just has no route');
});

test('an unknown host gets 404 listing the routed hosts; a path miss lists that host\'s paths', (t) => {
  const unknown = admit(request('/', ['Host', 'nope.localhost']), rules);
  t.true(isRefusal(unknown));
  if (!isRefusal(unknown)) return;
  t.is(unknown.status, 404);
  t.deepEqual(unknown.links, ['https://app.localhost:8443/', 'https://api.localhost:8443/']);
  t.regex(unknown.hint ?? '', /proxy\.config\.json \(wildcard hosts: \*\.preview\.localhost\)/);
  const miss = admit(request('/v2/users', ['Host', 'api.localhost']), rules);
  if (!isRefusal(miss)) return t.fail();
  t.regex(miss.detail, /serves api\.localhost only under \/v1; nothing routes \/v2\/users/);
});

test('a Host the TLS connection was not opened for is misdirected (421); wildcard siblings may share a connection', (t) => {
  t.is(status(admit(request('/', ['Host', 'app.localhost'], 'evil.example'), rules)), 421);
  t.is(status(admit(request('/', ['Host', 'app.localhost'], 'a.preview.localhost'), rules)), 421);
  t.is(status(admit(request('/', ['Host', 'b.preview.localhost'], 'a.preview.localhost'), rules)), 200);
  t.is(status(admit(request('/', ['Host', 'app.localhost']), rules)), 200, 'no SNI (an IP address): Host decides');
});

test('HTTP/1.1 framing: Transfer-Encoding chunked alone is admitted; not ending in chunked 400; a coding before chunked 501; another major version 505', (t) => {
  const host = ['Host', 'app.localhost'];
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', 'chunked']), rules)), 200);
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', ' Chunked ']), rules)), 200);
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', 'xchunked']), rules)), 400);
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', 'chunked, identity']), rules)), 400);
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', 'gzip, chunked']), rules)), 501);
  t.is(status(admit(request('/', [...host, 'Transfer-Encoding', 'identity,chunked']), rules)), 501);
  const refused = admit(request('/', host, undefined, '2.0'), rules);
  t.is(status(refused), 505);
  t.regex(isRefusal(refused) ? refused.detail : '', /HTTP\/2\.0/);
  t.is(status(admit(request('/', host, undefined, '1.0'), rules)), 200);
});
