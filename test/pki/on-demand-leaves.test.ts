// Leaves kept in memory only: bounded, least recently used dropped first, rate-limited,
// one signing per name however many ask at once, nothing on disk.
import test, { type ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../dist/errors.js';
import { CertificateAuthority } from '../../dist/pki/certificate-authority.js';
import type { LeafCertificate } from '../../dist/pki/leaf-certificate.js';
import { LeafCertificateStore } from '../../dist/pki/leaf-store.js';
import { OnDemandLeaves, type OnDemandLeavesOptions } from '../../dist/pki/on-demand-leaves.js';
import { tempDirFor } from '../helpers/temp-dir.js';

async function setup(t: ExecutionContext, options: OnDemandLeavesOptions) {
  const base = await tempDirFor(t, 'devtls-on-demand-');
  const { ca } = await CertificateAuthority.open({ dir: join(base, 'ca') });
  const store = new LeafCertificateStore(ca, join(base, 'certs'));
  let built = 0;
  const leaves = new OnDemandLeaves(store, (leaf: LeafCertificate) => ({ leaf, n: ++built }), options);
  return { base, leaves, built: () => built };
}

test('bounded: the least recently used leaf is dropped first, and nothing is written', async (t) => {
  const { base, leaves } = await setup(t, { capacity: 3 });
  for (const name of ['a.localhost', 'b.localhost', 'c.localhost']) t.true((await leaves.get(name))?.issued);
  t.truthy(leaves.cached('a.localhost'), 'a is now the most recently used');
  t.true((await leaves.get('d.localhost'))?.issued);
  t.is(leaves.size, 3);
  t.is(leaves.cached('b.localhost'), undefined, 'b was the least recently used');
  t.truthy(leaves.cached('a.localhost'));
  const again = await leaves.get('c.localhost');
  t.is(again?.issued, false);
  t.deepEqual(again?.value.leaf.names, ['c.localhost']);
  t.deepEqual(await readdir(base), ['ca'], 'no certs folder, no files');
});

test('concurrent requests for one name share one signing', async (t) => {
  const { leaves, built } = await setup(t, {});
  const results = await Promise.all(Array.from({ length: 10 }, () => leaves.get('same.localhost')));
  t.is(built(), 1);
  t.is(results.filter((result) => result?.issued === true).length, 1, 'exactly one caller signed it');
  t.true(results.every((result) => result?.value === results[0]?.value));
});

test('the rate limit: past the burst, undefined (use the default certificate)', async (t) => {
  let now = 0;
  const { leaves } = await setup(t, { burst: 2, ratePerSecond: 1, now: () => now });
  t.truthy(await leaves.get('a.localhost'));
  t.truthy(await leaves.get('b.localhost'));
  t.is(await leaves.get('c.localhost'), undefined);
  t.is((await leaves.get('a.localhost'))?.issued, false, 'held leaves need no token');
  now += 1000;
  t.true((await leaves.get('c.localhost'))?.issued);
});

test('a name the CA may not sign is a UserError and is not kept', async (t) => {
  const { leaves } = await setup(t, {});
  await t.throwsAsync(leaves.get('www.example.com'), { instanceOf: UserError });
  t.is(leaves.size, 0);
  t.throws(() => new OnDemandLeaves({} as LeafCertificateStore, () => 0, { capacity: 0 }), { instanceOf: RangeError });
});
