// Helpers for the hardening tests: devtls with short connection limits, raw TLS
// exchanges, and the process's own open file descriptors and heap.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ConnectionLimits } from '../../dist/proxy/connection-limits.js';
import { startTestDevtls, type TestDevtls } from './devtls-instance.js';

export type LimitedProxy = TestDevtls;

/**
 * devtls as `devtls up` starts it, on a free port on 127.0.0.1, with the given connection
 * limits: the tests of timeouts need them in milliseconds, not the defaults' seconds.
 */
export function startLimitedProxy(config: unknown, limits: Partial<ConnectionLimits> = {}): Promise<LimitedProxy> {
  return startTestDevtls(config, { limits });
}

/** Open file descriptors of this process (the proxy runs in it). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

let gc: (() => void) | undefined;
/** Heap in use after a full garbage collection, in bytes. */
export function heapAfterGc(): number {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A TLS connection to 127.0.0.1:port trusting only `ca`, speaking HTTP/1.1 by ALPN. */
export function tlsSocket(port: number, servername: string | undefined, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'], ...(servername === undefined ? {} : { servername }) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Send raw bytes on a fresh TLS connection and collect everything the server sends until it
 * closes the connection (or `waitMs` passes with the connection still open).
 */
export async function rawTlsExchange(port: number, servername: string, ca: string, bytes: string | Buffer, waitMs = 3_000): Promise<{ text: string; closed: boolean }> {
  const socket = await tlsSocket(port, servername, ca);
  return collect(socket, bytes, waitMs);
}

/** The same over plain TCP (for garbage and plain HTTP on the HTTPS port). */
export async function rawTcpExchange(port: number, bytes: string | Buffer, waitMs = 3_000): Promise<{ text: string; closed: boolean }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return collect(socket, bytes, waitMs);
}

function collect(socket: Socket, bytes: string | Buffer, waitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true });
    });
    if (bytes.length > 0) socket.write(bytes);
  });
}

/** Run `count` jobs with at most `width` at a time. */
export async function inBatches(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}
