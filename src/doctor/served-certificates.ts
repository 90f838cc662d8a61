/**
 * Where doctor's handshakes go: the devtls already serving (its port), or, when none runs, a
 * throwaway TLS server on a free loopback port presenting a fresh leaf from the CA for each
 * routed host, exactly as `devtls up` would issue it.
 */
import { createSecureContext, createServer, type SecureContext } from 'node:tls';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { namesForHostKey } from '../pki/leaf-store.js';

export interface ServedEndpoint {
  address: string;
  port: number;
  /** `a throwaway server` or `the devtls on 127.0.0.1:443`, for messages. */
  description: string;
  running: boolean;
  close(): Promise<void>;
}

export function runningEndpoint(port: number, address = '127.0.0.1'): ServedEndpoint {
  return { address, port, description: `the devtls on ${address}:${port}`, running: true, close: async () => {} };
}

/** Which routed host key a TLS server name belongs to (a wildcard covers exactly one label). */
function hostKeyFor(servername: string, hosts: readonly string[]): string | undefined {
  const name = servername.toLowerCase();
  if (hosts.includes(name)) return name;
  const parent = name.slice(name.indexOf('.') + 1);
  return hosts.find((host) => host === `*.${parent}`);
}

export async function startThrowawayServer(ca: CertificateAuthority, hosts: readonly string[]): Promise<ServedEndpoint> {
  const contexts = new Map<string, SecureContext>();
  for (const host of hosts) {
    const leaf = await ca.issueLeafCertificate(namesForHostKey(host));
    contexts.set(host, createSecureContext({ cert: leaf.certPem, key: leaf.keyPem }));
  }
  const server = createServer({
    SNICallback: (servername, callback) => {
      const key = hostKeyFor(servername, hosts);
      callback(null, key === undefined ? undefined : contexts.get(key));
    },
  });
  // Clients only complete a handshake; end each connection once it has, and none outlives close().
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket) => socket.end());
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    address: '127.0.0.1',
    port,
    description: 'a throwaway server with fresh certificates from the CA (no devtls running)',
    running: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
