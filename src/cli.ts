#!/usr/bin/env node
import { readInstanceArgs } from './instance/instance-args.js';

const argv = process.argv.slice(2);
// The background instance `devtls up` starts skips the command-line parser (instance-args.ts).
const background = readInstanceArgs(argv);
process.exitCode =
  background === undefined ? await (await import('./cli/main.js')).runCli(argv) : await (await import('./cli/background-instance.js')).runBackgroundInstance(background);
