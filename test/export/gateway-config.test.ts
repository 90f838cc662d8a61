/** gateway.yaml: parsed as YAML and validated against the Gateway API v1 schema. */
import test from 'ava';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { parseAllDocuments } from 'yaml';
import { renderGatewayYaml, resourceNameFor } from '../../dist/export/gateway-config.js';
import { FULL_ROUTES, routesOf, settings } from './export-fixtures.js';

interface Doc {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & { rules?: Array<Record<string, unknown>>; hostnames?: string[] };
}

function documents(text: string): Doc[] {
  return parseAllDocuments(text, { uniqueKeys: true, strict: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((error) => error.message).join('\n'));
    return doc.toJS() as Doc;
  });
}

/** Validate with the published models; throws with the schema's message. */
function validate(doc: Doc): void {
  if (doc.kind === 'Gateway') new Gateway(doc as never).validate();
  else if (doc.kind === 'HTTPRoute') new HTTPRoute(doc as never).validate();
  else throw new Error(`unexpected kind ${doc.kind}`);
}

function render(overrides = {}, services = new Map<number, string>()) {
  return renderGatewayYaml(FULL_ROUTES, { ...settings(overrides), services });
}

test('the validator is real: it rejects a wrong HTTPRoute', (t) => {
  const wrong = (spec: unknown) => () => new HTTPRoute({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x' }, spec } as never).validate();
  t.throws(wrong({ parentRefs: [{ name: 'g' }], rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 308 } }] }] }), { message: /statusCode/ });
  t.throws(wrong({ parentRefs: [{ name: 'g' }], rules: [{ matches: [{ path: { type: 'Prefix', value: '/api' } }] }] }), { message: /type/ });
  t.throws(wrong({ parentRefs: [{ name: 'g' }], hostnames: ['Bad_Host'] }), { message: /hostnames/ });
  t.throws(() => new Gateway({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { listeners: [] } } as never).validate(), { message: /gatewayClassName/ });
});

test('a Gateway and one HTTPRoute per host (plus the redirect), each valid Gateway API v1', (t) => {
  const docs = documents(render().text);
  t.deepEqual(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`), [
    'Gateway/devtls',
    'HTTPRoute/app-localhost',
    'HTTPRoute/wildcard-preview-localhost',
    'HTTPRoute/docs-localhost',
    'HTTPRoute/devtls-https-redirect',
  ]);
  for (const doc of docs) t.notThrows(() => validate(doc), `${doc.kind}/${doc.metadata.name}`);
});

test('rules carry paths, stripPrefix, base paths, changeOrigin and headers', (t) => {
  const app = documents(render({}, new Map([[8090, 'api']])).text)[1] as Doc;
  t.deepEqual(app.spec.hostnames, ['app.localhost']);
  const rules = app.spec.rules as Array<{ matches: Array<{ path: { type: string; value: string } }>; filters?: Array<Record<string, unknown>>; backendRefs: Array<{ name: string; port: number }> }>;
  t.deepEqual(rules.map((rule) => rule.matches[0]?.path.value), ['/api/v1.0', '/legacy', '/api', '/']);
  t.true(rules.every((rule) => rule.matches[0]?.path.type === 'PathPrefix'));
  const api = rules[2] as (typeof rules)[number];
  t.deepEqual(api.backendRefs, [{ name: 'api', port: 8090 }]);
  t.deepEqual(api.filters, [
    { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
    { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-extra', value: 'a {host} "c" $d' }, { name: 'x-tick', value: 'back`tick' }] } },
  ]);
  const legacy = rules[1] as (typeof rules)[number];
  t.deepEqual(legacy.filters, [{ type: 'URLRewrite', urlRewrite: { hostname: 'app-8092', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/base/legacy' } } }]);
});

test('what Gateway API cannot say is in a comment: wildcard depth, 301, X-Forwarded-*, timeouts; values to fill in are marked', (t) => {
  const { text, notes } = render();
  for (const phrase of ['exactly one', '301', 'X-Forwarded-For', 'timeouts']) t.true(notes.some((note) => note.includes(phrase)), phrase);
  for (const note of notes) t.true(text.includes(note));
  t.regex(text, /gatewayClassName: example {2}# fill in/);
  t.regex(text, /- name: app-8080 {2}# fill in: the Service in front of http:\/\/127\.0\.0\.1:8080 \(or --service 8080=NAME\)/);
  t.regex(text, /statusCode: 301/);
});

test('no redirect listener without an http port; names stay valid DNS labels', (t) => {
  const docs = documents(renderGatewayYaml(routesOf({ routes: [{ host: 'a-b.c.localhost', target: 3000 }] }), { ...settings({ httpPort: false, httpsPort: 8443 }), services: new Map() }).text);
  t.is(docs.length, 2);
  for (const doc of docs) t.notThrows(() => validate(doc));
  t.is(resourceNameFor('*.preview.localhost'), 'wildcard-preview-localhost');
});
