/**
 * The one place that loads @peculiar/x509. It needs `reflect-metadata` loaded first (its
 * tsyringe container throws at import time otherwise), and it is told to use Node's WebCrypto.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };

/** ECDSA P-256 with SHA-256: the one key type devtls uses for the CA and every leaf. */
export const EC_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** A random positive serial number as hex: 16 bytes (at least 120 random bits), top bit clear. */
export function randomSerialNumber(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;
  return Buffer.from(bytes).toString('hex');
}

export function toPem(der: ArrayBuffer, tag: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${tag}-----\n${body}\n-----END ${tag}-----\n`;
}

/** Serial number as upper-case hex without leading zero bytes (as `openssl x509 -serial` prints it). */
export function formatSerialNumber(hex: string): string {
  return hex.toUpperCase().replace(/^(00)+(?=.)/, '');
}
