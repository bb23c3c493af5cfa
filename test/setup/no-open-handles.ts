import { afterAll } from 'vitest';

/**
 * Every test file must close what it opens: after a file's tests, no TCP server, socket or timer
 * of ours may be left. (vitest's own worker talks over IPC, which is not a TCP handle.)
 */
const NETWORK = new Set(['TCPServerWrap', 'TCPSocketWrap', 'TLSWrap', 'PipeServerWrap']);

afterAll(async () => {
  // Sockets destroyed by close() finish on the next turns of the loop.
  for (let i = 0; i < 50; i++) {
    if (!process.getActiveResourcesInfo().some((r) => NETWORK.has(r))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const open = process.getActiveResourcesInfo().filter((r) => NETWORK.has(r));
  throw new Error(`open handles left after this file's tests: ${open.join(', ')} (close every server and client you start)`);
});
