// Load generators: wrk (HTTP/1.1 keep-alive), h2load (fresh TLS connections, HTTP/2) and
// the WebSocket client. Each runs on core 1, bounded in time, stopped by PID if it overruns.
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { run } from './processes.mjs';

export const LOAD_CORE = 1;

/** Pin the bench's own process (all its threads) to the load core, away from the proxy's. */
export function pinToLoadCore() {
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
}

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (match === null) return NaN;
  const value = Number(match[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[match[2]];
}

function toBytes(text) {
  const match = /^([\d.]+)([KMG]?B)$/.exec(text.trim());
  if (match === null) return NaN;
  return Number(match[1]) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[match[2]];
}

/** wrk: -t1 on the load core. Returns req/s, p50/p99 (ms), bytes/s, errors. */
export async function wrk(url, { connections, seconds, host, latency = true }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s'];
  if (latency) args.push('--latency');
  if (host !== undefined) args.push('-H', `Host: ${host}`);
  args.push(url);
  const { output, code } = await run('wrk', 'wrk', args, { core: LOAD_CORE, timeoutMs: (seconds + 15) * 1000 });
  if (code !== 0) throw new Error(`wrk failed (${code}): ${output}`);
  const num = (re) => {
    const m = re.exec(output);
    return m === null ? NaN : Number(m[1]);
  };
  const requests = num(/(\d+) requests in/);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  return {
    requests,
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50ms: toMs(/\n\s+50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99ms: toMs(/\n\s+99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    bytesPerSec: toBytes(/Transfer\/sec:\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: (Number.isNaN(non2xx) ? 0 : non2xx) + (socketErrors === null ? 0 : socketErrors.slice(1).reduce((s, v) => s + Number(v), 0)),
    raw: output,
  };
}

/** h2load: returns finished requests, req/s, failed/errored counts and the TLS protocol seen. */
export async function h2load(url, args, { timeoutMs = 60_000 } = {}) {
  const { output, code } = await run('h2load', 'h2load', [...args, url], { core: LOAD_CORE, timeoutMs });
  if (code !== 0) throw new Error(`h2load failed (${code}): ${output}`);
  const done = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  return {
    rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(output)?.[1] ?? NaN),
    done: done === null ? 0 : Number(done[3]),
    succeeded: done === null ? 0 : Number(done[4]),
    failed: done === null ? 0 : Number(done[5]) + Number(done[6]),
    protocol: /Application protocol: (\S+)/.exec(output)?.[1] ?? '?',
    tls: /TLS Protocol: (\S+)/.exec(output)?.[1] ?? '?',
    raw: output,
  };
}

const wsClient = fileURLToPath(new URL('../ws-load.mjs', import.meta.url));

/** WebSocket echo load through the proxy: messages/s echoed back. */
export async function wsLoad(url, { connections, window, seconds, host }) {
  const { output, code } = await run(
    'ws-load',
    process.execPath,
    [wsClient, url, String(connections), String(window), String(seconds), host ?? ''],
    { core: LOAD_CORE, timeoutMs: (seconds + 20) * 1000 },
  );
  const line = output.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`ws client failed (${code}): ${output}`);
  return JSON.parse(line);
}
