/** What `devtls init` writes: a valid proxy.config.json, one route per line. */

/** Where editors find the schema when devtls is installed in the project. */
export const DEFAULT_SCHEMA_REFERENCE = './node_modules/devtls/proxy.config.schema.json';

export interface StarterRoute {
  host: string;
  path?: string;
  target: number | string;
}

/** The example routes, for a folder whose dev server devtls does not recognise: the three route forms. */
export const EXAMPLE_ROUTES: readonly StarterRoute[] = [
  { host: 'app.localhost', target: 8080 },
  { host: 'app.localhost', path: '/api', target: 'http://127.0.0.1:8090' },
  { host: '*.preview.localhost', target: 8090 },
];

/**
 * @param options.schema the `$schema` reference to write (default: the copy in node_modules,
 *   which works offline and matches the installed version)
 * @param options.routes the routes to write (default: `EXAMPLE_ROUTES`)
 */
export function starterConfigText(options: { schema?: string; routes?: readonly StarterRoute[] } = {}): string {
  const schema = options.schema ?? DEFAULT_SCHEMA_REFERENCE;
  // One route per line reads best; JSON.stringify would spread each over four lines.
  const routes = (options.routes ?? EXAMPLE_ROUTES).map((route) => `    ${JSON.stringify(route).replace(/":/g, '": ').replace(/,"/g, ', "').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`);
  return `{\n  "$schema": ${JSON.stringify(schema)},\n  "routes": [\n${routes.join(',\n')}\n  ]\n}\n`;
}
