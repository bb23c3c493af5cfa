import { createSecureContext, type SecureContext, type SecureContextOptions, type Server } from 'node:tls';
import { recentResults } from '../recent-results.ts';

/**
 * Listeners with mutual TLS and the same certificate, key and policy share one server
 * SecureContext: building one parses the certificate chain and the key (~1 ms, the costliest step
 * of an ALB start in a scenario run). Sharing is only safe where no TLS session can be resumed,
 * because a resumed session brings no fresh client certificate and a session from one listener
 * must never open another: with mTLS there are no session tickets (SSL_OP_NO_TICKET) and Node keeps
 * no server session cache unless the server listens for 'newSession'/'resumeSession' (ours does
 * not). test/alb/session-resumption.test.ts holds both listeners to that. Without mTLS, tickets are
 * on (ALB resumes sessions there), so each listener keeps its own context and ticket keys.
 */
const sharedContexts = recentResults<SecureContext>(16);

/** Options for https.createServer: the context's own when it cannot be shared, else none (a cheap empty one is built, then replaced). */
export function serverContextOptions(options: SecureContextOptions, shareable: boolean): SecureContextOptions {
  return shareable ? {} : options;
}

/**
 * Gives `server` the shared context for `options`. Node's tls.Server takes no prebuilt context,
 * so the one it serves connections with (`_sharedCreds`, stable since Node 0.x) is replaced.
 */
export function adoptSharedContext(server: Server, options: SecureContextOptions): void {
  const target = server as Server & { _sharedCreds?: SecureContext; sessionIdContext?: string };
  if (!('_sharedCreds' in target)) {
    server.setSecureContext(options); // a Node without the field: build the listener's own
    return;
  }
  const sessionIdContext = target.sessionIdContext;
  const key = JSON.stringify([options.cert, options.key, options.minVersion, options.maxVersion, options.ciphers, options.honorCipherOrder, options.secureOptions, sessionIdContext]);
  target._sharedCreds = sharedContexts(key, () => createSecureContext({ ...options, ...(sessionIdContext ? { sessionIdContext } : {}) }));
}
