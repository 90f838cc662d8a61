import type { SecureContextOptions } from 'node:tls';

/**
 * TLS 1.2 at least, and only forward-secret AEAD suites. Every devtls certificate is
 * ECDSA P-256, so the TLS 1.2 list names ECDHE-ECDSA suites only. These options must be
 * given to every SecureContext, not only the server's: a context chosen by SNI replaces
 * the server's defaults entirely.
 */
export const TLS_SETTINGS: SecureContextOptions = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
  // No trusted CAs: devtls asks no client for a certificate, so it verifies none. Without
  // this, Node gives every context its store of ~140 public roots, which it parses at the
  // first context: ~19 ms of a start (BENCHMARKS.md, "Start-up, memory and handshakes").
  ca: [],
};
