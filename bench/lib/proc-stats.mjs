// CPU time and memory of a process tree from /proc (Linux).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { descendantPids } from './processes.mjs';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime+stime of one process (all its threads), in microseconds. */
function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
  } catch {
    return 0;
  }
}

/** The PIDs that make up a proxy: the process and its children (nginx's workers). */
export function treePids(pid) {
  return [pid, ...descendantPids(pid)];
}

export function treeCpuMicros(pids) {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

function statusKiB(pid, key) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Resident memory of the tree, MiB (VmRSS summed). */
export function treeRssMiB(pids) {
  return pids.reduce((sum, pid) => sum + statusKiB(pid, 'VmRSS'), 0) / 1024;
}

/** Peak resident memory (VmHWM summed), MiB. */
export function treeHwmMiB(pids) {
  return pids.reduce((sum, pid) => sum + statusKiB(pid, 'VmHWM'), 0) / 1024;
}

/** Resident memory of one process, MiB. */
export function rssMiB(pid) {
  return statusKiB(pid, 'VmRSS') / 1024;
}

/**
 * Samples VmRSS every `everyMs` while load runs; returns a stop() giving the tree's peak.
 * `stop.each` holds each process's own peak (pid → MiB): devtls is two processes.
 */
export function sampleRss(pids, everyMs = 250) {
  let peak = 0;
  const each = new Map();
  const sample = () => {
    let total = 0;
    for (const pid of pids) {
      const rss = rssMiB(pid);
      total += rss;
      each.set(pid, Math.max(each.get(pid) ?? 0, rss));
    }
    peak = Math.max(peak, total);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  const stop = () => {
    clearInterval(timer);
    sample();
    return peak;
  };
  stop.each = each;
  return stop;
}

/** Per-core jiffies from /proc/stat: [{ busy, total }] indexed by core. */
export function coreTimes() {
  const out = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    out[Number(m[1])] = { busy: total - idle, total };
  }
  return out;
}

/** Busy percentage of each core since `before` (from coreTimes()). */
export function coreBusySince(before) {
  const now = coreTimes();
  return now.map((c, i) => {
    const b = before[i] ?? { busy: 0, total: 0 };
    const total = c.total - b.total;
    return total <= 0 ? 0 : (100 * (c.busy - b.busy)) / total;
  });
}

/**
 * The kernel's count of delayed-ACK timer expirations (TcpExt DelayedACKs, /proc/net/netstat):
 * each one is a receiver that waited up to 40 ms before acknowledging. A sender with Nagle
 * on that is waiting for that ACK shows up here, one per stall. Counted for the whole network
 * namespace, so other traffic adds to it; compare deltas per response, A/B in turns.
 */
export function delayedAcks() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
    const names = lines[at].split(/\s+/);
    const values = lines[at + 1].split(/\s+/);
    return Number(values[names.indexOf('DelayedACKs')]);
  } catch {
    return NaN;
  }
}
