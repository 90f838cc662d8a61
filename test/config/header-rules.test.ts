import test from 'ava';
import { headerNameProblem, headerValueProblem } from '../../dist/config/header-rules.js';
import { parseConfig } from '../../dist/config/parse-config.js';

test('a route may not set the forwarding headers devtls sets itself, and the error says why', (t) => {
  for (const name of ['X-Forwarded-Host', 'x-forwarded-for', 'X-Forwarded-Proto', 'X-Forwarded-Port', 'Forwarded', 'X-Real-IP']) {
    const problem = headerNameProblem(name);
    t.truthy(problem, name);
    t.regex(problem?.hint ?? '', /devtls sets the forwarding headers itself/);
  }
  const error = t.throws(() => parseConfig('{ "routes": [{ "host": "a.localhost", "target": 1, "headers": { "X-Forwarded-Host": "x" } }] }', 'proxy.config.json'));
  t.regex(error?.message ?? '', /^proxy\.config\.json:1:\d+: header "X-Forwarded-Host" cannot be set in "headers"/);
});

test('hop-by-hop headers, Host and Content-Length are refused; ordinary headers pass', (t) => {
  for (const name of ['Connection', 'Transfer-Encoding', 'Upgrade', 'Host', 'content-length', 'TE', 'Expect']) t.truthy(headerNameProblem(name), name);
  for (const name of ['Authorization', 'X-User', 'x-forwarded-user']) t.is(headerNameProblem(name), undefined, name);
  t.truthy(headerNameProblem('bad name'));
  t.truthy(headerNameProblem(':path'));
  t.truthy(headerValueProblem('a\r\nb'));
  t.is(headerValueProblem('Bearer abc\tdef'), undefined);
});
