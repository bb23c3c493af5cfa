import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import type { Pki, ServerCertificate } from '../../certs/pki/types.ts';
import { listenWithHandle, type ServerHandle } from '../../harness/server-handle.ts';

/**
 * An origin that verifies client certificates with OpenSSL (requestCert + rejectUnauthorized: true,
 * trusting the PKI root), like an ALB in verify mode but with Node's own failure shapes. `/slow`
 * never answers. Every other path answers 200 JSON `{subject}` of the presented client leaf.
 */
export async function startMtlsOrigin(
  pki: Pki,
  tlsVersion: '1.2' | '1.3',
  opts: { server?: ServerCertificate; requestCert?: boolean } = {},
): Promise<ServerHandle> {
  const cert = opts.server ?? pki.server;
  const version = `TLSv${tlsVersion}` as const;
  const requestCert = opts.requestCert ?? true;
  const server = createHttpsServer(
    {
      key: cert.keyPem,
      cert: cert.chainPem,
      ca: [pki.root.certPem],
      requestCert,
      rejectUnauthorized: requestCert, // verifying for real: only ALB's listener may turn this off
      minVersion: version,
      maxVersion: version,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/slow') return; // never answers; close() destroys the socket
      const socket = req.socket as TLSSocket;
      const peer = requestCert ? socket.getPeerX509Certificate() : undefined;
      res.setHeader('content-type', 'application/json');
      const servername = (socket as TLSSocket & { servername?: string | false }).servername || null;
      res.end(JSON.stringify({ subject: peer ? subjectRfc2253(peer) : null, protocol: socket.getProtocol(), servername }));
    },
  );
  return listenWithHandle(server, { protocol: 'https' });
}

/** A TCP server that accepts connections and never says a word: a TLS client's handshake stalls. */
export async function startSilentTcp(): Promise<ServerHandle> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  return listenWithHandle(server, { protocol: 'https' });
}

/** A port where nothing listens: listen on port 0, then close. */
export async function freePort(): Promise<number> {
  const handle = await listenWithHandle(createNetServer(), { protocol: 'http' });
  await handle.close();
  return handle.port;
}
