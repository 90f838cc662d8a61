// The bench scripts' command-line words: `--name value` (or `--name=value`, repeatable),
// `--flag`, and the `--devtls 'NAME=path/to/dist/cli.js [node flags…]'` builds to compare.
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);

/** Every value given for `name`, in order. */
export function values(name) {
  return argv.flatMap((arg, i) => (arg === name && argv[i + 1] !== undefined ? [argv[i + 1]] : arg.startsWith(`${name}=`) ? [arg.slice(name.length + 1)] : []));
}

export function flag(name) {
  return argv.includes(name);
}

/** The last number given for `name`, else `fallback`. */
export function number(name, fallback) {
  const given = values(name).at(-1);
  return given === undefined ? fallback : Number(given);
}

/**
 * The builds to measure: this checkout's dist/cli.js as `devtls`, then each `--devtls NAME=CLI
 * [node flags…] [VAR=value…]` (words shaped like VAR=value go to the instance's environment).
 */
export function devtlsBuilds(root, { withDefault = true } = {}) {
  const builds = withDefault ? [{ name: 'devtls', cli: join(root, 'dist/cli.js'), nodeArgs: [], env: {} }] : [];
  for (const spec of values('--devtls')) {
    const at = spec.indexOf('=');
    if (at < 1) throw new Error(`--devtls NAME=PATH expected, got ${spec}`);
    // NAME=PATH/cli.js [node flags…]: another build, or the same build with node flags to try.
    const [cli, ...words] = spec.slice(at + 1).trim().split(/\s+/);
    const isEnv = (word) => /^[A-Z_][A-Z0-9_]*=/.test(word);
    const env = Object.fromEntries(words.filter(isEnv).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
    builds.push({ name: spec.slice(0, at), cli: resolve(cli), nodeArgs: words.filter((word) => !isEnv(word)), env });
  }
  return builds;
}
