#!/usr/bin/env node
// The grokdiff command-line entry: loads tsx so the TypeScript sources run directly, then the CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv);
