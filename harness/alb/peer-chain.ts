import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** The client's certificates, captured once per connection. */
export interface PeerChain {
  /** Exactly what the client sent, leaf first (raw order, unrelated extras included). Empty = no certificate. */
  presented: X509Certificate[];
}

const captured = new WeakMap<TLSSocket, PeerChain>();

/**
 * A bound on the walk, only against a runaway loop. It must not cut real chains short: the 64K
 * message rule (verify.ts) counts every certificate sent, and small certificates (~300 bytes) fit
 * 200+ into 64K. OpenSSL's own 100 KB certificate-list limit keeps real chains below this.
 */
const MAX_WALK = 1024;

/**
 * Captures the presented chain, once. Call it in `secureConnection` before anything else reads the
 * peer certificate. Node 20 mutates OpenSSL's peer chain on `getPeerX509Certificate()`
 * (nodejs/node#65579): after the first call every later call, and `getPeerCertificate(true)`, sees the
 * leaf only. So: exactly one `getPeerX509Certificate()`, whose `.issuerCertificate` links follow the
 * order the client sent, cached on the socket. `getPeerCertificate(true)` is not called at all: nothing
 * needs Node's logical view, and building it was a quarter of the emulator's CPU per connection
 * (bench/alb.ts profile).
 */
export function capturePeerChain(socket: TLSSocket): PeerChain {
  const cached = captured.get(socket);
  if (cached) return cached;
  const presented: X509Certificate[] = [];
  const leaf = socket.getPeerX509Certificate();
  let current: X509Certificate | undefined = leaf;
  while (current && presented.length < MAX_WALK) {
    // A self-issued certificate could link to itself; stop rather than loop. Only the same object
    // counts: a certificate the client sent twice is two entries of its chain, and both count.
    if (presented.includes(current)) break;
    presented.push(current);
    current = current.issuerCertificate;
  }
  const chain: PeerChain = { presented };
  captured.set(socket, chain);
  return chain;
}
