/**
 * Every bad input gives one ConfigError at an exact line:column. In each fixture, "▸" marks the
 * spot the error must point at; it is removed before parsing.
 */
import test from 'ava';
import { parseConfig } from '../../dist/config/parse-config.js';
import { ConfigError } from '../../dist/config/config-error.js';
import { UserError } from '../../dist/errors.js';
import { invocation } from '../../dist/invocation.js';

const FILE = 'proxy.config.json';
const MARK = '▸';

interface Case {
  name: string;
  text: string;
  /** Words the message must contain (case-insensitive). */
  words: string[];
}

/** A file whose only route is `{ ▸… }` so the route body is on line 3. */
const route = (body: string) => `{\n  "routes": [\n    { ${body} }\n  ]\n}\n`;
const top = (body: string) => `{\n  ${body}\n}\n`;

const cases: Case[] = [
  // --- JSON syntax ---
  { name: 'empty file', text: `${MARK}`, words: ['empty', 'found nothing'] },
  { name: 'only whitespace', text: `${MARK}  \n\n  `, words: ['empty', 'whitespace'] },
  { name: 'trailing comma in a list', text: `{\n  "routes": [\n    { "host": "app.localhost", "target": 8080 }${MARK},\n  ]\n}`, words: ['trailing comma', 'found ","'] },
  { name: 'trailing comma in an object', text: route(`"host": "app.localhost", "target": 8080${MARK}, `), words: ['trailing comma'] },
  { name: 'missing comma', text: `{\n  "routes": [\n    { "host": "app.localhost"\n      ${MARK}"target": 8080 }\n  ]\n}`, words: ['missing comma', 'found "target"', 'expected a ","'] },
  { name: 'unterminated string', text: `{\n  "routes": [\n    { "host": ${MARK}"app.localhost }\n  ]\n}`, words: ['unterminated string', 'found "app.localhost }'] },
  { name: 'line comment', text: `{\n  ${MARK}// my routes\n  "routes": []\n}`, words: ['comments are not allowed in JSON', 'found // my routes'] },
  { name: 'block comment', text: route(`"host": "app.localhost", ${MARK}/* dev */ "target": 8080`), words: ['comments are not allowed'] },
  { name: 'unterminated block comment', text: `{ ${MARK}/* routes`, words: ['comments are not allowed'] },
  { name: 'single quotes', text: route(`"host": ${MARK}'app.localhost', "target": 8080`), words: ['double quotes', "found 'app.localhost'"] },
  { name: 'unquoted key', text: route(`${MARK}host: "app.localhost", "target": 8080`), words: ['double quotes', 'found host', 'expected "host"'] },
  { name: 'file ends early', text: `{\n  "routes": [\n    { "host": "app.localhost", "target": 8080 }\n${MARK}`, words: ['ends too early', 'found the end of the file', '"]"'] },
  { name: 'text after the end', text: `{ "routes": [{ "host": "app.localhost", "target": 8080 }] }\n${MARK}}`, words: ['after the end', 'found "}"'] },
  { name: 'invalid escape', text: route(`"host": "app${MARK}\\x.localhost", "target": 8080`), words: ['invalid escape', 'found "\\x"'] },
  { name: 'invalid unicode escape', text: route(`"host": "app${MARK}\\u12.localhost", "target": 8080`), words: ['invalid escape', '\\u'] },
  { name: 'raw NUL byte in a string', text: route(`"host": "app${MARK}\u0000.localhost", "target": 8080`), words: ['control character', 'U+0000'] },
  { name: 'raw tab in a string', text: route(`"host": "app${MARK}\t.localhost", "target": 8080`), words: ['control character', 'U+0009', '\\t'] },
  { name: 'NUL byte outside strings', text: `{ ${MARK}\u0000 "routes": [] }`, words: ['unexpected character', '\\u0000'] },
  { name: 'mismatched bracket', text: `{\n  "routes": [\n    { "host": "app.localhost", "target": 8080 }\n  ${MARK}}\n}`, words: ['mismatched bracket', 'found "}"', '"]"'] },
  { name: 'missing colon', text: route(`"host" ${MARK}"app.localhost", "target": 8080`), words: ['missing ":"'] },
  { name: 'NaN literal', text: route(`"host": "app.localhost", "target": ${MARK}NaN`), words: ['NaN is not a JSON value'] },
  { name: 'two commas', text: route(`"host": "app.localhost",${MARK}, "target": 8080`), words: ['two commas'] },
  { name: 'incomplete number', text: route(`"host": "app.localhost", "target": ${MARK}80.`), words: ['incomplete number'] },
  { name: 'nesting deeper than 64', text: `{ "routes": ${'['.repeat(63)}${MARK}[[[ ${']'.repeat(67)} }`, words: ['nested too deeply', 'level 65'] },
  { name: 'no-break space between tokens', text: `{${MARK}\u00a0"routes": [] }`, words: ['invisible character', '\\u00a0'] },

  // --- structure ---
  { name: 'top level is a list', text: `${MARK}[{ "host": "app.localhost", "target": 8080 }]`, words: ['top level must be an object', 'found a list', 'expected { "routes"'] },
  { name: 'top level is a string', text: `  ${MARK}"routes"`, words: ['top level must be an object', 'found a string "routes"'] },
  { name: 'routes missing', text: `${MARK}{ "httpsPort": 8443 }`, words: ['no "routes"', 'found an object'] },
  { name: 'routes not a list', text: top(`"routes": ${MARK}{ "host": "app.localhost", "target": 8080 }`), words: ['"routes" must be a list', 'found an object'] },
  { name: 'routes empty', text: top(`"routes": ${MARK}[]`), words: ['"routes" is empty', 'found []', 'at least one route'] },
  { name: 'route is a string', text: top(`"routes": [${MARK}"app.localhost"]`), words: ['must be an object', 'found a string "app.localhost"'] },
  { name: 'route is null', text: top(`"routes": [{ "host": "a.localhost", "target": 1 }, ${MARK}null]`), words: ['must be an object', 'found null'] },
  { name: 'unknown route key with suggestion', text: route(`"host": "app.localhost", ${MARK}"tagret": 8080`), words: ['unknown key "tagret"', 'did you mean "target"?', 'found "tagret"', 'expected one of'] },
  { name: 'unknown route key, case typo', text: route(`"host": "app.localhost", "target": 8080, ${MARK}"ChangeOrigin": true`), words: ['did you mean "changeOrigin"?'] },
  { name: 'unknown route key without suggestion', text: route(`"host": "app.localhost", "target": 8080, ${MARK}"websocket": true`), words: ['unknown key "websocket"', 'expected one of "host"'] },
  { name: 'unknown top-level key', text: top(`${MARK}"rotes": [{ "host": "app.localhost", "target": 8080 }]`), words: ['unknown key "rotes"', 'did you mean "routes"?'] },
  { name: 'unknown timeouts key', text: `{ "timeouts": { ${MARK}"conect": 1000 }, "routes": [{ "host": "a.localhost", "target": 1 }] }`, words: ['did you mean "connect"?'] },
  { name: 'duplicate top-level key', text: `{\n  "routes": [{ "host": "a.localhost", "target": 1 }],\n  ${MARK}"routes": [{ "host": "b.localhost", "target": 2 }]\n}`, words: ['duplicate key "routes"', 'first is at line 2'] },
  { name: 'duplicate key in a route', text: route(`"host": "app.localhost", "target": 8080, ${MARK}"target": 8081`), words: ['duplicate key "target"', 'route 1'] },
  { name: 'route without host', text: `{ "routes": [\n  ${MARK}{ "target": 8080 }\n] }`, words: ['route 1 has no "host"'] },
  { name: 'route without target', text: `{ "routes": [\n  { "host": "a.localhost", "target": 1 },\n  ${MARK}{ "host": "b.localhost" }\n] }`, words: ['route 2 has no "target"'] },

  // --- host ---
  { name: 'host is a number', text: route(`"host": ${MARK}8080, "target": 8080`), words: ['"host" must be a string', 'found a number 8080'] },
  { name: 'host empty', text: route(`"host": ${MARK}"", "target": 8080`), words: ['"host" is empty', 'found ""'] },
  { name: 'host uppercase', text: route(`"host": ${MARK}"App.Localhost", "target": 8080`), words: ['must be lowercase', 'found "App.Localhost"', 'expected "app.localhost"'] },
  { name: 'host with scheme', text: route(`"host": ${MARK}"https://app.localhost", "target": 8080`), words: ['without "https://"', 'expected "app.localhost"'] },
  { name: 'host with port', text: route(`"host": ${MARK}"app.localhost:3000", "target": 8080`), words: ['cannot contain a port', 'expected "app.localhost"'] },
  { name: 'host with path', text: route(`"host": ${MARK}"app.localhost/api", "target": 8080`), words: ['cannot contain a path', 'expected "app.localhost"'] },
  { name: 'star not a whole label', text: route(`"host": ${MARK}"*app.localhost", "target": 8080`), words: ['"*" may only be the whole first label'] },
  { name: 'star in the middle', text: route(`"host": ${MARK}"app.*.localhost", "target": 8080`), words: ['"*" may only be the whole first label'] },
  { name: 'star alone', text: route(`"host": ${MARK}"*", "target": 8080`), words: ['wildcard host needs a name'] },
  { name: 'underscore', text: route(`"host": ${MARK}"my_app.localhost", "target": 8080`), words: ['contains "_"', 'letters a-z'] },
  { name: 'space inside', text: route(`"host": ${MARK}"my app.localhost", "target": 8080`), words: ['contains spaces'] },
  { name: 'label longer than 63', text: route(`"host": ${MARK}"${'a'.repeat(64)}.localhost", "target": 8080`), words: ['longer than 63'] },
  { name: 'empty label', text: route(`"host": ${MARK}"app..localhost", "target": 8080`), words: ['empty label', 'expected "app.localhost"'] },
  { name: 'label starting with -', text: route(`"host": ${MARK}"-app.localhost", "target": 8080`), words: ['cannot start or end with "-"'] },
  { name: 'IPv4 host', text: route(`"host": ${MARK}"127.0.0.1", "target": 8080`), words: ['not an IP address'] },
  { name: 'IPv6 host', text: route(`"host": ${MARK}"[::1]", "target": 8080`), words: ['not an IP address'] },
  { name: 'IDN host', text: route(`"host": ${MARK}"bücher.localhost", "target": 8080`), words: ['ASCII', 'punycode', '"xn--bcher-kva.localhost"'] },
  { name: 'trailing dot', text: route(`"host": ${MARK}"app.localhost.", "target": 8080`), words: ['cannot end with "."', 'expected "app.localhost"'] },
  { name: 'numeric last label', text: route(`"host": ${MARK}"app.123", "target": 8080`), words: ['all digits'] },
  { name: 'escaped NUL in host', text: route(`"host": ${MARK}"app\\u0000.localhost", "target": 8080`), words: ['not allowed in a host name', '\\u0000'] },

  // --- path ---
  { name: 'path without leading slash', text: route(`"host": "app.localhost", "path": ${MARK}"api", "target": 8080`), words: ['must start with "/"', 'expected "/api"'] },
  { name: 'path with query', text: route(`"host": "app.localhost", "path": ${MARK}"/api?x=1", "target": 8080`), words: ['cannot contain "?"', 'expected "/api"'] },
  { name: 'path with fragment', text: route(`"host": "app.localhost", "path": ${MARK}"/docs#top", "target": 8080`), words: ['cannot contain "#"'] },
  { name: 'path with //', text: route(`"host": "app.localhost", "path": ${MARK}"/api//v1", "target": 8080`), words: ['empty segment', 'expected "/api/v1"'] },
  { name: 'path with ..', text: route(`"host": "app.localhost", "path": ${MARK}"/api/../v1", "target": 8080`), words: ['"." or ".."'] },
  { name: 'path with a space', text: route(`"host": "app.localhost", "path": ${MARK}"/my docs", "target": 8080`), words: ['percent-encode', 'expected "/my%20docs"'] },
  { name: 'path is a number', text: route(`"host": "app.localhost", "path": ${MARK}1, "target": 8080`), words: ['"path" must be a string'] },

  // --- target ---
  { name: 'the example from the contract', text: `{\n  "routes": [\n    { "host": "app.localhost", "target": 8080 },\n    { "host": "app.localhost", "path": "/x", "target": ${MARK}"abc" }\n  ]\n}`, words: ['"target" must be a port or an http URL: found "abc", expected a port like 8080 or a URL like "http://127.0.0.1:8080"'] },
  { name: 'port 0', text: route(`"host": "app.localhost", "target": ${MARK}0`), words: ['out of range', 'found 0', '1 to 65535'] },
  { name: 'port too big', text: route(`"host": "app.localhost", "target": ${MARK}65536`), words: ['out of range', 'found 65536'] },
  { name: 'negative port', text: route(`"host": "app.localhost", "target": ${MARK}-80`), words: ['out of range'] },
  { name: 'fractional port', text: route(`"host": "app.localhost", "target": ${MARK}80.5`), words: ['whole number', 'found 80.5'] },
  { name: 'huge number', text: route(`"host": "app.localhost", "target": ${MARK}1e400`), words: ['out of range', 'found 1e400'] },
  { name: 'port as string digits', text: route(`"host": "app.localhost", "target": ${MARK}"8080"`), words: ['written as a string', 'found "8080"', 'expected 8080', 'without the quotes'] },
  { name: 'host:port without scheme', text: route(`"host": "app.localhost", "target": ${MARK}"localhost:3000"`), words: ['port or an http URL', 'expected "http://localhost:3000"'] },
  { name: 'https target', text: route(`"host": "app.localhost", "target": ${MARK}"https://127.0.0.1:8443"`), words: ['https targets are not supported yet', 'expected "http://127.0.0.1:8443"'] },
  { name: 'ws target', text: route(`"host": "app.localhost", "target": ${MARK}"ws://127.0.0.1:8080"`), words: ['must use http://'] },
  { name: 'ftp target', text: route(`"host": "app.localhost", "target": ${MARK}"ftp://files.localhost"`), words: ['must be an http:// URL'] },
  { name: 'URL with credentials', text: route(`"host": "app.localhost", "target": ${MARK}"http://me:pw@127.0.0.1:8080"`), words: ['user name or password', 'expected "http://127.0.0.1:8080"'] },
  { name: 'URL with query', text: route(`"host": "app.localhost", "target": ${MARK}"http://127.0.0.1:8080/?debug=1"`), words: ['query string or fragment'] },
  { name: 'URL with fragment', text: route(`"host": "app.localhost", "target": ${MARK}"http://127.0.0.1:8080/#x"`), words: ['query string or fragment'] },
  { name: 'URL port out of range', text: route(`"host": "app.localhost", "target": ${MARK}"http://127.0.0.1:99999"`), words: ['port is out of range'] },
  { name: 'URL that does not parse', text: route(`"host": "app.localhost", "target": ${MARK}"http://exa mple:80"`), words: ['not a valid URL'] },
  { name: 'target is a boolean', text: route(`"host": "app.localhost", "target": ${MARK}true`), words: ['"target" must be a port or an http URL', 'found true'] },
  { name: 'target is null', text: route(`"host": "app.localhost", "target": ${MARK}null`), words: ['found null'] },
  { name: 'target empty string', text: route(`"host": "app.localhost", "target": ${MARK}""`), words: ['"target" is empty'] },

  // --- duplicates ---
  { name: 'duplicate host and path', text: `{\n  "routes": [\n    { "host": "app.localhost", "path": "/api", "target": 1 },\n    { "host": "app.localhost", "target": 2 },\n    { "host": ${MARK}"app.localhost", "path": "/api/", "target": 3 }\n  ]\n}`, words: ['duplicate route', 'already defined on line 3', '"/api"'] },
  { name: 'duplicate host with default path', text: `{ "routes": [\n  { "host": "app.localhost", "target": 1 },\n  { "host": ${MARK}"app.localhost", "path": "/", "target": 2 }\n] }`, words: ['duplicate route', 'line 2'] },

  // --- booleans ---
  { name: 'changeOrigin as string', text: route(`"host": "app.localhost", "target": 8080, "changeOrigin": ${MARK}"true"`), words: ['true or false, without quotes', 'expected true'] },
  { name: 'stripPrefix as number', text: route(`"host": "app.localhost", "target": 8080, "stripPrefix": ${MARK}1`), words: ['"stripPrefix" must be true or false', 'found a number 1'] },

  // --- headers ---
  { name: 'headers is a list', text: route(`"host": "app.localhost", "target": 8080, "headers": ${MARK}["x-a: 1"]`), words: ['"headers" must be an object', 'found a list'] },
  { name: 'header name with a space', text: route(`"host": "app.localhost", "target": 8080, "headers": { ${MARK}"x user": "me" }`), words: ['invalid header name', 'found "x user"'] },
  { name: 'hop-by-hop header', text: route(`"host": "app.localhost", "target": 8080, "headers": { ${MARK}"Connection": "close" }`), words: ['"Connection" cannot be set'] },
  { name: 'host header', text: route(`"host": "app.localhost", "target": 8080, "headers": { ${MARK}"host": "x" }`), words: ['"host" cannot be set'] },
  { name: 'transfer-encoding header', text: route(`"host": "app.localhost", "target": 8080, "headers": { ${MARK}"transfer-encoding": "chunked" }`), words: ['cannot be set'] },
  { name: 'header value with CRLF', text: route(`"host": "app.localhost", "target": 8080, "headers": { "x-a": ${MARK}"1\\r\\nx-b: 2" }`), words: ['line break', 'found "1\\r\\nx-b: 2"'] },
  { name: 'header value not a string', text: route(`"host": "app.localhost", "target": 8080, "headers": { "x-a": ${MARK}1 }`), words: ['must be strings', 'expected "1"'] },
  { name: 'header value non-Latin-1', text: route(`"host": "app.localhost", "target": 8080, "headers": { "x-a": ${MARK}"日本" }`), words: ['cannot send'] },
  { name: 'header listed twice ignoring case', text: route(`"host": "app.localhost", "target": 8080, "headers": { "X-User": "a", ${MARK}"x-user": "b" }`), words: ['listed twice'] },
  { name: 'duplicate header key', text: route(`"host": "app.localhost", "target": 8080, "headers": { "x-user": "a", ${MARK}"x-user": "b" }`), words: ['duplicate key "x-user"'] },

  // --- ports and timeouts ---
  { name: 'httpsPort 0', text: top(`"httpsPort": ${MARK}0, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['"httpsPort" is not a valid port', '1 to 65535'] },
  { name: 'httpsPort too big', text: top(`"httpsPort": ${MARK}100000, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['not a valid port'] },
  { name: 'httpsPort as string', text: top(`"httpsPort": ${MARK}"8443", "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['without quotes', 'expected 8443'] },
  { name: 'httpPort true', text: top(`"httpPort": ${MARK}true, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['port number or false', 'found true'] },
  { name: 'httpPort negative', text: top(`"httpPort": ${MARK}-1, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['not a valid port'] },
  { name: 'same http and https port', text: top(`"httpsPort": 8443, "httpPort": ${MARK}8443, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['same port'] },
  { name: 'timeouts not an object', text: top(`"timeouts": ${MARK}5000, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['"timeouts" must be an object'] },
  { name: 'timeout zero', text: top(`"timeouts": { "connect": ${MARK}0 }, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['positive whole number', 'found 0'] },
  { name: 'timeout negative', text: top(`"timeouts": { "response": ${MARK}-5 }, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['"timeouts.response"', 'positive'] },
  { name: 'timeout fractional', text: top(`"timeouts": { "connect": ${MARK}1.5 }, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['whole number of milliseconds'] },
  { name: 'timeout too big for timers', text: top(`"timeouts": { "connect": ${MARK}1e10 }, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['2147483647'] },
  { name: 'timeout as string', text: top(`"timeouts": { "connect": ${MARK}"5000" }, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['without quotes'] },
  { name: '$schema not a string', text: top(`"$schema": ${MARK}1, "routes": [{ "host": "a.localhost", "target": 1 }]`), words: ['"$schema" must be a string'] },
];

/** 1-based line and column of `offset`, counting \r\n, \r and \n as line breaks. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

function prepare(fixture: string): { text: string; line: number; column: number } {
  const at = fixture.indexOf(MARK);
  if (at === -1 || fixture.indexOf(MARK, at + 1) !== -1) throw new Error(`fixture needs exactly one ${MARK}: ${fixture}`);
  const text = fixture.slice(0, at) + fixture.slice(at + MARK.length);
  return { text, ...lineColumn(text, at) };
}

for (const c of cases) {
  test(`error: ${c.name}`, (t) => {
    const { text, line, column } = prepare(c.text);
    const error = t.throws(() => parseConfig(text, FILE), { instanceOf: ConfigError });
    if (error === undefined) return;
    t.true(error instanceof UserError);
    t.is(error.code, 'ECONFIG');
    t.is(error.file, FILE);
    t.is(`${error.line}:${error.column}`, `${line}:${column}`, error.message);
    t.true(error.message.startsWith(`${FILE}:${line}:${column}: `), error.message);
    t.regex(error.message, /: found .+, expected .+/);
    t.false(error.message.includes('\n'), 'one line');
    for (const word of c.words.filter((w) => w !== '')) {
      t.true(error.message.toLowerCase().includes(word.toLowerCase()), `"${word}" not in: ${error.message}`);
    }
  });
}

test('error: literal position of the contract example', (t) => {
  const text = '{\n  "routes": [\n    { "host": "app.localhost", "target": 8080 },\n    { "host": "app.localhost", "target": "abc" }\n  ]\n}\n';
  const error = t.throws(() => parseConfig(text, FILE), { instanceOf: ConfigError });
  t.is(error?.line, 4);
  t.is(error?.column, 42);
  t.is(error?.message, 'proxy.config.json:4:42: "target" must be a port or an http URL: found "abc", expected a port like 8080 or a URL like "http://127.0.0.1:8080"');
});

test('error: a BOM does not shift columns, CRLF counts as one line break', (t) => {
  const text = '\ufeff{\r\n  "routes": [\r\n    { "host": "APP.localhost", "target": 8080 }\r\n  ]\r\n}\r\n';
  const error = t.throws(() => parseConfig(text, FILE), { instanceOf: ConfigError });
  t.is(`${error?.line}:${error?.column}`, '3:15');
});

test('error: the empty file suggests devtls init', (t) => {
  const error = t.throws(() => parseConfig('', FILE), { instanceOf: ConfigError });
  t.is(error?.hint, `run \`${invocation()} init\` to write a starter file`, 'spelt the way this user runs devtls');
});

test('error: unknown key carries the suggestion as a hint too', (t) => {
  const error = t.throws(() => parseConfig('{"routes":[{"host":"a.localhost","tagret":1}]}', FILE), { instanceOf: ConfigError });
  t.is(error?.hint, 'did you mean "target"?');
});

test('error: the file name is used as given', (t) => {
  const error = t.throws(() => parseConfig('[]', '../other dir/my.json'), { instanceOf: ConfigError });
  t.true(error?.message.startsWith('../other dir/my.json:1:1: '));
  t.is(error?.file, '../other dir/my.json');
});
