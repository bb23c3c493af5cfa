import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, type SecureContext, type SecureVersion } from 'node:tls';
import type { MtlsBinding } from './types.ts';

export interface TlsContextOptions {
  /** CA(s) trusted for the origin's certificate. Default: Node's public roots. */
  originCa?: string | string[];
  /** Pin the TLS version. Default: negotiate (1.2 or 1.3). */
  tlsVersion?: '1.2' | '1.3';
  /** How long an idle keep-alive connection is kept, ms. Default 1_000 (short, so tests and CLI runs end fast). */
  keepAliveTimeoutMs?: number;
}

/** One SecureContext and the agent that owns its connections. */
export interface TlsConnectionPool {
  context: SecureContext;
  agent: HttpsAgent;
  /** Whether connections from this pool present a client certificate. */
  presentsCertificate: boolean;
}

const NO_CERTIFICATE = Symbol('no client certificate');

// A SecureContext holds no per-connection state on the client side (sessions live in the agent), so
// gateways with the same certificate, key, CAs and version share one: building it parses every PEM.
const recentContexts = new Map<string, SecureContext>();
const RECENT_CONTEXTS_MAX = 64;

function sharedSecureContext(binding: MtlsBinding | undefined, originCa: string | string[] | undefined, version: SecureVersion | undefined): SecureContext {
  const key = JSON.stringify([binding?.certPem, binding?.keyPem, originCa, version]);
  let context = recentContexts.get(key);
  if (context === undefined) {
    context = createSecureContext({
      ...(binding ? { cert: binding.certPem, key: binding.keyPem } : {}),
      ca: originCa,
      ...(version ? { minVersion: version, maxVersion: version } : {}),
    });
    if (recentContexts.size >= RECENT_CONTEXTS_MAX) recentContexts.delete(recentContexts.keys().next().value!);
    recentContexts.set(key, context);
  }
  return context;
}

/**
 * One lazily created SecureContext per binding (plus one for "no client certificate"), each with its
 * own keep-alive https.Agent. Rebuilding the context per request halves handshake throughput
 * (createSecureContext parses the PEMs every time), and an agent per context keeps connections with different client
 * certificates from ever being pooled together.
 */
export class TlsContextCache {
  readonly #pools = new Map<string | typeof NO_CERTIFICATE, TlsConnectionPool>();
  readonly #options: TlsContextOptions;
  #httpAgent: HttpAgent | undefined;
  #created = 0;

  constructor(options: TlsContextOptions = {}) {
    this.#options = options;
  }

  /** How many SecureContexts this cache has taken into use (built, or shared with another gateway): one per binding used, plus one for plain requests. */
  get created(): number {
    return this.#created;
  }

  /** The pool for `binding` (undefined = no client certificate). Throws what Node throws for an unusable cert/key. */
  poolFor(binding: MtlsBinding | undefined): TlsConnectionPool {
    const key = binding?.name ?? NO_CERTIFICATE;
    let pool = this.#pools.get(key);
    if (pool) return pool;
    const version: SecureVersion | undefined = this.#options.tlsVersion === undefined ? undefined : `TLSv${this.#options.tlsVersion}`;
    const context = sharedSecureContext(binding, this.#options.originCa, version);
    this.#created++;
    const agent = new HttpsAgent({
      keepAlive: true,
      // The agent's socket timeout only destroys *idle* pooled sockets; an active request merely gets an ignored 'timeout' event.
      timeout: this.#options.keepAliveTimeoutMs ?? 1_000,
      secureContext: context,
      // Never disabled: the gateway always verifies the origin's certificate and host name.
      rejectUnauthorized: true,
      // Origins get HTTP/1.1, even an ALB that prefers h2: what a Workers-style fetch speaks to an origin
      // (Zuplo does not document it; README, Divergences). Without ALPN an h2 server would assume it too.
      ALPNProtocols: ['http/1.1'],
    });
    pool = { context, agent, presentsCertificate: binding !== undefined };
    this.#pools.set(key, pool);
    return pool;
  }

  /** The keep-alive agent for plain-HTTP origins. */
  httpAgent(): HttpAgent {
    this.#httpAgent ??= new HttpAgent({ keepAlive: true, timeout: this.#options.keepAliveTimeoutMs ?? 1_000 });
    return this.#httpAgent;
  }

  /** Destroys every agent and its sockets. The cache can be used again afterwards (it rebuilds lazily). */
  close(): void {
    for (const pool of this.#pools.values()) pool.agent.destroy();
    this.#pools.clear();
    this.#httpAgent?.destroy();
    this.#httpAgent = undefined;
  }
}
