import { createSecureContext, type SecureContext } from 'node:tls';
import type { LeafCertificate, LeafCertificateStore } from '../pki/leaf-store.js';
import { wildcardCertificateAllowed } from '../pki/host-names.js';
import type { RouteTable } from '../routes/route-table.js';
import { TLS_SETTINGS } from './tls-settings.js';

interface CachedContext {
  leaf: LeafCertificate;
  context: SecureContext;
}

export type CertificateErrorListener = (hostKey: string, error: unknown) => void;

/**
 * Chooses the certificate for each TLS handshake by its SNI name. A configured host that
 * has no certificate yet (a host added at run time, a new preview sub-domain) gets one at
 * its first handshake; an expired one (the laptop slept for weeks) is renewed at the
 * handshake too, not only on a timer. Names no route covers never get a certificate.
 */
export class SecureContexts {
  private readonly cache = new Map<string, CachedContext>();
  private readonly store: LeafCertificateStore;
  private readonly routes: () => RouteTable;
  private readonly onError: CertificateErrorListener;

  constructor(store: LeafCertificateStore, routes: () => RouteTable, onError: CertificateErrorListener) {
    this.store = store;
    this.routes = routes;
    this.onError = onError;
  }

  /** The certificate key for an SNI name: the host itself, a wildcard pattern, or undefined if no route covers it. */
  certificateKeyFor(serverName: string): string | undefined {
    const host = serverName.toLowerCase();
    const pattern = this.routes().hostPatternFor(host);
    if (pattern === undefined) return undefined;
    if (!pattern.startsWith('*.')) return pattern;
    // A wildcard certificate covers exactly one more label, and only where browsers accept it.
    const oneLabelDeeper = host.indexOf('.') === host.length - pattern.length + 1;
    return oneLabelDeeper && wildcardCertificateAllowed(pattern) ? pattern : host;
  }

  /** For tls.Server's SNICallback. Unknown names get the default (localhost) certificate. */
  readonly sniCallback = (serverName: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    const key = this.certificateKeyFor(serverName);
    if (key === undefined) {
      // A host whose route was removed while devtls ran keeps the certificate it already
      // had, so the browser sees devtls's 404 page rather than a certificate error.
      const previous = this.cache.get(serverName.toLowerCase());
      callback(null, previous !== undefined && !this.store.needsRenewal(previous.leaf) ? previous.context : undefined);
      return;
    }
    const cached = this.cache.get(key);
    if (cached !== undefined && !this.store.needsRenewal(cached.leaf)) {
      callback(null, cached.context);
      return;
    }
    this.contextFor(key).then(
      (context) => callback(null, context),
      (error: unknown) => {
        this.onError(key, error);
        callback(null, undefined);
      },
    );
  };

  /** Issue (or load) the certificate for a key and build its context. */
  async contextFor(key: string): Promise<SecureContext> {
    const cached = this.cache.get(key);
    if (cached !== undefined && !this.store.needsRenewal(cached.leaf)) return cached.context;
    const leaf = await this.store.get(key);
    const context = createSecureContext({ ...TLS_SETTINGS, cert: leaf.certPem, key: leaf.keyPem });
    this.cache.set(key, { leaf, context });
    return context;
  }

  /** Certificates for every host the routes name up front, so the first page load waits for nothing. */
  async warm(table: RouteTable): Promise<void> {
    const keys = new Set<string>();
    for (const pattern of table.hostPatterns()) {
      if (!pattern.startsWith('*.')) keys.add(pattern);
      else if (wildcardCertificateAllowed(pattern)) keys.add(pattern);
    }
    await Promise.all([...keys].map((key) => this.contextFor(key)));
  }
}
