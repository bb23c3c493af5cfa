#!/usr/bin/env node
// Runs the TypeScript CLI straight from source: tsx registers its loader, so a fresh
// clone works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
// `alb-mtls ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
