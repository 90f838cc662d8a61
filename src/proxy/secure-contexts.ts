import { createSecureContext, type SecureContext } from 'node:tls';
import type { LeafCertificate, LeafCertificateStore } from '../pki/leaf-store.js';
import { isIpLiteral, normalizeHostName, wildcardCertificateAllowed } from '../pki/host-names.js';
import { OnDemandLeaves, type OnDemandLeavesOptions } from '../pki/on-demand-leaves.js';
import type { RouteTable } from '../routes/route-table.js';
import { TLS_SETTINGS } from './tls-settings.js';

interface CachedContext {
  leaf: LeafCertificate;
  context: SecureContext;
}

export type CertificateErrorListener = (hostKey: string, error: unknown) => void;

/** Told once per certificate issued for a name no route covers (e.g. `unknown.localhost`):
 * the browser will see devtls's 404 page for it, and the terminal can say why. */
export type UnroutedNameListener = (serverName: string) => void;

export interface SecureContextsOptions {
  onUnroutedName?: UnroutedNameListener;
  /** Bounds for the certificates kept in memory only (how many, how fast they are signed). */
  onDemand?: OnDemandLeavesOptions;
}

/**
 * Chooses the certificate for each TLS handshake by its SNI name.
 * - A routed host, and a wildcard route whose wildcard certificate browsers accept
 *   (`*.preview.localhost`), get a certificate kept on disk in certs/, issued up front by
 *   `warm` or at the first handshake (a host added at run time), and renewed at the
 *   handshake once it is due (the laptop slept for weeks), not only on a timer.
 * - A host under a wildcard that needs one certificate per name (`*.localhost`), and a name
 *   the CA may sign that no route covers (a typo, a host not routed yet), get a certificate
 *   held in memory only: a bounded cache with a signing rate limit, so a flood of random
 *   names grows neither the disk nor the memory. Past the rate limit they get the default
 *   certificate. An unrouted name is reported once when its certificate is made, so the
 *   terminal can say it is served devtls's 404 page.
 * - Every other name (one the CA may not sign) gets the default (localhost) certificate.
 */
export class SecureContexts {
  private readonly cache = new Map<string, CachedContext>();
  private readonly store: LeafCertificateStore;
  private readonly routes: () => RouteTable;
  private readonly onError: CertificateErrorListener;
  private readonly onUnroutedName: UnroutedNameListener;
  private readonly onDemand: OnDemandLeaves<SecureContext>;

  constructor(store: LeafCertificateStore, routes: () => RouteTable, onError: CertificateErrorListener, options: SecureContextsOptions = {}) {
    this.store = store;
    this.routes = routes;
    this.onError = onError;
    this.onUnroutedName = options.onUnroutedName ?? (() => undefined);
    this.onDemand = new OnDemandLeaves(store, contextForLeaf, options.onDemand);
  }

  /** How many certificates are held in memory only (bounded by `onDemand.capacity`). */
  get inMemoryCount(): number {
    return this.onDemand.size;
  }

  /**
   * The certificate key for an SNI name: the route's host, the wildcard pattern whose
   * certificate covers it, the name itself (a per-name certificate: under a wildcard whose
   * certificate browsers reject, or no route but a name the CA may sign), or undefined (the
   * default certificate). Two names share a certificate exactly when their keys are equal.
   */
  certificateKeyFor(serverName: string): string | undefined {
    return this.lookUp(serverName).key;
  }

  /** For tls.Server's SNICallback. Names with no certificate key get the default (localhost) certificate. */
  readonly sniCallback = (serverName: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    const { key, pattern } = this.lookUp(serverName);
    if (key === undefined) {
      callback(null, undefined);
      return;
    }
    const onDisk = this.cache.get(key);
    if (key === pattern) {
      if (onDisk !== undefined && !this.store.needsRenewal(onDisk.leaf)) {
        callback(null, onDisk.context);
        return;
      }
      this.contextFor(key).then(
        (context) => callback(null, context),
        (error: unknown) => {
          this.onError(key, error);
          callback(null, undefined);
        },
      );
      return;
    }
    // A host whose route was removed while devtls ran keeps the certificate it already had.
    if (onDisk !== undefined && !this.store.needsRenewal(onDisk.leaf)) {
      callback(null, onDisk.context);
      return;
    }
    this.onDemand.get(key).then(
      (result) => {
        if (result?.issued === true && pattern === undefined) this.onUnroutedName(key);
        callback(null, result?.value);
      },
      (error: unknown) => {
        this.onError(key, error);
        callback(null, undefined);
      },
    );
  };

  /** Issue (or load) the on-disk certificate for a key and build its context. */
  async contextFor(key: string): Promise<SecureContext> {
    const cached = this.cache.get(key);
    if (cached !== undefined && !this.store.needsRenewal(cached.leaf)) return cached.context;
    const leaf = await this.store.get(key);
    const context = contextForLeaf(leaf);
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

  /** The route pattern covering an SNI name (if any) and its certificate key (see certificateKeyFor). */
  private lookUp(serverName: string): { key: string | undefined; pattern: string | undefined } {
    const host = serverName.toLowerCase();
    const pattern = this.routes().hostPatternFor(host);
    if (pattern !== undefined) return { key: keyForRoutedHost(host, pattern), pattern };
    return { key: this.mayIssueOnDemand(host) ? host : undefined, pattern };
  }

  /**
   * Whether a name no route covers gets its own certificate: a plain DNS name (not an IP
   * literal, not a wildcard, already in normal form) inside the CA's name constraints.
   * `localhost` is what the default certificate is for.
   */
  private mayIssueOnDemand(host: string): boolean {
    if (host === 'localhost' || host.startsWith('*.') || isIpLiteral(host)) return false;
    return normalizeHostName(host) === host && this.store.ca.permits(host);
  }
}

/** A wildcard route's certificate is the wildcard itself where browsers accept one
 * (the route table matches exactly one label under it, as a wildcard certificate does);
 * otherwise each host under it gets its own. */
function keyForRoutedHost(host: string, pattern: string): string {
  if (!pattern.startsWith('*.')) return pattern;
  return wildcardCertificateAllowed(pattern) ? pattern : host;
}

function contextForLeaf(leaf: LeafCertificate): SecureContext {
  return createSecureContext({ ...TLS_SETTINGS, cert: leaf.certPem, key: leaf.keyPem });
}
