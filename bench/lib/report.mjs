// The results table: every figure, its ratio to nginx and to Caddy from the same run, and
// for devtls the goal and whether it is met.

const n = (digits) => (v) => (v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** `check(value, nginx, caddy)` → true/false, or undefined when it cannot be judged. */
const KEEP_ALIVE_GOAL = {
  goal: '≥ 0.40× nginx and ≥ 1.5× Caddy',
  check: (v, ng, ca) => (ng === undefined || ca === undefined ? undefined : v >= 0.4 * ng && v >= 1.5 * ca),
};
const atLeastCaddy = (goal) => ({ goal, check: (v, _ng, ca) => (ca === undefined ? undefined : v >= ca) });
const atMostCaddy = (goal) => ({ goal, check: (v, _ng, ca) => (ca === undefined ? undefined : v <= ca) });
const atMost = (limit, unit) => ({ goal: `≤ ${limit} ${unit}`, check: (v) => v <= limit });

const METRICS = [
  {
    label: 'keep-alive req/s (HTTPS/1.1, 32 conns)',
    get: (p) => p.keepAlive?.rps,
    fmt: n(0),
    ...KEEP_ALIVE_GOAL,
  },
  {
    label: 'keep-alive req/s, interleaved rounds (median; all proxies up, loaded in turn)',
    get: (p) => p.keepAliveInterleaved?.rps,
    fmt: n(0),
    ...KEEP_ALIVE_GOAL,
  },
  { label: 'proxy CPU per request, interleaved rounds (median), µs', get: (p) => p.keepAliveInterleaved?.cpuUsPerRequest, fmt: n(1) },
  { label: 'p50 latency, ms (32 conns)', get: (p) => p.keepAlive?.p50ms, fmt: n(2), ...atMostCaddy('≤ Caddy (issue title)') },
  { label: 'p99 latency, ms (32 conns)', get: (p) => p.keepAlive?.p99ms, fmt: n(2), ...atMostCaddy('≤ Caddy') },
  { label: 'p99 latency, interleaved rounds (median), ms', get: (p) => p.keepAliveInterleaved?.p99ms, fmt: n(2), ...atMostCaddy('≤ Caddy') },
  { label: 'proxy CPU per request, µs', get: (p) => p.keepAlive?.cpuUsPerRequest, fmt: n(1), ...atMost(70, 'µs') },
  { label: 'keep-alive: proxy process CPU, % of one core', get: (p) => (p.keepAlive === undefined ? undefined : p.keepAlive.cpuCores * 100), fmt: n(0) },
  { label: 'keep-alive: core 1 (wrk + backend) busy, %', get: (p) => p.keepAlive?.core1Busy, fmt: n(0) },
  { label: '1 MiB bodies, MiB/s (8 conns)', get: (p) => p.big?.wrkMiBPerSec, fmt: n(0), ...atLeastCaddy('≥ Caddy') },
  { label: 'proxy CPU per MiB, µs', get: (p) => p.big?.cpuUsPerMiB, fmt: n(0) },
  {
    label: 'proxy CPU per new TLS connection (full handshake + 1 request), µs',
    get: (p) => p.handshake?.cpuUsPerConnection,
    fmt: n(0),
    ...atMostCaddy('≤ Caddy'),
  },
  { label: 'new TLS connections/s (h2load --h1 batches of 200; client-bound, for reference)', get: (p) => p.handshake?.perSec, fmt: n(0) },
  { label: 'WebSocket echo msg/s (16 conns × 16 in flight)', get: (p) => p.ws?.messagesPerSec, fmt: n(0), ...atLeastCaddy('≥ Caddy (issue title)') },
  { label: 'proxy CPU per WebSocket message (both ways), µs', get: (p) => p.ws?.cpuUsPerMessage, fmt: n(1) },
  {
    label: 'WebSocket echo msg/s, interleaved rounds (median)',
    get: (p) => p.wsInterleaved?.messagesPerSec,
    fmt: n(0),
    ...atLeastCaddy('≥ Caddy (issue title)'),
  },
  { label: 'proxy CPU per WebSocket message, interleaved rounds (median), µs', get: (p) => p.wsInterleaved?.cpuUsPerMessage, fmt: n(1) },
  {
    label: 'HTTP/2 req/s (h2load, 32 conns × 10 streams)',
    get: (p) => p.h2?.rps,
    fmt: n(0),
    goal: '≥ 2.5× Caddy',
    check: (v, _ng, ca) => (ca === undefined ? undefined : v >= 2.5 * ca),
  },
  { label: 'RSS idle, MiB', get: (p) => p.rssIdleMiB, fmt: n(1) },
  { label: 'RSS under load, MiB (peak VmRSS sampled)', get: (p) => p.rssLoadMiB, fmt: n(1), ...atMost(80, 'MiB') },
  { label: '… peak RSS during keep-alive, MiB', get: (p) => p.rssPeakMiB?.keepAlive, fmt: n(1) },
  { label: '… during 1 MiB bodies, MiB', get: (p) => p.rssPeakMiB?.big, fmt: n(1) },
  { label: '… during WebSockets, MiB', get: (p) => p.rssPeakMiB?.ws, fmt: n(1) },
  { label: '… during HTTP/2, MiB', get: (p) => p.rssPeakMiB?.h2, fmt: n(1) },
  { label: 'VmHWM after all loads, MiB', get: (p) => p.rssHwmMiB, fmt: n(1), ...atMost(80, 'MiB') },
  { label: 'devtls: RSS idle of the instance alone (the process that serves), MiB', get: (p) => p.rssRoles?.idle.instance, fmt: n(1) },
  { label: 'devtls: RSS under load of the instance alone, MiB (peak)', get: (p) => p.rssRoles?.load.instance, fmt: n(1), ...atMost(80, 'MiB') },
  { label: 'devtls: RSS idle of the `up` client alone, MiB', get: (p) => p.rssRoles?.idle.up, fmt: n(1) },
  { label: 'devtls: RSS under load of the `up` client alone, MiB (peak)', get: (p) => p.rssRoles?.load.up, fmt: n(1) },
  { label: 'cold start to first 200, ms (devtls: new CA folder)', get: (p) => p.coldStartMs, fmt: n(0), ...atMost(300, 'ms') },
  { label: 'config edit → new route serving, ms (median)', get: (p) => p.editMedianMs, fmt: n(0), ...atMost(100, 'ms') },
];

export function renderReport(results, devtlsNames) {
  const proxies = results.proxies;
  const keys = Object.keys(proxies);
  const lines = [];
  lines.push('| metric | proxy | value | × nginx | × Caddy | goal (devtls) | met |');
  lines.push('|---|---|---:|---:|---:|---|---|');
  const verdicts = [];
  for (const metric of METRICS) {
    const ng = valueOf(metric, proxies.nginx);
    const ca = valueOf(metric, proxies.caddy);
    let first = true;
    for (const key of keys) {
      const v = valueOf(metric, proxies[key]);
      if (v === undefined && metric.label.startsWith('config edit')) continue;
      const isDevtls = devtlsNames.includes(key);
      const ratio = (ref) => (v === undefined || ref === undefined || ref === 0 ? '' : `${(v / ref).toFixed(2)}×`);
      let met = '';
      if (isDevtls && metric.goal !== undefined) {
        const ok = v === undefined ? undefined : metric.check(v, ng, ca);
        met = ok === undefined ? (v === undefined ? 'n/a' : '?') : ok ? 'yes' : '**no**';
        verdicts.push({ proxy: key, metric: metric.label, value: v ?? null, goal: metric.goal, met: ok ?? null });
      }
      lines.push(`| ${first ? metric.label : ''} | ${proxies[key].label} | ${metric.fmt(v)} | ${ratio(ng)} | ${ratio(ca)} | ${isDevtls ? metric.goal ?? '' : ''} | ${met} |`);
      first = false;
    }
  }
  results.verdicts = verdicts;
  const meta = results.meta;
  const head = [
    `devtls bench, ${meta.date} — ${meta.command}`,
    `node ${meta.machine.node}, nginx ${meta.machine.nginx}, caddy ${meta.machine.caddy}, ${meta.machine.wrk}, ${meta.machine.h2load}; ${meta.machine.cores} cores (${meta.machine.cpu}), Linux ${meta.machine.kernel}`,
    `Each proxy alone on core 0; backend (nginx 'ok' / 1 MiB file, node ws echo) and load generators on core 1. ${meta.settings.load} s per load point.`,
    '',
  ];
  return [...head, ...lines].join('\n');
}

function valueOf(metric, proxy) {
  if (proxy === undefined) return undefined;
  const v = metric.get(proxy);
  return v === undefined || v === null || Number.isNaN(v) ? undefined : v;
}
