import test from 'ava';
import { HISTORY_SIZE, RequestHistory } from '../../dist/status/request-history.js';
import type { RequestDone } from '../../dist/proxy/request-done.js';

function done(n: number): RequestDone {
  return { route: undefined, host: 'app.localhost', method: 'GET', path: `/${n}`, status: 200, bytes: n, ms: 1, protocol: 'h1' };
}

test('keeps the last 200 requests, oldest first', (t) => {
  const history = new RequestHistory();
  for (let n = 0; n < HISTORY_SIZE + 50; n++) history.record(done(n));
  const list = history.list();
  t.is(list.length, HISTORY_SIZE);
  t.is(list[0]?.path, '/50');
  t.is(list.at(-1)?.path, `/${HISTORY_SIZE + 49}`);
  t.is(list[0]?.source, 'devtls', 'an answer of devtls itself');
});

test('subscribers get each tick\'s requests in one batch', async (t) => {
  const history = new RequestHistory();
  const batches: string[][] = [];
  const unsubscribe = history.subscribe((entries) => batches.push(entries.map((entry) => entry.path)));
  history.record(done(1));
  history.record(done(2));
  await new Promise((resolve) => setImmediate(resolve));
  history.record(done(3));
  await new Promise((resolve) => setImmediate(resolve));
  unsubscribe();
  history.record(done(4));
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(batches, [['/1', '/2'], ['/3']]);
});
