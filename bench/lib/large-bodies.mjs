// 1 MiB responses over 1, 4 and 16 connections, HTTP/1.1 (wrk) and HTTP/2 (h2load, one
// stream per connection), with every proxy up at once and short runs taken in turn
// (A B C D, then B C D A, …), medians reported. Beside each MiB/s: how busy the proxy's
// core (core 0) was and how much of a core the proxy's own processes used. A proxy that
// moves few MiB/s on an idle core is waiting (a Nagle/delayed-ACK stall, a timer), not
// working: the pair of numbers tells the two apart, which a MiB/s figure alone does not.
import { coreBusySince, coreTimes, treeCpuMicros } from './proc-stats.mjs';
import { h2load, wrk } from './load.mjs';
import { HOST } from './proxies.mjs';
import { negotiatedAlpn } from './client.mjs';
import { median } from './stats.mjs';

export const LARGE_BODY_SCENARIOS = [
  { key: 'h1c1', protocol: 'HTTP/1.1', connections: 1 },
  { key: 'h1c4', protocol: 'HTTP/1.1', connections: 4 },
  { key: 'h1c16', protocol: 'HTTP/1.1', connections: 16 },
  { key: 'h2c1', protocol: 'HTTP/2', connections: 1 },
  { key: 'h2c4', protocol: 'HTTP/2', connections: 4 },
  { key: 'h2c16', protocol: 'HTTP/2', connections: 16 },
];

const PATH = '/1m';

