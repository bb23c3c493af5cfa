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

const states = new WeakMap<TLSSocket, ConnectionState>();

export function setConnectionState(socket: TLSSocket, state: ConnectionState): void {
  states.set(socket, state);
}

export function connectionState(socket: TLSSocket): ConnectionState | undefined {
  return states.get(socket);
}
