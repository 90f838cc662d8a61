import test from 'ava';
import { accessJson, accessJsonText, accessLine, accessText, shorten } from '../../dist/cli/access-log.js';
import type { AccessEntry } from '../../dist/instance/protocol.js';

const base: AccessEntry = { time: Date.UTC(2026, 0, 2, 3, 4, 5), method: 'GET', host: 'app.localhost', path: '/', status: 200, bytes: 1234, ms: 7, protocol: 'h2' };

test('a long host and path keep their start and their end', (t) => {
  const text = `app.localhost/src/components/${'deep/'.repeat(20)}Button.tsx?v=1`;
  const short = shorten(text, 48);
  t.is(short.length, 48);
  t.true(short.startsWith('app.localhost/src/'));
  t.true(short.endsWith('Button.tsx?v=1'));
  t.is(shorten('app.localhost/', 48), 'app.localhost/');
});

test('lines keep their columns whatever the method, path and sizes', (t) => {
  const lines = [
    accessLine(base),
    accessLine({ ...base, method: 'OPTIONS', path: `/${'x'.repeat(200)}`, status: 404, bytes: 3 * 1024 * 1024, ms: 65_000, protocol: 'h1' }),
    accessLine({ ...base, method: 'GET', protocol: 'ws', status: 101, websocket: 'open' }),
    accessLine({ ...base, method: 'GET', protocol: 'ws', status: 101, websocket: 'close', ms: 2500 }),
  ];
  const statusColumn = lines.map((line) => line.search(/ (200|404|101) /));
  t.true(statusColumn.every((column) => column === statusColumn[0]), lines.join('\n'));
  t.regex(lines[0] as string, / 200 +7 ms +1\.2 kB h2$/);
  t.regex(lines[1] as string, /OPTIONS app\.localhost\/x+…x+ 404 +1m 5s +3\.0 MB h1$/);
  t.regex(lines[2] as string, /WS +app\.localhost\/ +101 +open +ws$/);
  t.regex(lines[3] as string, /WS +app\.localhost\/ +101 +2\.5 s +1\.2 kB ws closed$/);
});

test('--log json: one object per line, its time in ISO form', (t) => {
  const parsed = JSON.parse(accessJson(base)) as Record<string, unknown>;
  t.deepEqual(parsed, { ...base, time: '2026-01-02T03:04:05.000Z' });
});

test('a batch prints a line per entry, marked when asked, each exactly as accessLine formats it', (t) => {
  // Many distinct paths and hosts, twice over: the pieces formatted once must never be mixed up.
  const entries: AccessEntry[] = [];
  for (let i = 0; i < 3000; i++) entries.push({ ...base, host: `h${i % 70}.localhost`, path: `/p${i % 1500}`, status: 200 + (i % 3) * 100, bytes: i, ms: i % 1200 });
  const lines = accessText(entries).split('\n');
  t.is(lines.pop(), '');
  t.is(lines.length, entries.length);
  entries.forEach((entry, i) => {
    const line = lines[i] as string;
    t.true(line.includes(` ${entry.host}/p${i % 1500} `) && line.includes(` ${entry.status} `), line);
  });
  t.is(accessText(entries.slice(0, 2), 'devtls'), `devtls ${accessLine(entries[0] as AccessEntry)}\ndevtls ${accessLine(entries[1] as AccessEntry)}\n`);
  t.deepEqual(accessJsonText(entries.slice(0, 2)).split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown), entries.slice(0, 2).map((entry) => JSON.parse(accessJson(entry)) as unknown));
});
