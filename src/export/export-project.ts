/**
 * `devtls export`: read one config file, render it for an engine, issue the certificates it
 * names from the devtls CA, and write everything into one folder.
 */
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { parseConfigBytes, readConfigFile } from '../config/load-config.js';
import type { ConfigWarning } from '../config/parse-config.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { PRIVATE_FILE_MODE } from '../pki/secure-files.js';
import type { Route } from '../routes/route.js';
import { renderCaddyfile } from './caddy-config.js';
import { renderGatewayYaml } from './gateway-config.js';
import { NGINX_RUNTIME_FOLDERS, renderNginxConfig } from './nginx-config.js';
import { ASSUMED_NGINX_VERSION, detectInstalledNginx, formatVersion, parseNginxVersion, type NginxVersion } from './nginx-version.js';
import { checkOutputFolder, writeOutputFolder, type OutputFile } from './output-folder.js';
import { routesOfRunningInstance } from './running-routes.js';
import { CA_CERTIFICATE_FILE, EXPORT_FORMATS, certificateFileNames, type ExportFormat, type ExportSettings, type RenderedConfig, type TlsMode } from './route-analysis.js';
import { invocation } from '../invocation.js';

export interface ExportOptions {
  format: string;
  /** One config file; ignored with `running`. */
  configFile: string;
  /** Every project of the running shared instance instead of one file. */
  running?: boolean;
  /** Default: `devtls-export/<format>` in the working directory. */
  outDir?: string;
  httpsPort?: number;
  /** 0 or false: no redirect. */
  httpPort?: number | false;
  tls?: TlsMode;
  /** `1.24.0`; default: the installed nginx's version. */
  nginxVersion?: string;
  /** `8080=web`, repeatable. */
  services?: readonly string[];
  bind?: readonly string[];
  force?: boolean;
  caDir: string;
}

export interface ExportResult {
  format: ExportFormat;
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  config: RenderedConfig;
  warnings: ConfigWarning[];
  caCreated: boolean;
  routes: readonly Route[];
  /** With --running: the projects whose routes were exported. */
  projects?: string[];
}

export function parseFormat(format: string): ExportFormat {
  const lower = format.toLowerCase();
  if ((EXPORT_FORMATS as readonly string[]).includes(lower)) return lower as ExportFormat;
  throw new UserError(`unknown export format "${format}"`, { hint: `choose one of: ${EXPORT_FORMATS.join(', ')} (${invocation()} export caddy)`, code: 'EEXPORT_FORMAT' });
}

