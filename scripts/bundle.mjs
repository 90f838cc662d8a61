#!/usr/bin/env node
// The published code, from tsc's output in dist/:
//   dist/cli.js + dist/chunks/*: the whole command line, split by esbuild so that each
//     command loads only its own code;
//   dist/chunks/whole-up.js, whole-run.js and whole-instance.js: `devtls up` and `devtls run`
//     in their usual forms and the background instance they start, each as one file. They
//     run at every start of a project, and Node 20 loads an ES module graph file by file
//     (resolving, reading and linking each, ~0.3 ms apiece): from the split bundle `up`
//     alone loaded 31 files. BENCHMARKS.md ("Start-up in one file each") has the measurements.
// Run by `npm run build`, after tsc.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  sourcemap: true,
  logLevel: 'warning',
  // The CLI's own width function in place of string-width's (and its dependencies).
  alias: { 'string-width': './dist/cli/text-width.js' },
  // Packages written as CommonJS call require(): give the ES module bundle one.
  banner: { js: "import { createRequire as __devtlsRequire } from 'node:module'; const require = __devtlsRequire(import.meta.url);" },
};

rmSync('dist/chunks', { recursive: true, force: true });
await build({ ...common, entryPoints: ['dist/cli.js'], splitting: true, outdir: 'dist', chunkNames: 'chunks/[name]-[hash]', allowOverwrite: true });
await Promise.all([
  build({ ...common, entryPoints: ['dist/cli/up-direct.js'], outfile: 'dist/chunks/whole-up.js' }),
  build({ ...common, entryPoints: ['dist/cli/run-direct.js'], outfile: 'dist/chunks/whole-run.js' }),
  build({ ...common, entryPoints: ['dist/cli/background-instance.js'], outfile: 'dist/chunks/whole-instance.js' }),
]);
