import * as tls from 'node:tls';

/** One mTLS request over a unix socket: whether it got a 200, the status line (or TLS error code), and the body. */
export function requestOverSocket(socketPath: string, o: { certPem?: string; keyPem?: string; caPem: string; maxVersion?: tls.SecureVersion; ciphers?: string }): Promise<{ accepted: boolean; detail: string; body?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ path: socketPath, cert: o.certPem, key: o.keyPem, ca: o.caPem, servername: 'localhost', maxVersion: o.maxVersion, ciphers: o.ciphers }, () => {
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    socket.on('data', (c) => (data += c));
    socket.on('end', () => resolve({ accepted: data.startsWith('HTTP/1.1 200'), detail: data.split('\r\n')[0] ?? '', body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ accepted: false, detail: err.code ?? err.message }));
  });
}