/** One timed run of a scenario against one proxy: MiB/s (1 MiB per response), core 0 busy %, proxy CPU %. */
async function measureOnce(scenario, port, pids, seconds) {
  const url = `https://${HOST}:${port}${PATH}`;
  const cpu0 = treeCpuMicros(pids);
  const cores0 = coreTimes();
  const t0 = performance.now();
  let mibPerSec;
  let errors;
  if (scenario.protocol === 'HTTP/1.1') {
    const result = await wrk(url, { connections: scenario.connections, seconds, latency: false });
    mibPerSec = result.rps;
    errors = result.errors;
  } else {
    const c = String(scenario.connections);
    const result = await h2load(url, ['-t1', '-c', c, '-m', '1', '-D', String(seconds)], { timeoutMs: (seconds + 20) * 1000 });
    mibPerSec = result.rps;
    errors = result.failed;
    if (result.protocol !== 'h2') throw new Error(`h2load negotiated ${result.protocol}, not h2`);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const core0Busy = coreBusySince(cores0)[0];
  const proxyCpuPct = (100 * (treeCpuMicros(pids) - cpu0)) / 1e6 / wallSeconds;
  return { mibPerSec, core0Busy, proxyCpuPct, errors };
}

/**
 * `entries`: [{ key, label, start }] (start() → a running proxy with port and pids()).
 * Returns { order: [key…], labels, scenarios: { [scenario]: { [proxy]: { mibPerSec, core0Busy, proxyCpuPct, rounds } | null } } }.
 */
export async function largeBodyRounds(entries, { rounds, seconds, warmSeconds, log, scenarios = LARGE_BODY_SCENARIOS }) {
  const running = [];
  const out = { order: entries.map((e) => e.key), labels: Object.fromEntries(entries.map((e) => [e.key, e.label])), seconds, rounds, scenarios: {} };
  try {
    for (const entry of entries) {
      const proxy = await entry.start();
      running.push({ entry, proxy, h2: (await negotiatedAlpn(proxy.port)) === 'h2' });
    }
    for (const r of running) await wrk(`https://${HOST}:${r.proxy.port}${PATH}`, { connections: 4, seconds: warmSeconds, latency: false });
    for (const scenario of scenarios) {
      const samples = new Map(running.map((r) => [r.entry.key, []]));
      for (let round = 0; round < rounds; round++) {
        // Rotate who goes first, so no proxy always runs right after the same neighbour.
        for (let i = 0; i < running.length; i++) {
          const r = running[(i + round) % running.length];
          if (scenario.protocol === 'HTTP/2' && !r.h2) continue;
          samples.get(r.entry.key).push(await measureOnce(scenario, r.proxy.port, r.proxy.pids(), seconds));
        }
      }
      const row = {};
      for (const r of running) {
        const list = samples.get(r.entry.key);
        row[r.entry.key] =
          list.length === 0
            ? null
            : {
                mibPerSec: median(list.map((x) => x.mibPerSec)),
                core0Busy: median(list.map((x) => x.core0Busy)),
                proxyCpuPct: median(list.map((x) => x.proxyCpuPct)),
                errors: list.reduce((sum, x) => sum + (x.errors || 0), 0),
                rounds: list,
              };
      }
      out.scenarios[scenario.key] = row;
      log(
        `  ${scenario.protocol}, ${scenario.connections} conn${scenario.connections > 1 ? 's' : ''}: ${running
          .map((r) => {
            const v = row[r.entry.key];
            return `${r.entry.label} ${v === null ? 'n/a' : `${v.mibPerSec.toFixed(0)} MiB/s (core 0 ${v.core0Busy.toFixed(0)} %, proxy ${v.proxyCpuPct.toFixed(0)} %; rounds ${v.rounds.map((x) => x.mibPerSec.toFixed(0)).join('/')})${v.errors ? `, ${v.errors} errors` : ''}`}`;
          })
          .join('; ')}`,
      );
    }
  } finally {
    for (const r of running) await r.proxy.stop();
  }
  return out;
}

const fmt = (v) => (v === null || v === undefined ? 'n/a' : `${Math.round(v.mibPerSec).toLocaleString('en-US')} (${v.core0Busy.toFixed(0)} % / ${v.proxyCpuPct.toFixed(0)} %)`);

/**
 * The large-body table: one row per scenario, one column per proxy, "MiB/s (core 0 busy % /
 * proxy CPU %)"; then each devtls build against Caddy and the naive pipe, with the issue's goals:
 * ≥ Caddy at 4 connections, ≥ 0.9× the naive pipe at 1 connection (HTTP/2 compared with the
 * naive pipe's HTTP/1.1: it has no HTTP/2).
 */
export function renderLargeBodies(result, devtlsNames, { caddy = 'caddy', naive = 'naiveKeepAlive' } = {}) {
  const keys = result.order;
  const devtls = keys.filter((k) => devtlsNames.includes(k));
  const lines = [
    `1 MiB responses, MiB/s (core 0 busy % / proxy process CPU % of a core); medians of ${result.rounds} rounds of ${result.seconds} s, proxies in turn, all up at once. HTTP/1.1: wrk -t1 -cN; HTTP/2: h2load -t1 -cN -m1.`,
    '',
    `| scenario | ${keys.map((k) => result.labels[k]).join(' | ')} | ${devtls.map((k) => `${k} ÷ Caddy | ${k} ÷ naive`).join(' | ')} | goal | met |`,
    `|---|${keys.map(() => '---:').join('|')}|${devtls.map(() => '---:|---:').join('|')}|---|---|`,
  ];
  const verdicts = [];
  for (const scenario of LARGE_BODY_SCENARIOS) {
    const row = result.scenarios[scenario.key];
    if (row === undefined) continue;
    const naiveRow = result.scenarios[`h1c${scenario.connections}`]?.[naive];
    const ratios = [];
    let goal = '';
    const met = [];
    for (const k of devtls) {
      const v = row[k]?.mibPerSec;
      const ca = row[caddy]?.mibPerSec;
      const na = naiveRow?.mibPerSec;
      ratios.push(v === undefined || ca === undefined ? 'n/a' : `${(v / ca).toFixed(2)}×`);
      ratios.push(v === undefined || na === undefined ? 'n/a' : `${(v / na).toFixed(2)}×${scenario.protocol === 'HTTP/2' ? ' (vs its h1)' : ''}`);
      let ok;
      if (scenario.connections === 4) {
        goal = '≥ Caddy';
        ok = v === undefined || ca === undefined ? undefined : v >= ca;
      } else if (scenario.connections === 1) {
        goal = '≥ 0.9× naive';
        ok = v === undefined || na === undefined ? undefined : v >= 0.9 * na;
      }
      if (goal !== '') {
        met.push(devtls.length > 1 ? `${k}: ${ok === undefined ? '?' : ok ? 'yes' : '**no**'}` : ok === undefined ? '?' : ok ? 'yes' : '**no**');
        verdicts.push({ proxy: k, metric: `1 MiB, ${scenario.protocol}, ${scenario.connections} conn`, value: v ?? null, goal, met: ok ?? null });
      }
    }
    const label = `${scenario.protocol}, ${scenario.connections} conn${scenario.connections > 1 ? 's' : ''}`;
    lines.push(`| ${label} | ${keys.map((k) => fmt(row[k])).join(' | ')} | ${ratios.join(' | ')} | ${goal} | ${met.join(', ')} |`);
  }
  return { text: lines.join('\n'), verdicts };
}

