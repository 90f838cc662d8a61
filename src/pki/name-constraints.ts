/**
 * The X.509 nameConstraints extension (RFC 5280 §4.2.1.10), encoded and decoded by hand:
 * only permitted/excluded dNSName and iPAddress subtrees, which is all devtls writes (DER
 * framing from der.ts). Kept here so the rest of pki deals in plain strings and ranges.
 *
 *   NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 *                                  excludedSubtrees  [1] GeneralSubtrees OPTIONAL }
 *   GeneralSubtree  ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
 *   GeneralName     ::= ... dNSName [2] IA5String ... iPAddress [7] OCTET STRING (address || mask)
 */
import { readTlvs, tlv } from './der.js';
import { dnsNameWithinConstraint, ipWithinRange, type IpRange } from './host-names.js';

export const NAME_CONSTRAINTS_OID = '2.5.29.30';

export interface NameConstraintSet {
  readonly permittedDnsNames: readonly string[];
  readonly permittedIpRanges: readonly IpRange[];
  readonly excludedDnsNames: readonly string[];
  readonly excludedIpRanges: readonly IpRange[];
}

const TAG_SEQUENCE = 0x30;
const TAG_PERMITTED = 0xa0;
const TAG_EXCLUDED = 0xa1;
const TAG_DNS = 0x82;
const TAG_IP = 0x87;

function maskBytes(range: IpRange): number[] {
  const mask: number[] = [];
  for (let i = 0, bits = range.prefixLength; i < range.address.length; i++, bits -= 8) {
    mask.push(bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff);
  }
  return mask;
}

function encodeSubtrees(dnsNames: readonly string[], ipRanges: readonly IpRange[]): Uint8Array[] {
  const subtrees: Uint8Array[] = [];
  for (const name of dnsNames) {
    subtrees.push(tlv(TAG_SEQUENCE, tlv(TAG_DNS, Buffer.from(name, 'ascii'))));
  }
  for (const range of ipRanges) {
    const mask = maskBytes(range);
    const network = Array.from(range.address, (b, i) => b & (mask[i] ?? 0));
    subtrees.push(tlv(TAG_SEQUENCE, tlv(TAG_IP, Uint8Array.from([...network, ...mask]))));
  }
  return subtrees;
}

/** DER value of a nameConstraints extension. */
export function encodeNameConstraints(set: Partial<NameConstraintSet>): Uint8Array<ArrayBuffer> {
  const body: Uint8Array[] = [];
  const permittedDns = set.permittedDnsNames ?? [];
  const permittedIp = set.permittedIpRanges ?? [];
  const excludedDns = set.excludedDnsNames ?? [];
  const excludedIp = set.excludedIpRanges ?? [];
  if (permittedDns.length + permittedIp.length > 0) body.push(tlv(TAG_PERMITTED, ...encodeSubtrees(permittedDns, permittedIp)));
  if (excludedDns.length + excludedIp.length > 0) body.push(tlv(TAG_EXCLUDED, ...encodeSubtrees(excludedDns, excludedIp)));
  return Uint8Array.from(tlv(TAG_SEQUENCE, ...body));
}

function decodeSubtrees(content: Uint8Array, dns: string[], ips: IpRange[]): void {
  for (const subtree of readTlvs(content)) {
    if (subtree.tag !== TAG_SEQUENCE) throw new Error('GeneralSubtree is not a SEQUENCE');
    const base = readTlvs(subtree.content).next();
    if (base.done === true) throw new Error('empty GeneralSubtree');
    const { tag, content: value } = base.value;
    if (tag === TAG_DNS) {
      dns.push(Buffer.from(value).toString('ascii'));
    } else if (tag === TAG_IP) {
      if (value.length !== 8 && value.length !== 32) throw new Error('bad iPAddress constraint length');
      const half = value.length / 2;
      const mask = value.subarray(half);
      let prefixLength = 0;
      for (const byte of mask) prefixLength += [...byte.toString(2)].filter((bit) => bit === '1').length;
      ips.push({ address: Uint8Array.from(value.subarray(0, half)), prefixLength });
    }
    // Other name forms (email, URI, directoryName) do not affect server certificates for hosts.
  }
}

/** Parse the DER value of a nameConstraints extension. Throws on malformed input. */
export function decodeNameConstraints(der: ArrayBuffer | Uint8Array): NameConstraintSet {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const outer = readTlvs(bytes).next();
  if (outer.done === true || outer.value.tag !== TAG_SEQUENCE) throw new Error('NameConstraints is not a SEQUENCE');
  const result = {
    permittedDnsNames: [] as string[],
    permittedIpRanges: [] as IpRange[],
    excludedDnsNames: [] as string[],
    excludedIpRanges: [] as IpRange[],
  };
  for (const part of readTlvs(outer.value.content)) {
    if (part.tag === TAG_PERMITTED) decodeSubtrees(part.content, result.permittedDnsNames, result.permittedIpRanges);
    else if (part.tag === TAG_EXCLUDED) decodeSubtrees(part.content, result.excludedDnsNames, result.excludedIpRanges);
    else throw new Error('unexpected field in NameConstraints');
  }
  return result;
}

/**
 * Whether a (normalised) DNS name or IP literal is allowed by the constraints, as a verifier
 * applies them: excluded subtrees always win; when there are permitted subtrees of the name's
 * type, the name must fall in one of them; with none of that type, it is unconstrained.
 */
export function nameConstraintsPermit(set: NameConstraintSet, name: string, isIp: boolean): boolean {
  if (isIp) {
    if (set.excludedIpRanges.some((range) => ipWithinRange(name, range))) return false;
    return set.permittedIpRanges.length === 0 || set.permittedIpRanges.some((range) => ipWithinRange(name, range));
  }
  if (set.excludedDnsNames.some((c) => dnsNameWithinConstraint(name, c))) return false;
  return set.permittedDnsNames.length === 0 || set.permittedDnsNames.some((c) => dnsNameWithinConstraint(name, c));
}
