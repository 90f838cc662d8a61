// Small HTTPS clients for the bench's own checks (not load): ALPN, first 200, edit polling.
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';

/** One GET; resolves { status, body } or rejects on a connection error. The TLS server name
 * is the Host's, as a browser's is (devtls answers 421 to a Host its connection was not opened for). */
export function get(port, path, { host = 'localhost', agent, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: host, headers: { host }, rejectUnauthorized: false, agent: agent ?? false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export function keepAliveAgent() {
  return new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
}

/** Which protocol the server picks when offered h2 and http/1.1 (ALPN). */
export function negotiatedAlpn(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      const protocol = socket.alpnProtocol || 'none';
      socket.destroy();
      resolve(protocol);
    });
    socket.once('error', () => resolve('error'));
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve('timeout');
    });
  });
}

/** Poll with fresh connections every `everyMs` until a 200 (or the deadline); ms since `since`. */
export async function waitForFirstOk(port, since, { timeoutMs = 15_000, everyMs = 2, proc, path = '/' } = {}) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (proc !== undefined && !proc.alive) throw new Error(`${proc.name} exited:\n${proc.output}`);
    try {
      const { status } = await get(port, path, { timeoutMs: 1000 });
      if (status === 200) return performance.now() - since;
    } catch {
      /* not up yet */
    }
    await sleep(everyMs);
  }
  throw new Error(`no 200 from 127.0.0.1:${port} within ${timeoutMs} ms`);
}
