import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import { UserError } from './errors.ts';

/** What every started server in the harness resolves to. */
export interface ServerHandle {
  /** e.g. `https://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  /** Idempotent: stops listening, destroys every open connection, resolves when closed. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (port 0 unless given) and returns a handle whose `close()` also destroys
 * keep-alive and half-open sockets, so teardown never waits on a client.
 */
export async function listenWithHandle(
  server: Server,
  options: { protocol: 'http' | 'https'; port?: number; host?: string; onClose?: () => Promise<void> | void },
): Promise<ServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  // Plain TCP connections (before TLS) are tracked too, so a stalled handshake cannot block close().
  server.on('connection', track);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(portError(err, options.port ?? 0, host));
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await options.onClose?.();
    })();
    return closing;
  };
  return {
    url: `${options.protocol}://${urlHost}:${port}`,
    port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A port in use or one that needs privileges is the caller's choice to change: a UserError naming the port. */
function portError(err: Error, port: number, host: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new UserError('HARNESS_ERR_PORT', `port ${port} on ${host} is already in use by another process. Choose another port, or 0 for any free one.`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError('HARNESS_ERR_PORT', `port ${port} on ${host} needs privileges this process does not have (ports below 1024 usually do). Choose a port from 1024 to 65535, or 0 for any free one.`, { cause: err });
  }
  return err;
}
