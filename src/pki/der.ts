/**
 * A minimal DER (X.690) writer and reader: just the types devtls's certificates use.
 * Writers return Uint8Array; `tlv` assembles tag, definite length and content. The reader
 * walks one level at a time and refuses what DER forbids (indefinite lengths, non-minimal
 * long lengths, multi-byte tags, truncation), so a damaged file fails loudly, not subtly.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

// ---------------------------------------------------------------------------------------
// Writing

export function encodeLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad DER length ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Tag, length, and the concatenation of `content`. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...items);
}

/** SET OF with a single element needs no sorting; with several, DER sorts the encodings. */
export function set(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.SET, ...[...items].sort(compareBytes));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
}

/**
 * A non-negative INTEGER from its unsigned big-endian magnitude (bytes or hex), a number or
 * a bigint: leading zero bytes dropped, one 0x00 added when the high bit is set (minimal
 * two's complement).
 */
export function integer(value: Uint8Array | string | number | bigint): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError('only non-negative INTEGERs are supported');
    const hex = big.toString(16);
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  } else if (typeof value === 'string') {
    if (!/^[0-9a-f]*$/i.test(value)) throw new RangeError('INTEGER hex must be hex digits');
    bytes = Buffer.from(value.length % 2 === 0 ? value : `0${value}`, 'hex');
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const magnitude = bytes.length === 0 ? Uint8Array.of(0) : bytes.subarray(start);
  const padded = (magnitude[0] ?? 0) & 0x80 ? concat([Uint8Array.of(0), magnitude]) : magnitude;
  return tlv(TAG.INTEGER, padded);
}

export function boolean(value: boolean): Uint8Array {
  return tlv(TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`bad OID ${dotted}`);
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new RangeError(`bad OID ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) group.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) throw new RangeError('bad BIT STRING');
  return tlv(TAG.BIT_STRING, Uint8Array.of(unusedBits), bytes);
}

/**
 * A named-bit-list BIT STRING (KeyUsage): `bits` are bit numbers (0 = the most significant
 * bit of the first byte); DER drops trailing zero bits and counts them as unused.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return bitString(new Uint8Array(0));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return bitString(bytes, 7 - (highest & 7));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function utf8String(text: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
}

export function printableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError('not a PrintableString');
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(text, 'ascii'));
}

/**
 * RFC 5280 §4.1.2.5 validity time: UTCTime (YYMMDDHHMMSSZ) for 1950 through 2049,
 * GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise. Fractions of a second are dropped.
 */
export function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999) throw new RangeError('time out of range');
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${two(year % 100)}${rest}`, 'ascii'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

/** [n] EXPLICIT: a constructed context-specific tag wrapping the complete encodings. */
export function explicit(n: number, ...items: Uint8Array[]): Uint8Array {
  if (n < 0 || n > 30) throw new RangeError('context tag out of range');
  return tlv(0xa0 | n, ...items);
}

/** [n] IMPLICIT: replaces the tag of the underlying type; give its content bytes and
 * whether that type is constructed (SEQUENCE/SET) or primitive (strings, INTEGER, …). */
export function implicit(n: number, content: Uint8Array, constructed = false): Uint8Array {
  if (n < 0 || n > 30) throw new RangeError('context tag out of range');
  return tlv((constructed ? 0xa0 : 0x80) | n, content);
}

// ---------------------------------------------------------------------------------------
// Reading

export interface Tlv {
  tag: number;
  /** The content octets (a view into the input, not a copy). */
  content: Uint8Array;
  /** The whole encoding: tag, length and content (a view into the input). */
  encoded: Uint8Array;
}

/** Read one TLV starting at `offset`. Throws on anything that is not valid DER framing. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  let at = offset;
  const tag = bytes[at++];
  let length = bytes[at++];
  if (tag === undefined || length === undefined) throw new Error('truncated DER');
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not supported');
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new Error('indefinite length is not DER');
    if (count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[at++];
      if (b === undefined) throw new Error('truncated DER');
      if (i === 0 && b === 0) throw new Error('non-minimal DER length');
      length = length * 256 + b;
    }
    if (length < 0x80) throw new Error('non-minimal DER length');
  }
  if (at + length > bytes.length) throw new Error('truncated DER');
  return { tag, content: bytes.subarray(at, at + length), encoded: bytes.subarray(offset, at + length) };
}

/** The TLVs laid end to end in `bytes` (e.g. the content of a SEQUENCE). */
export function* readTlvs(bytes: Uint8Array): Generator<Tlv> {
  let offset = 0;
  while (offset < bytes.length) {
    const item = readTlv(bytes, offset);
    yield item;
    offset += item.encoded.length;
  }
}

/** The single TLV that must make up all of `bytes`, with the expected tag. */
export function readOnly(bytes: Uint8Array, tag: number, what: string): Tlv {
  const item = readTlv(bytes);
  if (item.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, got 0x${item.tag.toString(16)}`);
  if (item.encoded.length !== bytes.length) throw new Error(`${what}: trailing bytes`);
  return item;
}

/** The children of a constructed TLV, checked to be of the expected tag. */
export function childrenOf(item: Tlv, tag: number, what: string): Tlv[] {
  if (item.tag !== tag) throw new Error(`${what}: expected tag 0x${tag.toString(16)}, got 0x${item.tag.toString(16)}`);
  return [...readTlvs(item.content)];
}

export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new Error('empty OID');
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i] ?? 0;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    } else if (i === content.length - 1) {
      throw new Error('truncated OID');
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

/** Upper-case hex of a non-negative INTEGER's content, leading 0x00 bytes kept as encoded. */
export function integerHex(content: Uint8Array): string {
  if (content.length === 0) throw new Error('empty INTEGER');
  if ((content[0] ?? 0) & 0x80) throw new Error('negative INTEGER');
  return Buffer.from(content).toString('hex').toUpperCase();
}

export function decodeBoolean(content: Uint8Array): boolean {
  if (content.length !== 1) throw new Error('bad BOOLEAN');
  return content[0] !== 0;
}

/** The bytes of a BIT STRING (content after the unused-bits octet) and the unused-bit count. */
export function decodeBitString(content: Uint8Array): { bytes: Uint8Array; unusedBits: number } {
  const unusedBits = content[0];
  if (unusedBits === undefined || unusedBits > 7) throw new Error('bad BIT STRING');
  return { bytes: content.subarray(1), unusedBits };
}

/** A UTCTime or GeneralizedTime of the `…Z` forms RFC 5280 allows. */
export function decodeTime(item: Tlv): Date {
  const text = Buffer.from(item.content).toString('ascii');
  let match: RegExpExecArray | null;
  let year: number;
  if (item.tag === TAG.UTC_TIME && (match = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)) !== null) {
    const yy = Number(match[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (item.tag === TAG.GENERALIZED_TIME && (match = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)) !== null) {
    year = Number(match[1]);
  } else {
    throw new Error(`unsupported time ${JSON.stringify(text)}`);
  }
  const [, , mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(year, (mo ?? 1) - 1, d, h, mi, s));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return date;
}
