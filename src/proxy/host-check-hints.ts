/**
 * Dev servers that refuse a Host they do not know (DNS-rebinding protection of their own):
 * recognise their refusal and say the one setting that allows the devtls name. Pure.
 */

interface HostCheck {
  server: string;
  matches: (status: number, text: string, path: string) => boolean;
  setting: (host: string) => string;
}

const CHECKS: readonly HostCheck[] = [
  {
    server: 'Vite',
    matches: (status, text) => status === 403 && /Blocked request\. This host .* is not allowed/.test(text),
    setting: (host) => `add "${host}" to server.allowedHosts in vite.config (devtls run sets it for you)`,
  },
  {
    server: 'webpack-dev-server',
    matches: (status, text) => (status === 403 || status === 400) && /Invalid Host(\/Origin)? header/i.test(text),
    setting: (host) => `add "${host}" to devServer.allowedHosts in webpack.config.js`,
  },
  {
    server: 'Rails',
    matches: (status, text) => status === 403 && /Blocked hosts?:/.test(text),
    setting: (host) => `add config.hosts << "${host}" to config/environments/development.rb`,
  },
  {
    server: 'Django',
    matches: (status, text) => status === 400 && /DisallowedHost|Invalid HTTP_HOST header/.test(text),
    setting: (host) => `add "${host}" to ALLOWED_HOSTS (and "https://${host}" to CSRF_TRUSTED_ORIGINS) in settings.py`,
  },
  {
    server: 'Next.js',
    matches: (_status, text, path) => path.startsWith('/_next/') && /Unauthorized|Blocked cross-origin/i.test(text),
    setting: (host) => `add allowedDevOrigins: ["${host}"] to next.config.js`,
  },
];

export interface HostCheckRefusal {
  server: string;
  /** One line: what refused and the setting that fixes it. */
  hint: string;
}

/** Whether a dev server's answer is its host check refusing `host`, and what to change. */
export function hostCheckRefusal(status: number, text: string, host: string, path: string): HostCheckRefusal | undefined {
  for (const check of CHECKS) {
    if (check.matches(status, text, path)) {
      return {
        server: check.server,
        hint: `${check.server}'s host check refused ${host}: ${check.setting(host)}, or set "changeOrigin": true on the route so it sees its own address.`,
      };
    }
  }
  return undefined;
}

/** Only answers with these statuses are looked at (and only their first bytes). */
export function mayBeHostCheck(status: number): boolean {
  return status === 403 || status === 400 || status === 401;
}
