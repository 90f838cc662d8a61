import test from 'ava';
import { hostCheckRefusal } from '../../dist/proxy/host-check-hints.js';

test('each known dev-server host check is recognised with the setting that allows the name', (t) => {
  const cases: [string, number, string, string, RegExp][] = [
    ['Vite', 403, 'Blocked request. This host ("app.test") is not allowed.\nTo allow this host, add "app.test" to `server.allowedHosts` in vite.config.js.', '/', /add "app\.test" to server\.allowedHosts in vite\.config/],
    ['webpack-dev-server', 403, 'Invalid Host header', '/', /devServer\.allowedHosts/],
    ['Rails', 403, '<h1>Blocked hosts: app.test</h1>', '/', /config\.hosts << "app\.test"/],
    ['Django', 400, 'DisallowedHost at / Invalid HTTP_HOST header: \'app.test\'.', '/', /ALLOWED_HOSTS.*CSRF_TRUSTED_ORIGINS/],
    ['Next.js', 0, 'Unauthorized', '/_next/webpack-hmr', /allowedDevOrigins: \["app\.test"\]/],
  ];
  for (const [server, status, text, path, setting] of cases) {
    const refusal = hostCheckRefusal(status, text, 'app.test', path);
    t.is(refusal?.server, server);
    t.regex(refusal?.hint ?? '', setting);
    t.regex(refusal?.hint ?? '', /"changeOrigin": true/);
  }
});

test('ordinary 4xx answers are not mistaken for host checks', (t) => {
  t.is(hostCheckRefusal(403, 'Forbidden: you are not an admin', 'app.test', '/admin'), undefined);
  t.is(hostCheckRefusal(400, '{"error":"bad input"}', 'app.test', '/api'), undefined);
  t.is(hostCheckRefusal(401, 'Unauthorized', 'app.test', '/api'), undefined, 'only Next.js\'s own paths');
});
