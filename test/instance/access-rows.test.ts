import test from 'ava';
import { AccessDecoder, AccessEncoder, MAX_LOGGED_PATH, MAX_NAMES, MAX_ROWS_PER_MESSAGE } from '../../dist/instance/access-rows.js';
import { lineReader, MAX_LINE_BYTES, type AccessEntry, type RequestsMessage } from '../../dist/instance/protocol.js';
import type { RequestDone } from '../../dist/proxy/request-done.js';

function done(path: string, extra: Partial<RequestDone> = {}): RequestDone {
  return { route: undefined, host: 'app.localhost', method: 'GET', path, status: 200, bytes: 1234, ms: 3.4, protocol: 'h2', ...extra };
}

/** The protocol lines as the `up` side reads them. */
function messagesOf(text: string): RequestsMessage[] {
  const messages: RequestsMessage[] = [];
  lineReader(
    (message) => messages.push(message as RequestsMessage),
    (why) => {
      throw new Error(why);
    },
  )(Buffer.from(text));
  return messages;
}

function roundTrip(encoder: AccessEncoder, decoder: AccessDecoder, time: number): AccessEntry[] {
  return messagesOf(encoder.take(time)).flatMap((message) => decoder.decode(message));
}

test('requests come back as the same entries, in order, the batch time on each', (t) => {
  const encoder = new AccessEncoder();
  encoder.add(done('/a?x=1'));
  encoder.add(done('/live', { protocol: 'ws', status: 101, websocket: 'open', bytes: 0, ms: 2 }));
  encoder.add(done('/a?x=1', { method: 'POST', status: 502, protocol: 'h1' }));
  encoder.add(done('/live', { protocol: 'ws', status: 101, websocket: 'close', ms: 27_900.6 }));
  encoder.add(done('/a?x=1', { host: 'api.localhost', bytes: 3 * 1024 ** 3 }));
  t.true(encoder.pending);
  t.deepEqual(roundTrip(encoder, new AccessDecoder(), 42), [
    { time: 42, method: 'GET', host: 'app.localhost', path: '/a?x=1', status: 200, bytes: 1234, ms: 3, protocol: 'h2' },
    { time: 42, method: 'GET', host: 'app.localhost', path: '/live', status: 101, bytes: 0, ms: 2, protocol: 'ws', websocket: 'open' },
    { time: 42, method: 'POST', host: 'app.localhost', path: '/a?x=1', status: 502, bytes: 1234, ms: 3, protocol: 'h1' },
    { time: 42, method: 'GET', host: 'app.localhost', path: '/live', status: 101, bytes: 1234, ms: 27_901, protocol: 'ws', websocket: 'close' },
    { time: 42, method: 'GET', host: 'api.localhost', path: '/a?x=1', status: 200, bytes: 3 * 1024 ** 3, ms: 3, protocol: 'h2' },
  ]);
  t.false(encoder.pending);
  t.is(encoder.take(43), '', 'nothing new, nothing to send');
});

test('a name is sent once per connection: a repeated request is a few bytes', (t) => {
  const encoder = new AccessEncoder();
  const decoder = new AccessDecoder();
  encoder.add(done('/src/main.ts'));
  const first = encoder.take(1);
  t.true(first.includes('/src/main.ts'));
  t.is(decoder.decode(messagesOf(first)[0] as RequestsMessage)[0]?.path, '/src/main.ts');
  for (let n = 0; n < 100; n++) encoder.add(done('/src/main.ts'));
  const again = encoder.take(2);
  t.false(again.includes('main.ts'));
  t.true(Buffer.byteLength(again) < 100 * 20, `${Buffer.byteLength(again)} bytes for 100 requests`);
  const entries = decoder.decode(messagesOf(again)[0] as RequestsMessage);
  t.is(entries.length, 100);
  t.true(entries.every((entry) => entry.path === '/src/main.ts' && entry.time === 2));
});

test('the longest paths in the biggest batches stay far below the control line limit', (t) => {
  const encoder = new AccessEncoder();
  const longPath = (n: number) => `/${n}${'a'.repeat(16 * 1024)}`;
  for (let n = 0; n < MAX_ROWS_PER_MESSAGE * 2 + 1; n++) encoder.add(done(longPath(n)));
  const text = encoder.take(1);
  const messages = messagesOf(text);
  t.deepEqual(
    messages.map((message) => message.rows.length / 5),
    [MAX_ROWS_PER_MESSAGE, MAX_ROWS_PER_MESSAGE, 1],
  );
  for (const line of text.split('\n').filter(Boolean)) t.true(Buffer.byteLength(line) < MAX_LINE_BYTES / 2);
  const entries = messages.flatMap((message) => new AccessDecoder().decode(message));
  const cut = entries[0]?.path as string;
  t.is(cut.length, MAX_LOGGED_PATH);
  t.true(cut.startsWith('/0aaa') && cut.endsWith('…'));
});

test('when the names are all used both sides start again from 0, and every request still comes back right', (t) => {
  const encoder = new AccessEncoder();
  const decoder = new AccessDecoder();
  const paths = Array.from({ length: MAX_NAMES + 700 }, (_, n) => `/${n}`);
  const seen: string[] = [];
  // Sent in a few batches, with old names used again after the numbering started over.
  for (const [n, path] of paths.entries()) {
    encoder.add(done(path));
    if (n % 1000 === 999) seen.push(...roundTrip(encoder, decoder, n).map((entry) => entry.path));
  }
  for (const path of ['/0', '/1', `/${MAX_NAMES + 699}`]) encoder.add(done(path));
  seen.push(...roundTrip(encoder, decoder, 9).map((entry) => entry.path));
  t.deepEqual(seen, [...paths, '/0', '/1', `/${MAX_NAMES + 699}`]);
});

test('a row that names what was never sent is left out, not printed wrong', (t) => {
  const decoder = new AccessDecoder();
  const entries = decoder.decode({ type: 'requests', time: 1, rows: [7, 200, 10, 1, 0], names: [['GET', 'app.localhost', '/']], namesFrom: 0 });
  t.deepEqual(entries, []);
  const known = decoder.decode({ type: 'requests', time: 1, rows: [0, 200, 10, 1, 0, 0, 200, 10, 1, 99] });
  t.deepEqual(known.map((entry) => entry.path), ['/'], 'the known name kept, the unknown kind left out');
  const beyond = decoder.decode({ type: 'requests', time: 1, rows: [MAX_NAMES, 200, 10, 1, 0], names: [['GET', 'app.localhost', '/far']], namesFrom: MAX_NAMES });
  t.deepEqual(beyond, [], 'no name is kept past the bound both sides keep');
});
