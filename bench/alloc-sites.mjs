#!/usr/bin/env node
// Where the instance allocates what outlives the young generation: V8's sampling heap
// profiler, over the inspector, while `devtls serve` alone is under load (h2load -c32 -m10,
// or wrk -c32 with --h1), after a 2 s warm-up. By default it keeps only objects that a
// mark-compact freed (they outlived two scavenges: promoted, the costly kind); --all keeps
// every allocation. Prints bytes per request by allocation site, and by its 4-frame stack.
// Usage (after `npm run build`): node bench/alloc-sites.mjs [--h1] [--all] [--seconds 3]
// Instance on core 0, backend and load on core 1; the inspector on 127.0.0.1 only; every
// process stopped by PID.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { flag, number } from './lib/args.mjs';
import { stopAll } from './lib/processes.mjs';
import { pinToLoadCore } from './lib/load.mjs';
import { loadedInstance } from './lib/instance.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'dist/cli.js');
const { INSTANCE_NODE_FLAGS } = await import(join(root, 'dist/instance/start-instance.js'));
const http1 = flag('--h1');
const everything = flag('--all');
const seconds = number('--seconds', 3);
const INSPECTOR_PORT = 19339;

pinToLoadCore();
const dir = mkdtempSync(join(tmpdir(), 'devtls-alloc-'));
try {
  const { instance, backend, load } = await loadedInstance({ dir, name: 'alloc-sites', cli, flags: [...INSTANCE_NODE_FLAGS, `--inspect=127.0.0.1:${INSPECTOR_PORT}`], http1 });
  const inspector = await connectInspector();
  await load(2);
  await inspector.send('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: everything });
  const result = await load(seconds);
  await inspector.send('HeapProfiler.collectGarbage');
  const { profile } = await inspector.send('HeapProfiler.stopSampling');
  inspector.close();
  await instance.stop();
  for (const proc of backend.procs) await proc.stop();
  const requests = Math.max(1, result.requests ?? result.done ?? 0);
  report(profile, requests);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

async function connectInspector() {
  const [target] = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    pending.get(message.id)?.(message.result ?? {});
    pending.delete(message.id);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

function report(profile, requests) {
  const sites = new Map();
  const stacks = new Map();
  let total = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node, callers) => {
    const frame = node.callFrame;
    const here = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`;
    const stack = [here, ...callers].slice(0, 4);
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(sites, here, node.selfSize);
      add(stacks, stack.join(' < '), node.selfSize);
    }
    for (const child of node.children) walk(child, stack);
  };
  walk(profile.head, []);
  const top = (map, count) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([key, bytes]) => `${(bytes / requests).toFixed(0).padStart(6)} B  ${key}`);
  console.log(`${http1 ? 'HTTP/1.1 keep-alive' : 'HTTP/2'}, ${requests} requests: ${(total / requests).toFixed(0)} B per request sampled, ${everything ? 'all allocations' : 'of objects only a mark-compact freed'}`);
  console.log(`by site (bytes per request):\n${top(sites, 20).join('\n')}`);
  console.log(`by stack:\n${top(stacks, 12).join('\n')}`);
}
