#!/usr/bin/env node
// The access log's own work per request, in a loop, without sockets: the instance encoding
// a batch (access-rows.ts AccessEncoder), and `up` parsing it back and formatting the lines
// (AccessDecoder, access-log.ts). A batch of 1,300 requests (50 ms at 26,000 requests/s),
// half to one path, half to another, as bench/access-log.mjs sends them.
// Usage (after `npm run build`): node bench/access-encoding.mjs [--dist path/to/dist]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { values } from './lib/args.mjs';

const dist = resolve(values('--dist').at(-1) ?? 'dist');
const { AccessEncoder, AccessDecoder } = await import(pathToFileURL(`${dist}/instance/access-rows.js`).href);
const { lineReader } = await import(pathToFileURL(`${dist}/instance/protocol.js`).href);
const { accessText } = await import(pathToFileURL(`${dist}/cli/access-log.js`).href);

const BATCH = 1300;
const finished = Array.from({ length: BATCH }, (_, n) => ({ route: undefined, method: 'GET', host: 'app.localhost', path: n % 2 === 0 ? '/loud' : '/src/components/App.tsx?t=1712', status: 200, bytes: 13, ms: 0, protocol: 'h1' }));
let kept = 0;

/** Nanoseconds per request of `fn` over one batch, after a warm-up. */
function perRequest(fn) {
  for (let i = 0; i < 300; i++) fn();
  const started = process.hrtime.bigint();
  const repeats = 2000;
  for (let i = 0; i < repeats; i++) fn();
  return Number(process.hrtime.bigint() - started) / repeats / BATCH;
}

const encoder = new AccessEncoder();
const encode = perRequest(() => {
  for (const done of finished) encoder.add(done);
  kept += encoder.take(Date.now()).length;
});
// The names travel with a connection's first batch: what is measured is a later one, numbers only.
const sender = new AccessEncoder();
const decoder = new AccessDecoder();
const batch = () => {
  for (const done of finished) sender.add(done);
  return Buffer.from(sender.take(Date.now()));
};
lineReader((message) => decoder.decode(message), (why) => { throw new Error(why); })(batch());
const wire = batch();
const decodeOnly = lineReader((message) => (kept += decoder.decode(message).length), (why) => { throw new Error(why); });
const decodeAndFormat = lineReader((message) => (kept += accessText(decoder.decode(message)).length), (why) => { throw new Error(why); });
const decode = perRequest(() => decodeOnly(wire));
const format = perRequest(() => decodeAndFormat(wire));
console.log(`access log, per request (batches of ${BATCH}): instance encodes in ${encode.toFixed(0)} ns; up parses in ${decode.toFixed(0)} ns, and formats the line in ${(format - decode).toFixed(0)} ns more; ${(wire.length / BATCH).toFixed(1)} bytes on the wire`);
// What was measured came back whole: every request of the batch, as a line.
let lines = 0;
lineReader((message) => (lines += accessText(decoder.decode(message)).split('\n').length - 1), (why) => { throw new Error(why); })(wire);
if (lines !== BATCH || kept === 0) throw new Error(`the batch came back as ${lines} lines, not ${BATCH}`);
