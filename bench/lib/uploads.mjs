// Large uploads streamed through each proxy: one POST of a large body (2 GiB by default,
// a sparse file, so reading it costs curl nothing) with curl over HTTP/1.1 and over HTTP/2,
// to a backend that answers only once it has read the whole body. Proxies all up at once,
// taken in turn; MiB/s from curl's own timing, the proxy's RSS before and at its peak
// (sampled every 100 ms): a proxy that buffers the body shows it there.
import { closeSync, openSync, ftruncateSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.mjs';
import { LOAD_CORE } from './load.mjs';
import { HOST } from './proxies.mjs';
import { sampleRss, treeCpuMicros, treeRssMiB } from './proc-stats.mjs';
import { median } from './stats.mjs';

export const UPLOAD_PROTOCOLS = [
  { key: 'h1', label: 'HTTP/1.1', flag: '--http1.1' },
  { key: 'h2', label: 'HTTP/2', flag: '--http2' },
];

async function uploadOnce(proxy, protocol, file, bytes) {
  const pids = proxy.pids();
  const rssBefore = treeRssMiB(pids);
  const stopSampling = sampleRss(pids, 100);
  const cpu0 = treeCpuMicros(pids);
  const { code, output } = await run(
    'curl upload',
    'curl',
    ['-sk', protocol.flag, '-X', 'POST', '-T', file, '-H', 'Expect:', '-H', 'content-type: application/octet-stream', '-w', '\n%{http_code} %{time_total} %{http_version}\n', `https://${HOST}:${proxy.port}/upload`],
    { core: LOAD_CORE, timeoutMs: 600_000 },
  );
  const rssPeak = stopSampling();
  const cpuMicros = treeCpuMicros(pids) - cpu0;
  const lines = output.trim().split('\n');
  const [status, seconds, version] = (lines.at(-1) ?? '').split(' ');
  const answer = /"bytes":(\d+)/.exec(output);
  if (code !== 0 || status !== '200' || answer === null || Number(answer[1]) !== bytes) {
    return { error: `curl ${code}, HTTP ${status}, backend got ${answer?.[1] ?? '?'} of ${bytes} bytes` };
  }
  return { mibPerSec: bytes / 1048576 / Number(seconds), cpuUsPerMiB: cpuMicros / (bytes / 1048576), seconds: Number(seconds), httpVersion: version, rssBefore, rssPeak };
}

/**
 * `entries`: [{ key, label, start }]. Returns { order, labels, mib, rounds, protocols: { h1|h2: { [key]: { mibPerSec, rssBefore, rssPeak, rounds } | null } } }.
 */
export async function uploadRounds(entries, { dir, mib = 2048, rounds = 2, log }) {
  const bytes = mib * 1048576;
  const file = join(dir, 'upload.bin');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  // Read once before the rounds: the run's first upload was ~3× slower than the rest whichever
  // proxy took it (nginx in full runs: rounds 272/955 MiB/s), and reading the file once first
  // makes every round alike (a first read of the file, not of the proxy, was the slow part).
  const warm = await run('dd warm-up', 'dd', [`if=${file}`, 'of=/dev/null', 'bs=1M'], { core: LOAD_CORE, timeoutMs: 120_000 });
  if (warm.code !== 0) throw new Error(`dd could not read ${file}: ${warm.output}`);
  const running = [];
  const out = { order: entries.map((e) => e.key), labels: Object.fromEntries(entries.map((e) => [e.key, e.label])), mib, rounds, protocols: {} };
  try {
    for (const entry of entries) running.push({ entry, proxy: await entry.start() });
    for (const protocol of UPLOAD_PROTOCOLS) {
      const samples = new Map(running.map((r) => [r.entry.key, []]));
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < running.length; i++) {
          const r = running[(i + round) % running.length];
          samples.get(r.entry.key).push(await uploadOnce(r.proxy, protocol, file, bytes));
        }
      }
      const row = {};
      for (const r of running) {
        const list = samples.get(r.entry.key);
        const good = list.filter((x) => x.error === undefined);
        const wrongProtocol = good.some((x) => x.httpVersion !== (protocol.key === 'h2' ? '2' : '1.1'));
        row[r.entry.key] = good.length === 0 || wrongProtocol
          ? { error: wrongProtocol ? `curl spoke HTTP ${good[0]?.httpVersion}` : list[0]?.error }
          : { mibPerSec: median(good.map((x) => x.mibPerSec)), cpuUsPerMiB: median(good.map((x) => x.cpuUsPerMiB)), rssBefore: Math.min(...good.map((x) => x.rssBefore)), rssPeak: Math.max(...good.map((x) => x.rssPeak)), failures: list.length - good.length, rounds: list };
      }
      out.protocols[protocol.key] = row;
      log(`  ${mib} MiB upload, ${protocol.label}: ${running.map((r) => {
        const v = row[r.entry.key];
        return `${r.entry.label} ${v.error !== undefined ? `failed (${v.error})` : `${v.mibPerSec.toFixed(0)} MiB/s, ${v.cpuUsPerMiB.toFixed(0)} µs CPU/MiB, RSS ${v.rssBefore.toFixed(0)} → ${v.rssPeak.toFixed(0)} MiB (rounds ${v.rounds.map((x) => x.mibPerSec?.toFixed(0) ?? 'failed').join('/')})`}`;
      }).join('; ')}`);
    }
  } finally {
    for (const r of running) await r.proxy.stop();
    rmSync(file, { force: true });
  }
  return out;
}

