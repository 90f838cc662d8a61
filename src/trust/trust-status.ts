import { readFile } from 'node:fs/promises';

/** Bundles that system tools (curl, openssl, most languages) read, by distribution. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, Alpine
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/ca-bundle.pem', // openSUSE
];

export interface TrustStatus {
  /** true / false when it could be checked, undefined on a platform this check does not cover yet. */
  system: boolean | undefined;
  /** What to run to trust the CA, for this platform. */
  howToTrust: string;
}

/** Whether the system trust store already holds this CA certificate. */
export async function systemTrustStatus(caCertPem: string, caCertPath: string, platform: NodeJS.Platform = process.platform): Promise<TrustStatus> {
  return { system: platform === 'linux' ? await linuxBundleHolds(caCertPem) : undefined, howToTrust: trustCommand(caCertPath, platform) };
}

async function linuxBundleHolds(caCertPem: string): Promise<boolean | undefined> {
  const body = pemBody(caCertPem);
  let found: boolean | undefined;
  for (const bundle of SYSTEM_BUNDLES) {
    try {
      const text = await readFile(bundle, 'utf8');
      if (text.replace(/\s+/g, '').includes(body)) return true;
      found = false;
    } catch {
      // This distribution keeps its bundle elsewhere.
    }
  }
  return found;
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function trustCommand(caCertPath: string, platform: NodeJS.Platform): string {
  const path = JSON.stringify(caCertPath);
  switch (platform) {
    case 'darwin':
      return `security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db ${path}`;
    case 'win32':
      return `certutil -user -addstore Root ${path}`;
    default:
      return `sudo cp ${path} /usr/local/share/ca-certificates/devtls.crt && sudo update-ca-certificates   (Debian/Ubuntu; Chrome and Firefox also need: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n devtls -i ${path})`;
  }
}
