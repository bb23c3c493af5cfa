import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/** A real terminator (haproxy, nginx) listening on a unix socket, stopped and cleaned up by `await using`. */
export interface SocketDaemon extends AsyncDisposable {
  /** Unix socket it listens on (neither tool can bind port 0, so no TCP port is chosen ahead). */
  socketPath: string;
  /** Everything it has printed so far. */
  log(): string;
}

/**
 * Spawns `command` in the foreground and resolves once `socketPath` accepts a connection (nginx
 * creates the socket file at bind(), a moment before listen(), so the file existing is not enough). A missing tool is a
 * failure with the install command in it, never a skip: CI installs it (.ci/run). Disposal stops
 * the process with `stopSignal`, waits for it, then runs `cleanup` (the temp dir with its config).
 */
export async function startSocketDaemon(o: {
  command: string;
  args: string[];
  socketPath: string;
  stopSignal: NodeJS.Signals;
  cleanup(): PromiseLike<void>;
}): Promise<SocketDaemon> {
  const child = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`${o.command} is not installed: apt-get install ${o.command} (the oracle tests run the real one; .ci/run installs it)`) : err),
    ),
  );
  try {
    for (let i = 0; ; i++) {
      const ready = await Promise.race([accepts(o.socketPath), spawnError]);
      if (ready) break;
      if (child.exitCode !== null || i > 300) throw new Error(`${o.command} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } catch (err) {
    child.kill(o.stopSignal);
    await o.cleanup();
    throw err;
  }
  return {
    socketPath: o.socketPath,
    log: () => output,
    async [Symbol.asyncDispose]() {
      child.kill(o.stopSignal);
      await exited;
      await o.cleanup();
    },
  };
}

/** Whether a unix socket accepts a connection now (a readiness probe: nothing is sent). */
function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath, () => {
      probe.destroy();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
  });
}
