#!/usr/bin/env node
import { runDirectly } from './cli/direct-run.js';

const argv = process.argv.slice(2);
process.exitCode = (await runDirectly(argv)) ?? (await (await import('./cli/main.js')).runCli(argv));
