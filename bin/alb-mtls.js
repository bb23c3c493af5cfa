#!/usr/bin/env node
// The alb-mtls command: runs the compiled CLI in dist/ (built by `npm run build`, which `npm install`
// runs in a clone). Checks the Node version first, before any module that needs a newer one loads.
import { unsupportedNodeMessage } from '../dist/harness/node-version.js';

const tooOld = unsupportedNodeMessage(process.versions.node);
if (tooOld !== undefined) {
  console.error(`alb-mtls: ${tooOld}`);
  process.exit(1);
}
// `alb-mtls ... | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../dist/harness/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
