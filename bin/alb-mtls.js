#!/usr/bin/env node
// The alb-mtls command: runs the compiled CLI in dist/ (built by `npm run build`, which `npm install`
// runs in a clone). Checks the Node version first, before any module that needs a newer one loads.
const built = await import('../dist/harness/node-version.js').catch((err) => {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error('alb-mtls: dist/ is not built. Run "npm run build" in the package folder (npm install runs it).');
  process.exit(1);
});
const tooOld = built.unsupportedNodeMessage(process.versions.node);
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
