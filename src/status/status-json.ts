/** The JSON shapes scripts rely on: `devtls status --json`, and /api/status which extends it. */
import { targetUrl } from '../routes/labels.js';
import type { InstanceInfo, ProjectInfo } from '../instance/protocol.js';
import type { RecentRequest } from './request-history.js';
import type { TargetHealth } from './target-checks.js';
import type { TrustReport } from './trust-states.js';

/** The shape of `devtls status --json`: keep it exactly. */
export function statusJson(instance: InstanceInfo, projects: ProjectInfo[]): { running: true; pid: number; httpsPort: number; httpPort: number | false; projects: { source: string; pid: number; routes: { host: string; path: string; target: string }[] }[] } {
  return {
    running: true,
    pid: instance.pid,
    httpsPort: instance.httpsPort,
    httpPort: instance.httpPort,
    projects: projects.map((project) => ({
      source: project.source,
      pid: project.pid,
      routes: project.routes.map((route) => ({ host: route.host, path: route.path, target: targetUrl(route.target) })),
    })),
  };
}

export interface StatusSnapshot {
  instance: InstanceInfo;
  projects: ProjectInfo[];
  ca: { fingerprintSha256: string; notAfter: Date };
  certificates: { hostKey: string; names: string[]; notAfter: Date }[];
}

/** /api/status: the `status --json` shape, plus the instance's details, trust stores, targets' states and the last requests. */
export function apiStatusJson(snapshot: StatusSnapshot, targets: TargetHealth[], recent: RecentRequest[], trust: TrustReport): object {
  const { instance } = snapshot;
  return {
    ...statusJson(instance, snapshot.projects),
    version: instance.version,
    startedAt: new Date(instance.startedAt).toISOString(),
    uptimeSeconds: Math.floor((Date.now() - instance.startedAt) / 1000),
    addresses: instance.addresses,
    ca: { dir: instance.caDir, fingerprintSha256: snapshot.ca.fingerprintSha256, notAfter: snapshot.ca.notAfter.toISOString() },
    trust: { checkedAt: trust.checkedAt === 0 ? null : new Date(trust.checkedAt).toISOString(), stores: trust.stores },
    targets: targets.map((target) => ({ target: target.origin, state: target.state, checkedAt: target.checkedAt === 0 ? null : new Date(target.checkedAt).toISOString(), answerMs: target.answerMs })),
    certificates: snapshot.certificates.map((leaf) => ({ host: leaf.hostKey, names: leaf.names, notAfter: leaf.notAfter.toISOString() })),
    recent: recent.map((entry) => ({ ...entry, time: new Date(entry.time).toISOString() })),
  };
}