/** `8080=web` → [8080, 'web']; a one-line UserError otherwise. */
export function parseServices(values: readonly string[]): Map<number, string> {
  const services = new Map<number, string>();
  for (const value of values) {
    const match = /^(\d{1,5})=([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(value);
    const port = match === null ? NaN : Number(match[1]);
    if (match === null || port < 1 || port > 65535) {
      throw new UserError(`--service ${value}: expected PORT=NAME, like 8080=web (NAME a Kubernetes Service name: lower-case letters, digits and -)`, { code: 'EUSAGE' });
    }
    services.set(port, match[2] as string);
  }
  return services;
}

export async function exportProject(options: ExportOptions): Promise<ExportResult> {
  const format = parseFormat(options.format);
  const services = parseServices(options.services ?? []);
  const nginxVersion = format === 'nginx' ? await chooseNginxVersion(options.nginxVersion) : undefined;
  const source = options.running === true ? await runningSource() : await fileSource(options.configFile);
  const { routes, warnings } = source;
  const httpPort = options.httpPort ?? source.httpPort;
  const settings: ExportSettings = {
    source: source.label,
    httpsPort: options.httpsPort ?? source.httpsPort ?? 443,
    httpPort: httpPort === undefined ? 80 : httpPort === 0 ? false : httpPort,
    http2: source.http2,
    tls: options.tls ?? 'devtls',
    bind: options.bind ?? [],
  };
  const rendered =
    nginxVersion !== undefined
      ? renderNginxConfig(routes, { ...settings, version: nginxVersion.version, versionSource: nginxVersion.source })
      : format === 'caddy'
        ? renderCaddyfile(routes, settings)
        : renderGatewayYaml(routes, { ...settings, services });
  const shownDir = options.outDir ?? `devtls-export/${format}`;
  const outDir = resolve(shownDir);
  // Before the CA is opened (it may be created): a refused folder changes nothing anywhere.
  await checkOutputFolder(outDir, shownDir, options.force === true);

  const files: OutputFile[] = [{ name: rendered.fileName, text: rendered.text, mode: 0o644 }];
  let caCreated = false;
  if (format !== 'kubernetes' && settings.tls === 'devtls') {
    const opened = await CertificateAuthority.open({ dir: source.caDir ?? options.caDir });
    caCreated = opened.created;
    files.push({ name: CA_CERTIFICATE_FILE, text: opened.ca.certPem, mode: 0o644 });
    for (const host of new Set(routes.map((route) => route.host))) {
      const leaf = await opened.ca.issueLeafCertificate([host]);
      const names = certificateFileNames(host);
      files.push({ name: names.cert, text: leaf.certPem, mode: 0o644 }, { name: names.key, text: leaf.keyPem, mode: PRIVATE_FILE_MODE });
    }
  }
  await writeOutputFolder(outDir, shownDir, files, format === 'nginx' ? NGINX_RUNTIME_FOLDERS : [], options.force === true);
  return { format, outDir, files: files.map((file) => file.name), config: rendered, warnings, caCreated, routes, ...(source.projects === undefined ? {} : { projects: source.projects }) };
}

/** Where the routes come from, and the settings that go with them. */
interface RouteSource {
  label: string;
  routes: Route[];
  warnings: ConfigWarning[];
  httpsPort: number | undefined;
  httpPort: number | false | undefined;
  http2: boolean;
  /** The CA the routes are served with, when the source says (the instance's). */
  caDir?: string;
  projects?: string[];
}

async function fileSource(file: string): Promise<RouteSource> {
  const contents = await readConfigFile(file);
  const { config, warnings } = parseConfigBytes(contents.bytes, contents.shownName, contents.absolute);
  if (config.routes.length === 0) throw new UserError(`${contents.shownName} has no routes to export`, { hint: 'add a route, e.g. { "host": "app.localhost", "target": 8080 }', code: 'EEXPORT_EMPTY' });
  return { label: contents.shownName, routes: config.routes, warnings, httpsPort: config.httpsPort, httpPort: config.httpPort, http2: config.http2 };
}

async function runningSource(): Promise<RouteSource> {
  const { routes, projects, instance } = await routesOfRunningInstance();
  if (routes.length === 0) throw new UserError('the running devtls serves no project yet, so there is nothing to export', { hint: `start a project with \`${invocation()} up\``, code: 'EEXPORT_EMPTY' });
  const names = projects.map((project) => project.source);
  return {
    label: `the running devtls (${names.length} project${names.length === 1 ? '' : 's'}: ${names.join(', ')})`,
    routes,
    warnings: [],
    httpsPort: instance.httpsPort,
    httpPort: instance.httpPort,
    // The instance does not report it; HTTP/2 is its default.
    http2: true,
    caDir: instance.caDir,
    projects: names,
  };
}

interface ChosenVersion {
  version: NginxVersion;
  source: string;
}

async function chooseNginxVersion(given: string | undefined): Promise<ChosenVersion> {
  if (given !== undefined) {
    const version = parseNginxVersion(given);
    if (version === undefined) throw new UserError(`--nginx-version ${given}: expected a version like 1.24.0`, { code: 'EUSAGE' });
    return { version, source: '--nginx-version' };
  }
  const installed = await detectInstalledNginx();
  if (installed !== undefined) return { version: installed, source: 'the nginx installed here' };
  return { version: ASSUMED_NGINX_VERSION, source: `no nginx found here: assumed ${formatVersion(ASSUMED_NGINX_VERSION)} or later; pass --nginx-version for another` };
}
