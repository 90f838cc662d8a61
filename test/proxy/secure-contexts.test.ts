// The certificate chosen at each TLS handshake, over real TLS on 127.0.0.1: routed hosts
// from disk, unrouted names and per-name wildcard hosts from a bounded in-memory cache
// with a signing rate limit, everything else the default certificate.
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, createServer, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import type { OnDemandLeavesOptions } from '../../dist/pki/on-demand-leaves.js';
import { SecureContexts } from '../../dist/proxy/secure-contexts.js';
import { TLS_SETTINGS } from '../../dist/proxy/tls-settings.js';
import { RouteTable } from '../../dist/routes/route-table.js';
import { heapAfterGc, inBatches } from '../helpers/hardening.js';
import { route } from '../helpers/routes.js';
import { tempDirFor } from '../helpers/temp-dir.js';

interface Harness {
  ca: CertificateAuthority;
  /** The client side's context, trusting only the throwaway CA (one for all handshakes). */
  trustCa: SecureContext;
  certsDir: string;
  contexts: SecureContexts;
  port: number;
  unrouted: string[];
  errors: string[];
}

/** A TLS server on 127.0.0.1 whose SNICallback is SecureContexts', default certificate localhost (as DevProxy sets it up). */
async function harness(t: ExecutionContext, hosts: string[], onDemand: OnDemandLeavesOptions = {}): Promise<Harness> {
  const dir = await tempDirFor(t, 'devtls-sni-');
  const { ca } = await CertificateAuthority.open({ dir: join(dir, 'ca') });
  const certsDir = join(dir, 'certs');
  const store = new LeafCertificateStore(ca, certsDir);
  const table = new RouteTable(hosts.map((host) => route({ host, target: 9 })));
  const unrouted: string[] = [];
  const errors: string[] = [];
  const contexts = new SecureContexts(store, () => table, (host, error) => errors.push(`${host}: ${String(error)}`), {
    onUnroutedName: (name) => unrouted.push(name),
    onDemand,
  });
  await contexts.warm(table);
  const fallback = await store.get('localhost');
  const server = createServer({ ...TLS_SETTINGS, cert: fallback.certPem, key: fallback.keyPem, SNICallback: contexts.sniCallback }, (socket) => socket.end());
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { ca, trustCa: createSecureContext({ ca: ca.certPem }), certsDir, contexts, port: (server.address() as AddressInfo).port, unrouted, errors };
}

/** One handshake; the certificate presented and whether it verified for `servername` against the CA alone. */
async function handshake(h: Harness, servername: string): Promise<{ authorized: boolean; error: string | undefined; cert: PeerCertificate }> {
  const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port: h.port, servername, secureContext: h.trustCa, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const result = { authorized: socket.authorized, error: socket.authorizationError?.toString(), cert: socket.getPeerCertificate() };
  socket.destroy();
  return result;
}

/** A handshake for each name, 8 at a time. */
async function flood(h: Harness, names: readonly string[]): Promise<void> {
  await inBatches(names.length, 8, async (i) => {
    await handshake(h, names[i] as string);
  });
}

const label = (): string => `n${randomBytes(5).toString('hex')}`;

test('an unrouted name the CA may sign gets a certificate for exactly that name, in memory, reported once', async (t) => {
  const h = await harness(t, ['app.localhost', '*.preview.localhost']);
  const before = (await readdir(h.certsDir)).sort();
  const first = await handshake(h, 'typo.localhost');
  t.true(first.authorized, first.error);
  t.is(first.cert.subjectaltname, 'DNS:typo.localhost');
  const second = await handshake(h, 'TYPO.localhost');
  t.true(second.authorized, second.error);
  t.is(second.cert.serialNumber, first.cert.serialNumber, 'served from the cache');
  t.deepEqual(h.unrouted, ['typo.localhost'], 'reported once');
  t.is(h.contexts.inMemoryCount, 1);
  t.is(h.contexts.certificateKeyFor('typo.localhost'), 'typo.localhost', 'its own key: a request for another Host on it is misdirected');
  t.deepEqual((await readdir(h.certsDir)).sort(), before, 'nothing written to disk');
  // Routed names keep their on-disk certificates and are not reported.
  const routed = await handshake(h, 'pr-1.preview.localhost');
  t.true(routed.authorized, routed.error);
  t.is(routed.cert.subjectaltname, 'DNS:*.preview.localhost');
  t.is(h.contexts.certificateKeyFor('pr-1.preview.localhost'), '*.preview.localhost');
  t.deepEqual(h.unrouted, ['typo.localhost']);
  t.deepEqual(h.errors, []);
});

