/** What `devtls init` writes: a valid proxy.config.json showing the three route forms. */

/** Where editors find the schema when devtls is installed in the project. */
export const DEFAULT_SCHEMA_REFERENCE = './node_modules/devtls/proxy.config.schema.json';

/**
 * @param options.schema the `$schema` reference to write (default: the copy in node_modules,
 *   which works offline and matches the installed version)
 */
export function starterConfigText(options: { schema?: string } = {}): string {
  const config = {
    $schema: options.schema ?? DEFAULT_SCHEMA_REFERENCE,
    routes: [
      { host: 'app.localhost', target: 8080 },
      { host: 'app.localhost', path: '/api', target: 'http://127.0.0.1:8090' },
      { host: '*.preview.localhost', target: 8090 },
    ],
  };
  // One route per line reads best; JSON.stringify would spread each over four lines.
  const routes = config.routes.map((route) => `    ${JSON.stringify(route).replace(/":/g, '": ').replace(/,"/g, ', "').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`);
  return `{\n  "$schema": ${JSON.stringify(config.$schema)},\n  "routes": [\n${routes.join(',\n')}\n  ]\n}\n`;
}