/** The upload table: MiB/s and RSS (before → peak) per proxy, and each devtls build against Caddy (goal: ≥ Caddy, RSS flat). */
export function renderUploads(result, devtlsNames, { caddy = 'caddy' } = {}) {
  const keys = result.order;
  const devtls = keys.filter((k) => devtlsNames.includes(k));
  const cell = (v) => (v === null || v === undefined ? 'n/a' : v.error !== undefined ? `failed: ${v.error}` : `${Math.round(v.mibPerSec)} MiB/s, ${Math.round(v.cpuUsPerMiB)} µs CPU/MiB (RSS ${v.rssBefore.toFixed(0)} → ${v.rssPeak.toFixed(0)} MiB)`);
  const lines = [
    `${result.mib} MiB upload (one POST, curl -T a sparse file), MiB/s, the proxy's CPU per MiB and its RSS before → peak; median of ${result.rounds} uploads each, proxies in turn, all up at once. The backend answers once it has read the whole body.`,
    '',
    `| protocol | ${keys.map((k) => result.labels[k]).join(' | ')} | ${devtls.map((k) => `${k} ÷ Caddy`).join(' | ')} | goal | met |`,
    `|---|${keys.map(() => '---:').join('|')}|${devtls.map(() => '---:').join('|')}|---|---|`,
  ];
  const verdicts = [];
  for (const protocol of UPLOAD_PROTOCOLS) {
    const row = result.protocols[protocol.key];
    if (row === undefined) continue;
    const ratios = [];
    const met = [];
    for (const k of devtls) {
      const v = row[k];
      const ca = row[caddy];
      const ok = v?.mibPerSec !== undefined && ca?.mibPerSec !== undefined ? v.mibPerSec >= ca.mibPerSec && v.rssPeak - v.rssBefore < 64 : undefined;
      ratios.push(v?.mibPerSec !== undefined && ca?.mibPerSec !== undefined ? `${(v.mibPerSec / ca.mibPerSec).toFixed(2)}×` : 'n/a');
      met.push(ok === undefined ? 'n/a' : ok ? 'yes' : 'no');
      verdicts.push({ metric: `upload ${protocol.label}`, build: k, met: ok });
    }
    lines.push(`| ${protocol.label} | ${keys.map((k) => cell(row[k])).join(' | ')} | ${ratios.join(' | ')} | ≥ Caddy, RSS grows < 64 MiB | ${met.join(', ')} |`);
  }
  return { text: lines.join('\n'), verdicts };
}

