/**
 * Recorded output of the macOS and Windows tools, with the hashes of the certificate under
 * test spliced in where the real tool prints them. Formats as printed by `security` on
 * macOS 14 (SHA-256 + SHA-1 lines; older macOS prints only SHA-1) and `certutil` on
 * Windows 11 (hash without spaces) and Windows 7 / Server 2008 (hash bytes with spaces).
 */

export function securityFindCertificateOutput(ours: { sha256: string; sha1: string; commonName: string }, keychain: string, includeOurs = true): string {
  const first = `SHA-256 hash: 0F3A5B21C7D98E4410AB6C2E7F9D3B5A8C1E4F7A2B5D8E1F4A7C0B3D6E9F2A5C
SHA-1 hash: 7C1E4F7A2B5D8E1F4A7C0B3D6E9F2A5C8B1D4E7F
keychain: "${keychain}"
version: 512
class: 0x80001000 
attributes:
    "alis"<blob>="${ours.commonName}"
    "cenc"<uint32>=0x00000003 
    "ctyp"<uint32>=0x00000001 
    "hpky"<blob>=0x5B2D8A4C7E1F3A6B9C2D5E8F1A4B7C0D3E6F9A2B  "[-\\212L~\\037:k\\234-^\\217\\032K|\\015>o\\232+"
    "issu"<blob>=0x3040312E302C06035504030C256465766C746C73206C6F63616C20434120286F6C6440626F782920  "0@1.0,\\006\\003U\\004\\003\\014%devtls local CA (old@box) "
    "labl"<blob>="${ours.commonName}"
    "skid"<blob>=0x5B2D8A4C7E1F3A6B9C2D5E8F1A4B7C0D3E6F9A2B  "[-\\212L~\\037:k\\234-^\\217\\032K|\\015>o\\232+"
    "snbr"<blob>=0x01A2B3C4D5E6F708  "\\001\\242\\263\\304\\325\\346\\367\\010"
    "subj"<blob>=0x3040312E302C06035504030C256465766C746C73206C6F63616C20434120286F6C6440626F782920  "0@1.0,\\006\\003U\\004\\003\\014%devtls local CA (old@box) "
`;
  const second = `SHA-256 hash: ${ours.sha256}
SHA-1 hash: ${ours.sha1}
keychain: "${keychain}"
version: 512
class: 0x80001000 
attributes:
    "alis"<blob>="${ours.commonName}"
    "cenc"<uint32>=0x00000003 
    "ctyp"<uint32>=0x00000001 
    "hpky"<blob>=0x9A2B5C8D1E4F7A0B3C6D9E2F5A8B1C4D7E0F3A6B  "\\232+\\\\\\215\\036Oz\\013<m\\236/Z\\213\\034M~\\017:k"
    "labl"<blob>="${ours.commonName}"
    "skid"<blob>=0x9A2B5C8D1E4F7A0B3C6D9E2F5A8B1C4D7E0F3A6B  "\\232+\\\\\\215\\036Oz\\013<m\\236/Z\\213\\034M~\\017:k"
    "snbr"<blob>=0x7F3E2D1C0B4A5968  "\\177>-\\034\\013JYh"
`;
  return includeOurs ? first + second : first;
}

function spaced(hex: string): string {
  return (hex.toLowerCase().match(/../g) ?? []).join(' ');
}

export function certutilStoreOutput(oursSha1: string | undefined, style: 'windows11' | 'windows7'): string {
  const hash = (hex: string): string => (style === 'windows7' ? spaced(hex) : hex.toLowerCase());
  const ours =
    oursSha1 === undefined
      ? ''
      : `================ Certificate 2 ================
Serial Number: 7f3e2d1c0b4a5968
Issuer: O=devtls, CN=devtls local CA (ada@laptop)
 NotBefore: 3/1/2025 9:12 AM
 NotAfter: 3/1/2035 9:12 AM
Subject: O=devtls, CN=devtls local CA (ada@laptop)
Signature matches Public Key
Root Certificate: Subject matches Issuer
Cert Hash(sha1): ${hash(oursSha1)}
No key provider information
Cannot find the certificate and private key for decryption.

`;
  return `Root "Trusted Root Certification Authorities"
================ Certificate 0 ================
Serial Number: 79ad16a14aa0a5ad4c7358f407132e65
Issuer: CN=Microsoft Root Certificate Authority, DC=microsoft, DC=com
 NotBefore: 5/9/2001 4:19 PM
 NotAfter: 5/9/2021 4:28 PM
Subject: CN=Microsoft Root Certificate Authority, DC=microsoft, DC=com
CA Version: V0.0
Signature matches Public Key
Root Certificate: Subject matches Issuer
Cert Hash(sha1): ${hash('CDD4EEAE6000AC7F40C3802C171E30148030C072')}
No key provider information
Cannot find the certificate and private key for decryption.

================ Certificate 1 ================
Serial Number: 01a2b3c4d5e6f708
Issuer: O=devtls, CN=devtls local CA (old@box)
 NotBefore: 1/15/2024 10:00 AM
 NotAfter: 1/15/2034 10:00 AM
Subject: O=devtls, CN=devtls local CA (old@box)
Signature matches Public Key
Root Certificate: Subject matches Issuer
Cert Hash(sha1): ${hash('7C1E4F7A2B5D8E1F4A7C0B3D6E9F2A5C8B1D4E7F')}
No key provider information
Cannot find the certificate and private key for decryption.

${ours}CertUtil: -store command completed successfully.
`;
}

export const PROC_VERSION = {
  wsl2: 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37) #1 SMP Tue Nov 5 00:21:55 UTC 2024\n',
  wsl1: 'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft Sat Sep 11 14:32:00 PST 2021\n',
  debian: 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)\n',
} as const;
