import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';

/**
 * GET `url/x` presenting a client of a written PKI (its chain file and key, trusting its root):
 * the HTTP status, or the socket error's code (`ECONNRESET` when the ALB closes the connection).
 */
export async function getAsClient(url: string, pki: string, client: string): Promise<number | string> {
  const [ca, cert, key] = await Promise.all([
    readFile(join(pki, 'ca/ca-root.crt')),
    readFile(join(pki, `clients/${client}.chain.pem`)),
    readFile(join(pki, `clients/${client}.key`)),
  ]);
  return new Promise((resolve) => {
    const req = request(`${url}/x`, { ca, cert, key, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}
