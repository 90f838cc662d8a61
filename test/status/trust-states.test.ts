import test from 'ava';
import { invocation } from '../../dist/invocation.js';
import type { DoctorCheck } from '../../dist/doctor/check.js';
import { storeTrust, TrustStates } from '../../dist/status/trust-states.js';

const trusted: DoctorCheck = { id: 'trust:nss ~/.pki/nssdb', status: 'ok', message: 'nss ~/.pki/nssdb: TLS handshake verified through NSS with only this database for devtls.localhost', fix: '' };
const untrusted: DoctorCheck = { id: 'trust:system (Debian/Ubuntu)', status: 'fail', message: 'system (Debian/Ubuntu): handshake failed: the CA is not trusted', fix: 'devtls trust --store system' };

test('a doctor trust check becomes the store, its state, what was found and the fix', (t) => {
  t.deepEqual(storeTrust(trusted), { store: 'nss ~/.pki/nssdb', state: 'trusted', detail: 'TLS handshake verified through NSS with only this database for devtls.localhost', fix: '' });
  t.deepEqual(storeTrust(untrusted), { store: 'system (Debian/Ubuntu)', state: 'not trusted', detail: 'handshake failed: the CA is not trusted', fix: 'devtls trust --store system' });
  t.like(storeTrust({ id: 'trust:nss x', status: 'warn', message: 'nss x: not checked: NSS tools are not installed', fix: 'apt-get install libnss3-tools' }), { state: 'unknown', detail: 'not checked: NSS tools are not installed' });
  t.like(storeTrust({ id: 'trust', status: 'warn', message: 'no trust store found on this machine', fix: 'devtls env' }), { store: 'no store', state: 'unknown', detail: 'no trust store found on this machine' });
});

test('checks run once for callers at the same time, and again only when the result is stale', async (t) => {
  let runs = 0;
  let answer: DoctorCheck[] = [untrusted];
  const states = new TrustStates(async () => {
    runs += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return answer;
  });
  const [a, b] = await Promise.all([states.fresh(), states.fresh()]);
  t.is(runs, 1);
  t.is(a, b);
  t.is(a.stores[0]?.state, 'not trusted');
  t.true(a.checkedAt > 0);
  t.is(await states.fresh(a.checkedAt + 1000), a, 'a fresh result is reused');
  answer = [{ ...untrusted, status: 'ok', fix: '' }];
  const later = await states.fresh(a.checkedAt + 60_000);
  t.is(runs, 2);
  t.is(later.stores[0]?.state, 'trusted', 'after `devtls trust`, the next stale load shows it');
});

test('a check that throws is shown as unknown, not as a failed page', async (t) => {
  const states = new TrustStates(() => Promise.reject(new Error('certutil crashed')));
  const report = await states.fresh();
  t.deepEqual(report.stores, [{ store: 'trust stores', state: 'unknown', detail: 'could not be checked: certutil crashed', fix: `${invocation()} doctor` }]);
});
