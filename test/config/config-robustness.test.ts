/** 10,000 mutations of a valid file: each parses or throws a positioned ConfigError, nothing else. */
import test from 'ava';
import { parseConfig } from '../../dist/config/parse-config.js';
import { ConfigError } from '../../dist/config/config-error.js';
import { starterConfigText } from '../../dist/config/starter-config.js';

const FILE = 'fuzz.json';
const BASE = `{
  "$schema": "./proxy.config.schema.json",
  "httpsPort": 8443,
  "httpPort": 8080,
  "timeouts": { "connect": 1000, "response": 30000 },
  "routes": [
    { "host": "app.localhost", "target": 8080 },
    { "host": "app.localhost", "path": "/api", "target": "http://127.0.0.1:8090/base", "stripPrefix": true },
    { "host": "*.preview.localhost", "target": 8090, "changeOrigin": true, "headers": { "x-user": "dev" } }
  ]
}
`;
const PIECES = ['{', '}', '[', ']', ',', ':', '"', '\\', '/', '*', '\u0000', '\ufeff', '\u00a0', '\n', '\r', '\t', 'é', '😀', '\ud800',
  '1e999', '-0', '99999999999999999999999999', '0.0000001', 'null', 'true', 'NaN', '//', '/*', '\\u00', 'xn--', '"host"', '"target"'];

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, next: () => number, i: number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const at = Math.floor(next() * (text.length + 1));
  if (i % 100 === 0) return `${'['.repeat(100_000)}${text}`;
  if (i % 100 === 1) return `{"routes":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
  if (i % 100 === 2) return text.replace(/\d+/, '9'.repeat(400));
  switch (Math.floor(next() * 7)) {
    case 0: { // flip one code unit to a random value
      const code = Math.floor(next() * 0x10000);
      return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
    }
    case 1: return text.slice(0, at); // truncate
    case 2: return text.slice(0, at) + pick(PIECES) + text.slice(at); // insert
    case 3: return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 8)); // delete a few
    case 4: { // swap a value for a tricky one
      return text.replace(pick([/8080/, /"app\.localhost"/, /true/, /\/api/, /1000/, /"dev"/]), pick(PIECES));
    }
    case 5: { // rename a key, change a type, a huge number, or a unicode host name
      const kind = Math.floor(next() * 4);
      if (kind === 0) return text.replace(pick([/"host"/, /"target"/, /"routes"/, /"path"/, /"timeouts"/, /"connect"/]), pick(['"hots"', '"Host"', '"tar get"', '"routes\u0000"', '""', '"__proto__"', '"constructor"']));
      if (kind === 1) return text.replace(pick([/8080/, /"app\.localhost"/, /true/, /\[/, /"\/api"/, /30000/]), pick(['{}', '[]', '"8080"', 'false', 'null', '[8080]', '{"a":1}']));
      if (kind === 2) return text.replace(/\d+/, pick(['1e308', '-1', '9007199254740993', '0x1F', '1.5', '-0', '1e-400']));
      return text.replace(/app\.localhost/, pick(['äpp.localhost', 'xn--pp-via.localhost', '😀.localhost', 'app\u200b.localhost', 'ＡＰＰ.localhost', 'app..localhost', '*.*.localhost']));
    }
    default: { // several mutations
      let out = text;
      for (let k = 0; k < 4; k++) out = mutate(out, next, i + 3);
      return out;
    }
  }
}

test('10,000 mutated files (bytes flipped, keys renamed, types changed, deep nesting, huge numbers, unicode hosts): parse, or ConfigError starting with file:line:col', (t) => {
  const next = random(20240611);
  let parsed = 0;
  let rejected = 0;
  const bases = [BASE, starterConfigText()];
  for (let i = 0; i < 10_000; i++) {
    const input = mutate(bases[i % 2] ?? BASE, next, i);
    try {
      parseConfig(input, FILE);
      parsed++;
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        t.fail(`mutation ${i} threw ${String(error)} for ${JSON.stringify(input.slice(0, 300))}`);
        return;
      }
      if (!/^fuzz\.json:\d+:\d+: .+: found .*, expected .+/s.test(error.message) || error.line < 1 || error.column < 1) {
        t.fail(`mutation ${i}: badly formed message ${JSON.stringify(error.message)}`);
        return;
      }
      if (error.message.includes("internal error")) {
        t.fail(`mutation ${i} hit a validator bug: ${error.message}`);
        return;
      }
      rejected++;
    }
  }
  t.log(`${parsed} parsed, ${rejected} rejected`);
  t.true(rejected > 5000);
  t.true(parsed > 0);
});

test('100,000 levels of nesting fail fast at level 65', (t) => {
  const error = t.throws(() => parseConfig('['.repeat(100_000), FILE), { instanceOf: ConfigError });
  t.is(error?.column, 65);
  const objects = t.throws(() => parseConfig('{"a":'.repeat(100_000), FILE), { instanceOf: ConfigError });
  t.regex(objects?.message ?? '', /nested too deeply/);
  const mismatched = t.throws(() => parseConfig('[}'.repeat(100_000), FILE), { instanceOf: ConfigError });
  t.regex(mismatched?.message ?? '', /nested too deeply/);
});

test('a 5,000-route file parses whole', (t) => {
  const routes = Array.from({ length: 5000 }, (_, i) => `{ "host": "app${i}.localhost", "path": "/p${i}", "target": ${1000 + i} }`).join(',\n');
  const { config } = parseConfig(`{ "routes": [\n${routes}\n] }`, FILE);
  t.is(config.routes.length, 5000);
  t.is(config.routes[4999]?.target.port, 5999);
});
