/**
 * Every routed name as programs resolve it (the system resolver: Node, Python, Java, wget)
 * and as browsers do (*.localhost is loopback in every browser). A name that does not reach
 * loopback gets this system's fix.
 */
import { localhostResolverFix, type ResolverSystem } from '../hosts/localhost-resolution.js';
import { isLocalhostName, resolveHosts, type Resolver } from '../hosts/name-resolution.js';
import { devtlsCommand, fail, ok, warn, type DoctorCheck, type FixFlags } from './check.js';

export async function checkNames(hosts: readonly string[], resolver: Resolver, system: ResolverSystem, flags: FixFlags): Promise<DoctorCheck[]> {
  const hostsWrite = devtlsCommand('hosts --write', flags, ['config', 'hostsFile']);
  const checks: DoctorCheck[] = [];
  for (const resolution of await resolveHosts(hosts, resolver)) {
    const id = `name:${resolution.host}`;
    const found = resolution.addresses.length === 0 ? 'does not resolve it' : `gives ${resolution.addresses.join(', ')}, not loopback`;
    if (resolution.loopback) {
      checks.push(ok(id, `${resolution.probe} resolves to ${resolution.addresses.join(', ')} for every program, browsers included`));
      continue;
    }
    const browsers = resolution.browsersLoopback ? 'browsers reach it on loopback by themselves, but ' : '';
    const message = `${resolution.probe}: ${browsers}the system resolver (Node, Python, Java, wget) ${found}`;
    const systemFix = isLocalhostName(resolution.probe) ? localhostResolverFix(system) : undefined;
    const wildcard = resolution.host.startsWith('*.');
    if (wildcard && systemFix === undefined) {
      // A hosts file holds whole names only: each name used under the wildcard needs a line.
      checks.push(warn(id, `${message}; a hosts file cannot hold a wildcard`, `add a line per name you use, e.g. "127.0.0.1 ${resolution.probe}", or use names under .localhost`));
      continue;
    }
    checks.push(fail(id, message, systemFix === undefined ? hostsWrite : wildcard ? systemFix : `${systemFix}, or ${hostsWrite}`));
  }
  return checks;
}
