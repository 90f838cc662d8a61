import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import { chromiumEnv, headlessChromiumFlags, type BrowserProfile } from './chromium.js';
import { within } from './eventually.js';

/**
 * Headless Chromium driven over the DevTools protocol, for pages that must stay open while
 * the test acts (a live stream): open a page, evaluate script in it, take screenshots.
 * Loopback only: the debugging port is bound to 127.0.0.1 and chosen by Chromium.
 */
export interface BrowserSession {
  open(url: string, width?: number, height?: number): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  screenshot(): Promise<Buffer>;
  /** Turn on a DevTools domain of the page (`Runtime`, `Network`) so its events arrive. */
  enable(domain: string): Promise<void>;
  /** Listen to a DevTools event of the page (`Runtime.consoleAPICalled`, `Network.webSocketCreated`). */
  on(method: string, listener: (params: Record<string, unknown>) => void): void;
  close(): Promise<void>;
}

export async function startBrowser(profile: BrowserProfile): Promise<BrowserSession> {
  const child: ChildProcess = spawn(
    'chromium',
    [...headlessChromiumFlags(profile), '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', 'about:blank'],
    // Its own process group, so closing ends Chromium's helper processes too, before the profile is removed.
    { env: chromiumEnv(profile), stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not open its DevTools port:\n${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', () => reject(new Error(`chromium exited:\n${stderr}`)));
  });
  const ws = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  const loaded = new Set<() => void>();
  const listeners = new Map<string, ((params: Record<string, unknown>) => void)[]>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    if (message.method === 'Page.loadEventFired') for (const done of loaded) done();
    if (message.method !== undefined) for (const listener of listeners.get(message.method) ?? []) listener(message.params ?? {});
    if (message.id === undefined) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error.message));
    else waiting?.resolve(message.result ?? {});
  });
  // A Chromium that crashed or hangs fails the call that waited on it, never stalls the run.
  ws.on('close', () => {
    for (const waiting of pending.values()) waiting.reject(new Error('the DevTools connection to Chromium closed'));
    pending.clear();
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> => {
    const id = nextId++;
    return within(
      new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) }));
      }),
      `Chromium answering ${method}`,
      30_000,
    );
  };
  const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
  const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  await send('Page.enable', {}, sessionId);
  return {
    async open(url, width = 1200, height = 1000) {
      await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: width < 600 }, sessionId);
      const load = new Promise<void>((resolve) => {
        const done = (): void => {
          loaded.delete(done);
          resolve();
        };
        loaded.add(done);
      });
      const result = await send('Page.navigate', { url }, sessionId);
      if (typeof result['errorText'] === 'string') throw new Error(`${url}: ${result['errorText']}`);
      await within(load, `Chromium loading ${url}`, 30_000);
    },
    async evaluate<T>(expression: string): Promise<T> {
      const result = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as { result: { value: T }; exceptionDetails?: { text: string } };
      if (result.exceptionDetails !== undefined) throw new Error(`${expression}: ${result.exceptionDetails.text}`);
      return result.result.value;
    },
    async screenshot() {
      const { data } = (await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId)) as { data: string };
      return Buffer.from(data, 'base64');
    },
    async enable(domain) {
      await send(`${domain}.enable`, {}, sessionId);
    },
    on(method, listener) {
      listeners.set(method, [...(listeners.get(method) ?? []), listener]);
    },
    async close() {
      ws.close();
      const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
      await within<unknown>(exited, 'Chromium ending', 30_000);
    },
  };
}
