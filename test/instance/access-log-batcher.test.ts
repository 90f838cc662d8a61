import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessLogBatcher } from '../../dist/instance/access-log-batcher.js';
import { AccessDecoder } from '../../dist/instance/access-rows.js';
import { lineReader, type RequestsMessage } from '../../dist/instance/protocol.js';
import type { RequestDone } from '../../dist/proxy/request-done.js';

function done(n: number): RequestDone {
  return { route: undefined, host: 'app.localhost', method: 'GET', path: `/${n}`, status: 200, bytes: n, ms: 1, protocol: 'h1' };
}

test('every request reaches its own connection once, in order, in few sends; nothing for a connection that asked for none', async (t) => {
  const sends = new Map<number, number>();
  const paths = new Map<number, string[]>();
  const decoders = new Map([1, 2, 3].map((id) => [id, new AccessDecoder()]));
  const batcher = new AccessLogBatcher((id, messages) => {
    sends.set(id, (sends.get(id) ?? 0) + 1);
    lineReader(
      (message) => {
        for (const entry of decoders.get(id)?.decode(message as RequestsMessage) ?? []) paths.set(id, [...(paths.get(id) ?? []), entry.path]);
      },
      (why) => t.fail(why),
    )(Buffer.from(messages));
  });
  batcher.open(1);
  batcher.open(2);
  t.false(batcher.add(3, done(0)), 'connection 3 asked for no access log');
  // 1,200 requests for each over ~0.6 s, as a busy page would send them.
  const started = performance.now();
  for (let n = 0; n < 1200; n++) {
    t.true(batcher.add(1, done(n)));
    t.true(batcher.add(2, done(n)));
    if (n % 40 === 0) await sleep(20);
  }
  const sending = performance.now() - started;
  await sleep(500);
  const expected = Array.from({ length: 1200 }, (_, n) => `/${n}`);
  t.deepEqual(paths.get(1), expected);
  t.deepEqual(paths.get(2), expected);
  t.false(paths.has(3));
  // Sent at most every 50 ms (the first at once, the last after the loop): however slow this
  // machine, never one send per request.
  t.true((sends.get(1) ?? 0) <= Math.ceil(sending / 50) + 2, `${sends.get(1)} sends in ${Math.round(sending)} ms`);
  batcher.close(2);
  t.false(batcher.add(2, done(0)));
});

test('flush sends what one connection has pending at once, and nothing twice', async (t) => {
  const received: [number, string[]][] = [];
  const decoders = new Map([1, 2].map((id) => [id, new AccessDecoder()]));
  const batcher = new AccessLogBatcher((id, messages) => {
    lineReader(
      (message) => received.push([id, (decoders.get(id)?.decode(message as RequestsMessage) ?? []).map((entry) => entry.path)]),
      (why) => t.fail(why),
    )(Buffer.from(messages));
  });
  batcher.open(1);
  batcher.open(2);
  batcher.flush(1);
  t.deepEqual(received, [], 'nothing pending: nothing sent');
  batcher.add(1, done(1));
  batcher.add(1, done(2));
  batcher.add(2, done(3));
  batcher.flush(1);
  t.deepEqual(received, [[1, ['/1', '/2']]], 'sent in the same tick, only for connection 1');
  batcher.flush(3);
  await sleep(100);
  t.deepEqual(received, [[1, ['/1', '/2']], [2, ['/3']]], 'the timer sends the rest, not connection 1\'s again');
});
