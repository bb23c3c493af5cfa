#!/usr/bin/env node
// Runs the TypeScript CLI straight from source: tsx registers its loader, so a fresh
// clone works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
