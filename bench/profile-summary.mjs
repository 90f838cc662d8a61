#!/usr/bin/env node
// Summarize a V8 .cpuprofile: top functions by self time, and self time by package.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP=15] [SKIP_MS=0]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function where(url) {
  if (url === '') return '';
  const short = url.replace(/^file:\/\//, '');
  const nm = short.lastIndexOf('node_modules/');
  if (nm !== -1) return short.slice(nm + 'node_modules/'.length);
  const dist = short.indexOf('/dist/');
  if (dist !== -1) return short.slice(dist + 1);
  return short;
}

function bucket(url, name) {
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return '(garbage collector)';
  if (name === '(program)') return '(program: native, not JS)';
  if (url === '') return '(native / builtins)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m !== null) return m[1];
  if (url.includes('/dist/')) return 'devtls (dist/)';
  return url;
}

/** `skipMs`: ignore samples in the first skipMs of the profile (start-up, module loading). */
export function summarizeProfile(file, top = 15, skipMs = 0) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < skipMs * 1000) continue;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, dt));
  }
  const fn = new Map();
  const pkg = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    total += micros;
    if (name === '(idle)') idle += micros;
    const key = `${name} ${where(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + micros);
    const b = bucket(callFrame.url, name);
    pkg.set(b, (pkg.get(b) ?? 0) + micros);
  }
  const busy = total - idle;
  const rows = [...fn].filter(([key]) => !key.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top);
  const topList = rows.map(([key, micros]) => ({ fn: key, selfMs: micros / 1000, percentOfBusy: (100 * micros) / busy }));
  const byPackage = [...pkg].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]).map(([key, micros]) => ({ package: key, percentOfBusy: (100 * micros) / busy }));
  const lines = [];
  lines.push(`  profile: ${(total / 1e6).toFixed(1)} s sampled${skipMs > 0 ? ` (first ${(skipMs / 1000).toFixed(1)} s of start-up skipped)` : ''}, ${((100 * idle) / total).toFixed(1)}% idle; percentages below are of busy (non-idle) time`);
  lines.push('  | # | function (file:line) | self % |');
  lines.push('  |---|---|---|');
  topList.forEach((row, i) => lines.push(`  | ${i + 1} | \`${row.fn}\` | ${row.percentOfBusy.toFixed(1)} |`));
  lines.push('');
  lines.push('  | where | self % |');
  lines.push('  |---|---|');
  for (const row of byPackage.slice(0, 12)) lines.push(`  | ${row.package} | ${row.percentOfBusy.toFixed(1)} |`);
  return { text: lines.join('\n'), top: topList, byPackage, idlePercent: (100 * idle) / total };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, skip] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, Number(top ?? 15), Number(skip ?? 0)).text);
}
