import test from 'ava';
import { accessBatches, accessEntries, accessRow, MAX_LOGGED_PATH, MAX_ROWS_PER_MESSAGE } from '../../dist/instance/access-rows.js';
import { encode, MAX_LINE_BYTES } from '../../dist/instance/protocol.js';
import type { RequestDone } from '../../dist/proxy/request-done.js';

function done(path: string, extra: Partial<RequestDone> = {}): RequestDone {
  return { route: undefined, host: 'app.localhost', method: 'GET', path, status: 200, bytes: 1234, ms: 3.4, protocol: 'h2', ...extra };
}

test('an entry travels as an array and comes back as the same entry, the batch time on each', (t) => {
  const rows = [accessRow(done('/a?x=1')), accessRow(done('/live', { protocol: 'ws', status: 101, websocket: 'close', ms: 27_900.2 }))];
  t.deepEqual(rows[0], ['GET', 'app.localhost', '/a?x=1', 200, 1234, 3, 'h2']);
  const wire = JSON.parse(JSON.stringify(rows)) as typeof rows;
  t.deepEqual(accessEntries(wire, 42), [
    { time: 42, method: 'GET', host: 'app.localhost', path: '/a?x=1', status: 200, bytes: 1234, ms: 3, protocol: 'h2' },
    { time: 42, method: 'GET', host: 'app.localhost', path: '/live', status: 101, bytes: 1234, ms: 27_900, protocol: 'ws', websocket: 'close' },
  ]);
});

test('the longest paths in the biggest batches stay far below the control line limit', (t) => {
  const longPath = `/${'a'.repeat(16 * 1024)}`;
  const many = Array.from({ length: MAX_ROWS_PER_MESSAGE * 2 + 1 }, () => done(longPath));
  const batches = accessBatches(many);
  t.deepEqual(batches.map((rows) => rows.length), [MAX_ROWS_PER_MESSAGE, MAX_ROWS_PER_MESSAGE, 1]);
  const cut = batches[0]?.[0]?.[2] as string;
  t.is(cut.length, MAX_LOGGED_PATH);
  t.true(cut.endsWith('…'));
  for (const rows of batches) t.true(Buffer.byteLength(encode({ type: 'requests', time: 1, rows })) < MAX_LINE_BYTES / 2);
});
