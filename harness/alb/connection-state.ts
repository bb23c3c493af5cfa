import type { TLSSocket } from 'node:tls';
import type { PeerChain } from './peer-chain.ts';
import type { TlsVerifyStatus } from './types.ts';

/** What the listener decided about one TLS connection, read by the request handler. */
export interface ConnectionState {
  connTraceId: string;
  clientIp: string;
  clientPort: number;
  /** Empty `presented` when mTLS is off or the client sent nothing. */
  chain: PeerChain;
  tlsVerifyStatus: TlsVerifyStatus;
  /** http-403 model: the handshake completed but every request on this connection gets 403. */
  rejected: boolean;
  tlsProtocol: string | null;
  tlsCipher: string | null;
}

/**
 * Kept as a symbol-keyed property of the raw TLS socket, not in a WeakMap: an HTTP/2 request's
 * `req.socket` is a Proxy (a new one per stream) whose property reads go through to the raw socket,
 * so the property is found from both protocols while a WeakMap lookup by the Proxy would miss.
 */
const STATE = Symbol('albConnectionState');
type WithState = { [STATE]?: ConnectionState };

export function setConnectionState(socket: TLSSocket, state: ConnectionState): void {
  (socket as unknown as WithState)[STATE] = state;
}

export function connectionState(socket: TLSSocket): ConnectionState | undefined {
  return (socket as unknown as WithState)[STATE];
}
