import test from 'ava';
import { rewriteRedirectUrl, rewriteRefresh } from '../../dist/proxy/redirect-rewrite.js';
import { route } from '../helpers/routes.js';

const app = route({ host: 'app.localhost', target: 3000 });
const authority = 'app.localhost:8443';

test('a redirect to the target itself goes to the public https URL, path and query kept', (t) => {
  t.is(rewriteRedirectUrl('http://127.0.0.1:3000/dashboard?tab=1#top', app, authority), 'https://app.localhost:8443/dashboard?tab=1#top');
  t.is(rewriteRedirectUrl('http://localhost:3000/', app, authority), 'https://app.localhost:8443/');
  t.is(rewriteRedirectUrl('http://[::1]:3000/x', app, authority), 'https://app.localhost:8443/x');
  t.is(rewriteRedirectUrl('HTTP://LOCALHOST:3000/Case', app, authority), 'https://app.localhost:8443/Case');
});

test('the public host over http becomes https; every other URL is left alone', (t) => {
  t.is(rewriteRedirectUrl('http://app.localhost/login', app, authority), 'https://app.localhost:8443/login');
  t.is(rewriteRedirectUrl('http://app.localhost:8443/login', app, authority), 'https://app.localhost:8443/login');
  t.is(rewriteRedirectUrl('http://127.0.0.1:4000/other', app, authority), undefined, 'another port is another server');
  t.is(rewriteRedirectUrl('http://example.com/', app, authority), undefined);
  t.is(rewriteRedirectUrl('https://accounts.example/oauth', app, authority), undefined);
  t.is(rewriteRedirectUrl('/relative/path', app, authority), undefined);
  t.is(rewriteRedirectUrl('http://[bad', app, authority), undefined);
});

test('a target base path and a stripped route prefix are mapped back', (t) => {
  const api = route({ host: 'app.localhost', path: '/api', target: 'http://127.0.0.1:8090/v1', stripPrefix: true });
  t.is(rewriteRedirectUrl('http://127.0.0.1:8090/v1/users/2', api, authority), 'https://app.localhost:8443/api/users/2');
  t.is(rewriteRedirectUrl('http://127.0.0.1:8090/v1', api, authority), 'https://app.localhost:8443/api');
  t.is(rewriteRedirectUrl('http://127.0.0.1:8090/elsewhere', api, authority), 'https://app.localhost:8443/api/elsewhere');
});

test('Refresh keeps its delay and quoting', (t) => {
  t.is(rewriteRefresh('5; url=http://127.0.0.1:3000/next', app, authority), '5; url=https://app.localhost:8443/next');
  t.is(rewriteRefresh("0;URL='http://localhost:3000/a'", app, authority), "0;URL='https://app.localhost:8443/a'");
  t.is(rewriteRefresh('5', app, authority), undefined);
  t.is(rewriteRefresh('5; url=https://elsewhere.example/', app, authority), undefined);
});
