/**
 * Every path and tool name the trust stores use, in one place. New store locations are the
 * most common reason trust tools break (a browser or distribution moves its database), so
 * each entry here is exercised by test/trust/trust-platforms.test.ts (detection and commands
 * on fake filesystem trees) and test/trust/trust-firefox.test.ts (Firefox profile roots).
 *
 * Paths under HOME are relative to the home folder; system paths are absolute and joined
 * to the environment's filesystem root (`/` except in tests).
 */

/** A Linux system store that works by dropping a file into an anchors folder. */
export interface AnchorDirectoryPaths {
  /** Folder the distribution reads extra root CAs from. */
  anchorsDir: string;
  /** File name extension the refresh tool picks up. */
  extension: '.crt' | '.pem';
  /** Regenerates the bundles after a file was added. */
  refresh: readonly string[];
  /** Regenerates the bundles after a file was removed. */
  refreshAfterRemoval: readonly string[];
  /** The bundle(s) curl, OpenSSL and most languages read: the truth for `check`. */
  bundles: readonly string[];
  /** Package that provides the refresh tool. */
  package: string;
}

export const DEBIAN: AnchorDirectoryPaths = {
  anchorsDir: '/usr/local/share/ca-certificates',
  extension: '.crt',
  refresh: ['update-ca-certificates'],
  refreshAfterRemoval: ['update-ca-certificates', '--fresh'],
  bundles: ['/etc/ssl/certs/ca-certificates.crt'],
  package: 'ca-certificates',
};

export const FEDORA: AnchorDirectoryPaths = {
  anchorsDir: '/etc/pki/ca-trust/source/anchors',
  extension: '.pem',
  refresh: ['update-ca-trust', 'extract'],
  refreshAfterRemoval: ['update-ca-trust', 'extract'],
  bundles: ['/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', '/etc/pki/tls/certs/ca-bundle.crt'],
  package: 'ca-certificates',
};

export const OPENSUSE: AnchorDirectoryPaths = {
  anchorsDir: '/etc/pki/trust/anchors',
  extension: '.pem',
  refresh: ['update-ca-certificates'],
  refreshAfterRemoval: ['update-ca-certificates'],
  bundles: ['/var/lib/ca-certificates/ca-bundle.pem', '/etc/ssl/ca-bundle.pem'],
  package: 'ca-certificates',
};

/** Arch Linux and Manjaro: p11-kit's `trust anchor` keeps the anchors and extracts the bundles. */
export const ARCH = {
  /** Exists only where p11-kit is the system trust (Arch); `trust anchor --store` writes here. */
  trustSourceDir: '/etc/ca-certificates/trust-source',
  tool: 'trust',
  bundles: ['/etc/ssl/certs/ca-certificates.crt'],
  package: 'p11-kit',
} as const;

/** Bundles that `devtls env` may combine with the CA, in order of preference. */
export const SYSTEM_BUNDLES: readonly string[] = [
  ...DEBIAN.bundles,
  ...FEDORA.bundles,
  ...OPENSUSE.bundles,
  '/etc/ssl/cert.pem', // macOS, Alpine, BSDs
];

/** NSS databases Chrome/Chromium read on Linux: the first that exists wins (Chromium 146+
 * reads the XDG one when it exists, else the legacy one); relative to HOME. */
export const CHROMIUM_NSS_DBS = {
  xdg: '.local/share/pki/nssdb',
  legacy: '.pki/nssdb',
} as const;

/** Where `devtls trust` creates an NSS database when none exists: every Chromium version
 * reads the legacy one when the XDG one is absent. */
export const CHROMIUM_NSS_DB_TO_CREATE = CHROMIUM_NSS_DBS.legacy;

/** Programs whose presence means a Chromium-family browser uses the NSS database. */
export const CHROMIUM_BROWSERS: readonly string[] = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'brave-browser',
  'microsoft-edge',
  'vivaldi',
];

/** Folders holding Firefox's profiles.ini, relative to HOME, per platform. */
export const FIREFOX_PROFILE_ROOTS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> & { default: readonly string[] } = {
  default: [
    '.mozilla/firefox', // classic
    '.config/mozilla/firefox', // Firefox 147+ (XDG)
    'snap/firefox/common/.mozilla/firefox', // Ubuntu's snap
    '.var/app/org.mozilla.firefox/.mozilla/firefox', // flatpak
    '.var/app/org.mozilla.firefox/config/mozilla/firefox', // flatpak, XDG layout
  ],
  darwin: ['Library/Application Support/Firefox'],
};

/** certutil (NSS tools): how to get it, by platform or distribution. */
export const CERTUTIL = {
  tool: 'certutil',
  install: 'Debian/Ubuntu: sudo apt install libnss3-tools · Fedora: sudo dnf install nss-tools · Arch: sudo pacman -S nss · openSUSE: sudo zypper install mozilla-nss-tools · macOS: brew install nss',
} as const;

/** NSS tools `devtls doctor` verifies with (same package as certutil): a TLS handshake
 * through NSS, and a chain check against a database. */
export const NSS_VERIFY = {
  handshake: 'tstclnt',
  chain: 'vfychain',
} as const;

export const MACOS = {
  tool: 'security',
  /** Relative to HOME. */
  loginKeychain: 'Library/Keychains/login.keychain-db',
  systemKeychain: '/Library/Keychains/System.keychain',
} as const;

export const WINDOWS = {
  tool: 'certutil',
  /** The current user's trusted roots: no admin rights needed (Windows shows one confirmation). */
  store: 'Root',
} as const;

export const WSL = {
  procVersion: '/proc/version',
  /** certutil.exe is on PATH through WSL interop; this is where it is when PATH lacks Windows. */
  certutilExe: '/mnt/c/Windows/System32/certutil.exe',
  certutilOnPath: 'certutil.exe',
  wslpath: 'wslpath',
} as const;
