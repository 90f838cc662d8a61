import type { CertificateAuthority } from '../pki/certificate-authority.js';
import type { Route } from '../routes/route.js';
import { UserError } from '../errors.js';
import { invocation } from '../invocation.js';

/** A host the CA's name constraints exclude would get a certificate no browser accepts: say so before serving it. */
export function assertHostsPermitted(routes: readonly Route[], ca: CertificateAuthority): void {
  for (const route of routes) {
    const name = route.wildcard ? `x${route.host.slice(1)}` : route.host;
    if (!ca.permits(name)) {
      throw new UserError(
        `${route.definedAt}: host "${route.host}" is outside the names the devtls CA may sign (${ca.permittedNames.map((permitted) => `.${permitted}`).join(', ')}).`,
        {
          hint: `Use a name under one of those (app.localhost works with no hosts-file edit), or create a CA that also permits it: ${invocation()} ca --permit NAME --ca-dir NEW_FOLDER.`,
        },
      );
    }
  }
}