test('names the CA may not sign get the default certificate and no key', async (t) => {
  const h = await harness(t, ['app.localhost']);
  for (const name of ['www.example.com', 'localhost.evil.com', '*.x.localhost', 'bad_name.localhost']) {
    const result = await handshake(h, name);
    t.is(result.cert.subject.CN, 'localhost', name);
    t.is(h.contexts.certificateKeyFor(name), undefined, name);
  }
  // SNI never carries an IP address (RFC 6066); a client that sends one anyway gets no leaf for it.
  t.is(h.contexts.certificateKeyFor('127.0.0.2'), undefined);
  t.is(h.contexts.inMemoryCount, 0);
  t.deepEqual(h.unrouted, []);
});

test('hosts under a wildcard browsers reject as a certificate get per-name certificates in memory, not on disk', async (t) => {
  const h = await harness(t, ['*.localhost', 'app.localhost']);
  const before = (await readdir(h.certsDir)).sort();
  const names = Array.from({ length: 30 }, () => `${label()}.localhost`);
  await flood(h, names);
  const one = await handshake(h, names[0] as string);
  t.true(one.authorized, one.error);
  t.is(one.cert.subjectaltname, `DNS:${names[0]}`);
  t.is(h.contexts.certificateKeyFor(names[0] as string), names[0]);
  t.is(h.contexts.inMemoryCount, 30);
  t.deepEqual((await readdir(h.certsDir)).sort(), before);
  t.deepEqual(h.unrouted, [], 'routed by the wildcard: nothing to report');
});

test('1,000 random names (unrouted, and two labels under a wildcard): the disk does not grow and the cache stays bounded', async (t) => {
  const capacity = 64;
  // A rate high enough that every name is signed, so the bound of the cache is what is tested.
  const h = await harness(t, ['app.localhost', '*.preview.localhost'], { capacity, ratePerSecond: 100_000, burst: 100_000 });
  const before = (await readdir(h.certsDir)).sort();
  const names = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `${label()}.localhost` : `${label()}.${label()}.preview.localhost`));
  // Memory after a first fill of the cache, then after the rest: with the cache full, more
  // names replace entries instead of adding them. Measured after full collections.
  await flood(h, names.slice(0, 200));
  const heapWarm = heapAfterGc();
  const rssWarm = process.memoryUsage().rss;
  await flood(h, names.slice(200));
  const heapAfter = heapAfterGc();
  const rssAfter = process.memoryUsage().rss;
  t.log(`after 200 names: heap ${mb(heapWarm)}, RSS ${mb(rssWarm)}; after 1,000: heap ${mb(heapAfter)}, RSS ${mb(rssAfter)} (cache ${h.contexts.inMemoryCount} of ${capacity})`);
  t.true(heapAfter - heapWarm < 8 * 1024 * 1024, 'the heap does not grow with the number of names');
  t.is(h.contexts.inMemoryCount, capacity);
  t.deepEqual((await readdir(h.certsDir)).sort(), before, 'no file written');
  t.is(h.unrouted.length, 1000, 'each unrouted name reported when its certificate was made');
  const last = names.at(-1) as string;
  const recent = await handshake(h, last);
  t.true(recent.authorized, recent.error);
  t.is(recent.cert.subjectaltname, `DNS:${last}`);
  t.deepEqual(h.errors, []);
});

test('past the signing rate limit, new names get the default certificate until tokens return', async (t) => {
  let now = 0;
  const h = await harness(t, ['app.localhost'], { capacity: 100, ratePerSecond: 1, burst: 5, now: () => now });
  const names = Array.from({ length: 12 }, () => `${label()}.localhost`);
  const served: string[] = [];
  for (const name of names) served.push(String((await handshake(h, name)).cert.subject.CN));
  t.deepEqual(served, [...names.slice(0, 5), ...Array<string>(7).fill('localhost')]);
  t.is(h.contexts.inMemoryCount, 5);
  t.is(h.unrouted.length, 5, 'a name served the default certificate is not reported');
  t.true((await handshake(h, names[0] as string)).authorized, 'names already held are still served');
  now += 2000; // two tokens back
  t.is((await handshake(h, names[5] as string)).cert.subject.CN, names[5]);
  t.is((await handshake(h, names[6] as string)).cert.subject.CN, names[6]);
  t.is((await handshake(h, names[7] as string)).cert.subject.CN, 'localhost');
});

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
