/**
 * Every key the validator accepts, per level. proxy.config.schema.json lists the same names
 * (a test compares them), so editor completion and the validator cannot drift apart.
 */
export const TOP_LEVEL_KEYS = ['$schema', 'routes', 'httpsPort', 'httpPort', 'http2', 'timeouts'] as const;
export const ROUTE_KEYS = ['host', 'path', 'target', 'changeOrigin', 'stripPrefix', 'rewriteRedirects', 'headers'] as const;
export const TIMEOUT_KEYS = ['connect', 'response'] as const;

export const DEFAULT_TIMEOUTS = { connect: 5_000, response: 120_000 } as const;
/** Node timers overflow above 2^31 - 1 ms (about 24.8 days) and fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
