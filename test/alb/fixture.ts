import tls, { type SecureContext } from 'node:tls';
import { createPki } from '../../certs/index.ts';
import type { ClientVariantId, Pki } from '../../certs/pki/types.ts';
import type { AlbOptions, MutualAuthenticationOptions } from '../../harness/alb/types.ts';

/** One EC PKI per test file (built in beforeAll). */
export const buildPki = (): Promise<Pki> => createPki();

/** The ALB's server certificate option. */
export function serverCertificate(pki: Pki): AlbOptions['certificate'] {
  return { certPem: pki.server.chainPem, keyPem: pki.server.keyPem };
}

/** Verify mode with the PKI's default trust store and revocations (what `expectedVerdict` assumes). */
export function verifyMode(pki: Pki, extra: Partial<MutualAuthenticationOptions> = {}): MutualAuthenticationOptions {
  return {
    mode: 'verify',
    trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] },
    ...extra,
  };
}

/**
 * A client SecureContext presenting a variant's chain (none when `variant` is omitted) and trusting the
 * PKI root, to verify the ALB. The TLS version is pinned here: `https.request` ignores
 * `minVersion`/`maxVersion` once a `secureContext` is given.
 */
export function clientContext(pki: Pki, variant?: ClientVariantId, version?: 'TLSv1.2' | 'TLSv1.3'): SecureContext {
  const versions = version ? { minVersion: version, maxVersion: version } : {};
  if (!variant) return tls.createSecureContext({ ca: pki.root.certPem, ...versions });
  const client = pki.clients[variant];
  // SECLEVEL 0 so the client can load deliberately weak test certificates (SHA-1); the ALB judges them.
  return tls.createSecureContext({
    cert: client.chainPem,
    key: client.keyPem,
    ca: pki.root.certPem,
    ciphers: 'DEFAULT:@SECLEVEL=0',
    ...versions,
  });
}
