/**
 * Which names the CA may sign: the permitted DNS names and IP ranges written into its
 * nameConstraints when it is created, and, once read back from a CA certificate, whether a
 * given name falls inside them. Pure: no I/O, no keys.
 */
import { UserError } from '../errors.js';
import {
  formatIpRange,
  isIpLiteral,
  isWildcardName,
  normalizeHostName,
  parseIpRange,
  wildcardCertificateAllowed,
  type IpRange,
} from './host-names.js';
import { nameConstraintsPermit, type NameConstraintSet } from './name-constraints.js';

/** Names a new CA may issue for (each covers itself and every subdomain, RFC 5280). All are
 * reserved for local or private use and can never be a real public site. */
export const DEFAULT_PERMITTED_NAMES: readonly string[] = Object.freeze(['localhost', 'test', 'internal', 'home.arpa', 'local', 'example']);
/** Loopback only: a leaked CA key still cannot impersonate any other address. */
export const DEFAULT_PERMITTED_IP_RANGES: readonly string[] = Object.freeze(['127.0.0.0/8', '::1/128']);
/** Single-label names accepted in `extraPermittedNames`: not delegated in the public DNS.
 * Any other extra name needs two labels, so `dev` or `com` (real TLDs) cannot be added. */
const PRIVATE_TOP_LEVEL_NAMES = new Set([...DEFAULT_PERMITTED_NAMES, 'invalid', 'lan', 'home', 'corp', 'intranet', 'private', 'localdomain']);

/** The constraints a new CA gets: the default names plus `extra`, and the loopback ranges.
 * UserError for an extra name that is not a plain DNS name or is a public top-level name. */
export function constraintsForNewCa(extra: readonly string[] = []): { permittedDnsNames: string[]; permittedIpRanges: IpRange[] } {
  const names = [...DEFAULT_PERMITTED_NAMES];
  for (const raw of extra) {
    const name = normalizeHostName(raw);
    if (name === undefined || isIpLiteral(name) || isWildcardName(name)) {
      throw new UserError(`"${raw}" cannot be added to the CA's permitted names: it is not a plain DNS name.`, {
        hint: 'Give a domain such as myproject.example.com; it covers that name and all its subdomains.',
        code: 'EPKI_BAD_NAME',
      });
    }
    if (!name.includes('.') && !PRIVATE_TOP_LEVEL_NAMES.has(name)) {
      throw new UserError(`"${name}" is too broad to add to the CA: it would let the CA sign for every .${name} site.`, {
        hint: `Use a domain you control with at least two labels, e.g. myproject.${name}.`,
        code: 'EPKI_BAD_NAME',
      });
    }
    if (!names.includes(name)) names.push(name);
  }
  const permittedIpRanges = DEFAULT_PERMITTED_IP_RANGES.map((text) => parseIpRange(text)).filter(
    (range): range is IpRange => range !== undefined,
  );
  return { permittedDnsNames: names, permittedIpRanges };
}

/** The names one CA may sign, as its own nameConstraints say. */
export class NamingPolicy {
  /** DNS names from the constraints, e.g. `localhost`, `test`. */
  readonly permittedNames: readonly string[];
  /** IP ranges from the constraints, e.g. `127.0.0.0/8`, `::1/128`. */
  readonly permittedIpRanges: readonly string[];
  readonly #constraints: NameConstraintSet;

  constructor(constraints: NameConstraintSet) {
    this.#constraints = constraints;
    this.permittedNames = Object.freeze([...constraints.permittedDnsNames]);
    this.permittedIpRanges = Object.freeze(constraints.permittedIpRanges.map(formatIpRange));
  }

  /** True if `name` (DNS name, `*.` wildcard name, or IP literal) is inside the constraints,
   * i.e. a leaf for it would be accepted by browsers, OpenSSL and Node. */
  permits(name: string): boolean {
    const normalized = normalizeHostName(name);
    if (normalized === undefined) return false;
    return nameConstraintsPermit(this.#constraints, normalized, isIpLiteral(normalized));
  }

  /** A human summary of what the CA covers: `.localhost, .test, …, 127.0.0.0/8 and ::1`. */
  describeScope(): string {
    const parts = [...this.permittedNames.map((name) => `.${name}`), ...this.permittedIpRanges.map(shortRange)];
    return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  }

  /** The scope as a list, as `devtls ca` prints it: `.localhost .test … 127.0.0.0/8 ::1`. */
  listScope(): string {
    return [...this.permittedNames.map((name) => `.${name}`), ...this.permittedIpRanges.map(shortRange)].join(' ');
  }

  /** `name` normalised, or a UserError saying why the CA may not sign it: not a host name,
   * a wildcard browsers reject, or outside the constraints. */
  checkedName(name: string): string {
    const normalized = normalizeHostName(name);
    if (normalized === undefined) {
      throw new UserError(`"${name}" is not a valid host name or IP address.`, {
        hint: 'Use letters, digits and hyphens separated by dots (e.g. app.localhost), a *. wildcard, or an IP literal.',
        code: 'EPKI_BAD_NAME',
      });
    }
    if (isWildcardName(normalized) && !wildcardCertificateAllowed(normalized)) {
      throw new UserError(`"${normalized}" is too broad for a wildcard certificate: browsers reject a wildcard directly under a top-level name.`, {
        hint: `Put at least two labels after "*.", e.g. *.preview${normalized.slice(1)}.`,
        code: 'EPKI_BAD_WILDCARD',
      });
    }
    if (!this.permits(normalized)) {
      const firstLabel = normalized.replace(/^\*\./, '').split(/[.:]/)[0] || 'app';
      throw new UserError(`Cannot issue a certificate for "${normalized}": the devtls CA only covers ${this.describeScope()}.`, {
        hint: isIpLiteral(normalized)
          ? 'Listen on a loopback address (127.0.0.1 or ::1), or use a host name such as app.localhost.'
          : `Use a name under one of those, e.g. ${firstLabel}.localhost.`,
        code: 'EPKI_NAME_NOT_PERMITTED',
      });
    }
    return normalized;
  }
}

/** A single-address range reads as the address: `::1/128` → `::1`. */
function shortRange(range: string): string {
  return range.replace(/\/(32|128)$/, '');
}
