#!/usr/bin/env node
// The grokdiff command-line entry: loads tsx so the TypeScript sources run directly, then the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
