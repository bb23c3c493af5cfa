import tls from 'node:tls';
import { startAlb } from '../../../harness/alb/index.ts';
import { NOW, type CorpusCase } from './context.ts';
import type { Corpus } from './generate.ts';

export const LIVE_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type LiveVersion = (typeof LIVE_VERSIONS)[number];

/** Whether a Node TLS client can load this case's chain and key at all (an explicit-parameter EC key, say, it cannot). */
export function presentable(c: CorpusCase): boolean {
  try {
    tls.createSecureContext(clientOptions(c, 'TLSv1.2', ''));
    return true;
  } catch {
    return false;
  }
}

function clientOptions(c: CorpusCase, version: LiveVersion, rootPem: string): tls.SecureContextOptions {
  return {
    cert: c.presented.map((p) => p.pem).join(''),
    key: c.leafKey.pem,
    ...(rootPem ? { ca: rootPem } : {}),
    minVersion: version,
    maxVersion: version,
    // Security level 0 so the client can send deliberately weak certificates (SHA-1, RSA 1024): the ALB judges them.
    ciphers: 'DEFAULT:@SECLEVEL=0',
  };
}

/**
 * Presents the case's chain to a live ALB listener in verify mode (the case's bundle and CRLs, the
 * corpus clock) over one TLS version, and returns the `tls_verify_status` of its connection-log line.
 */
export async function liveVerdict(corpus: Corpus, c: CorpusCase, version: LiveVersion): Promise<string> {
  await using alb = await startAlb({
    certificate: { certPem: corpus.server.certPem, keyPem: corpus.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: c.bundle.map((b) => b.pem).join(''), revocations: c.crls } },
    clock: () => NOW,
  });
  const localPort = await new Promise<number>((resolve) => {
    let port = 0;
    const socket = tls.connect({
      host: '127.0.0.1', port: alb.port, servername: 'corpus-alb.localhost',
      secureContext: tls.createSecureContext(clientOptions(c, version, corpus.server.rootPem)),
    });
    socket.once('connect', () => (port = socket.localPort ?? 0));
    // Success: the handshake completes and we hang up; a refusal: the ALB closes the connection.
    socket.once('secureConnect', () => socket.end());
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(port));
  });
  const entry = await alb.connectionLog.waitFor((e) => e.clientPort === localPort, 10_000);
  return entry.tlsVerifyStatus;
}
