/**
 * Real TLS handshakes to a served certificate, each verifying against one store alone:
 * Node's TLS with only a PEM bundle's certificates as roots (what curl, Python and other
 * OpenSSL clients do with the system bundle), and NSS with only one database (tstclnt, the
 * handshake Chrome and Firefox make; vfychain on the served chain where tstclnt is absent).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { CommandRunner } from '../trust/command-runner.js';
import { NSS_VERIFY } from '../trust/store-paths.js';
import type { ServedEndpoint } from './served-certificates.js';

export type HandshakeFailure = 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-name' | 'unreachable' | 'other';

export type HandshakeOutcome = { ok: true } | { ok: false; reason: HandshakeFailure; detail: string };

/** Loopback handshakes take milliseconds; this only bounds a peer that never answers. */
const TIMEOUT_MS = 10_000;

function tlsConnect(endpoint: ServedEndpoint, options: ConnectionOptions): Promise<{ peer: PeerCertificate } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.address, port: endpoint.port, ...options });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), TIMEOUT_MS);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(true);
      socket.destroy();
      resolve({ peer });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ error });
    });
  });
}

function classifyOpenSsl(code: string | undefined): HandshakeFailure {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'expired';
    case 'CERT_NOT_YET_VALID':
      return 'not-yet-valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'wrong-name';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'untrusted';
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return 'unreachable';
    default:
      return 'other';
  }
}

/** The certificate served for `servername`, unverified (for its dates and names). */
export async function servedCertificate(endpoint: ServedEndpoint, servername: string): Promise<X509Certificate | { reason: HandshakeFailure; detail: string }> {
  const result = await tlsConnect(endpoint, { servername, rejectUnauthorized: false });
  if ('error' in result) return { reason: classifyOpenSsl(result.error.code), detail: result.error.code ?? result.error.message };
  return new X509Certificate(result.peer.raw);
}

/** A handshake that trusts only the certificates in `rootsPem` (and checks the host name). */
export async function handshakeWithRoots(endpoint: ServedEndpoint, servername: string, rootsPem: string): Promise<HandshakeOutcome> {
  const result = await tlsConnect(endpoint, { servername, ca: rootsPem, rejectUnauthorized: true });
  if (!('error' in result)) return { ok: true };
  return { ok: false, reason: classifyOpenSsl(result.error.code), detail: result.error.code ?? result.error.message };
}

function classifyNss(text: string): { reason: HandshakeFailure; detail: string } {
  // vfychain prints NSS's numeric codes: -8181 expired, -8179 unknown issuer, -8172 untrusted issuer.
  const numeric: Record<string, string> = { '-8181': 'SEC_ERROR_EXPIRED_CERTIFICATE', '-8179': 'SEC_ERROR_UNKNOWN_ISSUER', '-8172': 'SEC_ERROR_UNTRUSTED_ISSUER' };
  const code = /\b((?:SEC|SSL|PR)_ERROR_[A-Z_]+)\b/.exec(text)?.[1] ?? numeric[/ERROR (-\d+)/.exec(text)?.[1] ?? ''];
  if (code === undefined) return { reason: 'other', detail: text.trim().split('\n').slice(-1)[0] ?? 'failed' };
  const reason: HandshakeFailure =
    code === 'SEC_ERROR_EXPIRED_CERTIFICATE'
      ? 'expired'
      : code === 'SSL_ERROR_BAD_CERT_DOMAIN'
        ? 'wrong-name'
        : /UNKNOWN_ISSUER|UNTRUSTED_ISSUER|UNTRUSTED_CERT|CA_CERT_INVALID|INADEQUATE_KEY_USAGE/.test(code)
          ? 'untrusted'
          : /CONNECT_REFUSED|IO_TIMEOUT|CONNECT_RESET/.test(code)
            ? 'unreachable'
            : 'other';
  return { reason, detail: code };
}

/**
 * A handshake through NSS trusting only the database `dbSpec` (`sql:DIR`): tstclnt checks
 * the chain, dates, name constraints and host name as the browsers do. Without tstclnt,
 * vfychain verifies the served chain against the database and Node checks the host name.
 */
export async function handshakeWithNss(endpoint: ServedEndpoint, servername: string, dbSpec: string, runner: CommandRunner): Promise<HandshakeOutcome | undefined> {
  const tstclnt = await runner.run([NSS_VERIFY.handshake, '-h', endpoint.address, '-p', String(endpoint.port), '-a', servername, '-d', dbSpec, '-Q']);
  if (tstclnt.code === 0) return { ok: true };
  if (tstclnt.code !== 127) return { ok: false, ...classifyNss(`${tstclnt.stderr}\n${tstclnt.stdout}`) };
  const served = await tlsConnect(endpoint, { servername, rejectUnauthorized: false });
  if ('error' in served) return { ok: false, reason: classifyOpenSsl(served.error.code), detail: served.error.code ?? served.error.message };
  const dir = await mkdtemp(join(tmpdir(), 'devtls-doctor-'));
  try {
    const file = join(dir, 'served.pem');
    await writeFile(file, new X509Certificate(served.peer.raw).toString());
    const vfychain = await runner.run([NSS_VERIFY.chain, '-d', dbSpec, '-u', '1', '-a', file]);
    if (vfychain.code === 127) return undefined;
    if (vfychain.code !== 0) return { ok: false, ...classifyNss(`${vfychain.stdout}\n${vfychain.stderr}`) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const mismatch = checkServerIdentity(servername, served.peer);
  return mismatch === undefined ? { ok: true } : { ok: false, reason: 'wrong-name', detail: 'ERR_TLS_CERT_ALTNAME_INVALID' };
}
