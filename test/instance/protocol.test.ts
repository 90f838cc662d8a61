import test from 'ava';
import { encode, lineReader, MAX_LINE_BYTES } from '../../dist/instance/protocol.js';

function reader(): { feed: (chunk: Buffer) => void; messages: unknown[]; bad: string[] } {
  const messages: unknown[] = [];
  const bad: string[] = [];
  return { feed: lineReader((message) => messages.push(message), (why) => bad.push(why)), messages, bad };
}

test('messages split anywhere, even inside a character, come out whole and in order', (t) => {
  const sent = [{ type: 'log', level: 'info', line: 'héllo wörld ✓ 🚀' }, { type: 'stopping', reason: 'x'.repeat(70_000) }, { type: 'log', level: 'warn', line: '' }];
  const bytes = Buffer.from(sent.map((message) => encode(message as never)).join(''));
  for (const size of [1, 2, 3, 7, 64 * 1024, bytes.length]) {
    const { feed, messages, bad } = reader();
    for (let at = 0; at < bytes.length; at += size) feed(bytes.subarray(at, at + size));
    t.deepEqual(messages, sent, `chunks of ${size} bytes`);
    t.deepEqual(bad, []);
  }
});

test('empty lines are skipped and a partial line waits for its end', (t) => {
  const { feed, messages } = reader();
  feed(Buffer.from('\n\n{"a":1}\n{"b"'));
  t.deepEqual(messages, [{ a: 1 }]);
  feed(Buffer.from(':2}\n'));
  t.deepEqual(messages, [{ a: 1 }, { b: 2 }]);
});

test('a line that is not JSON ends the stream, and nothing after it is read', (t) => {
  const { feed, messages, bad } = reader();
  feed(Buffer.from('{"a":1}\nnot json\n{"b":2}\n'));
  feed(Buffer.from('{"c":3}\n'));
  t.deepEqual(messages, [{ a: 1 }]);
  t.deepEqual(bad, ['a line that is not JSON']);
});

test('a line over the limit is refused before its end arrives, and once', (t) => {
  const { feed, messages, bad } = reader();
  const piece = Buffer.alloc(1024 * 1024, 0x61);
  for (let i = 0; i < 5; i++) feed(piece);
  feed(Buffer.from('\n{"a":1}\n'));
  t.deepEqual(messages, []);
  t.deepEqual(bad, [`a line over ${MAX_LINE_BYTES} bytes`]);
});

test('a line over the limit within one chunk is refused too', (t) => {
  const { feed, bad } = reader();
  feed(Buffer.concat([Buffer.from('"'), Buffer.alloc(MAX_LINE_BYTES, 0x61), Buffer.from('"\n')]));
  t.deepEqual(bad, [`a line over ${MAX_LINE_BYTES} bytes`]);
});
