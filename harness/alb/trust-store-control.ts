import type { SecureContextOptions, Server, TLSSocket } from 'node:tls';
import { UserError } from '../errors.ts';
import type { AlbConfig } from './options.ts';
import { loadTrustStore } from './trust-store.ts';
import type { LoadedTrustStore, TrustStoreControl, TrustStoreRevocation } from './types.ts';

interface StoredRevocation {
  id: number;
  pem: string;
  source: string;
}

const controlError = (message: string) => new UserError('HARNESS_ERR_TRUST_STORE', message);

/**
 * The listener reads `config.trustStore` at every handshake, so swapping that object is the whole
 * rotation; the verdict cache is keyed by the store object and so starts afresh. When the listener
 * advertises the trust store's CA names, its SecureContext is rebuilt with the new `ca` list.
 * Established connections go on (AWS does not say otherwise) unless `trustStoreChange` is
 * `close-established`: then every established connection is closed and its client must reconnect.
 */
export function trustStoreControl(config: AlbConfig, server: Server, baseContext: SecureContextOptions): TrustStoreControl {
  let bundle = { text: config.trustStore?.pems.join('') ?? '', source: 'trustStore.caCertificatesBundle' };
  let nextId = 1;
  let revocations: StoredRevocation[] = (config.trustStore?.crls ?? []).map((crl, i) => ({ id: nextId++, pem: crl.pem, source: `trustStore.revocations[${i}]` }));

  const closeEstablished = trackEstablished(config, server);

  const requireVerifyMode = (verb: string) => {
    if (config.mode !== 'verify' || !config.trustStore) {
      throw new UserError('HARNESS_ERR_ALB_CONFIG', `${verb}: this listener's mutual authentication mode is ${config.mode}; a trust store applies in verify mode only.`);
    }
  };

  /** Loads the candidate state; only when it loads does it become the listener's. */
  const apply = (nextBundle: typeof bundle, nextRevocations: StoredRevocation[], onWarning?: (message: string) => void): LoadedTrustStore => {
    const loaded = loadTrustStore({
      caCertificatesBundle: nextBundle.text,
      source: nextBundle.source,
      revocations: nextRevocations.map((r) => r.pem),
      revocationSources: nextRevocations.map((r) => r.source),
      ...(onWarning ? { onWarning } : {}),
    });
    config.trustStore = loaded;
    bundle = nextBundle;
    revocations = nextRevocations;
    if (config.advertiseTrustStoreCaNames) server.setSecureContext({ ...baseContext, ca: loaded.pems });
    closeEstablished();
    return loaded;
  };

  const describe = (): TrustStoreRevocation[] => {
    const crls = config.trustStore?.crls ?? [];
    return revocations.map((r) => {
      const crl = crls.find((c) => c.pem === r.pem);
      return { revocationId: r.id, revocationType: 'CRL', source: r.source, issuer: crl?.issuer ?? '', numberOfRevokedEntries: crl?.revokedSerials.size ?? 0 };
    });
  };

  return {
    modifyTrustStore({ caCertificatesBundle, source }) {
      requireVerifyMode('modifyTrustStore');
      if (typeof caCertificatesBundle !== 'string') throw controlError('modifyTrustStore: caCertificatesBundle must be the PEM text of the new CA bundle.');
      apply({ text: caCertificatesBundle, source: source ?? 'modifyTrustStore: caCertificatesBundle' }, revocations);
    },
    addTrustStoreRevocations(inputs) {
      requireVerifyMode('addTrustStoreRevocations');
      if (!Array.isArray(inputs) || inputs.length === 0) throw controlError('addTrustStoreRevocations: pass at least one CRL (PEM text, or { pem, source }).');
      const firstId = nextId;
      const added = inputs.map((input, i) =>
        typeof input === 'string'
          ? { id: firstId + i, pem: input, source: `addTrustStoreRevocations[${i}]` }
          : { id: firstId + i, pem: input.pem, source: input.source ?? `addTrustStoreRevocations[${i}]` },
      );
      apply(bundle, [...revocations, ...added]);
      nextId += added.length;
      const ids = new Set(added.map((a) => a.id));
      return describe().filter((r) => ids.has(r.revocationId));
    },
    removeTrustStoreRevocations(ids) {
      requireVerifyMode('removeTrustStoreRevocations');
      const unknown = ids.filter((id) => !revocations.some((r) => r.id === id));
      if (unknown.length > 0) {
        throw controlError(
          `removeTrustStoreRevocations: no revocation with id ${unknown.join(', ')} (RevocationIdNotFound). ` +
            `The trust store has ${revocations.length ? `ids ${revocations.map((r) => r.id).join(', ')}` : 'no revocations'}; see describeTrustStoreRevocations().`,
        );
      }
      apply(bundle, revocations.filter((r) => !ids.includes(r.id)));
    },
    describeTrustStoreRevocations: describe,
    reloadTrustStore(options) {
      requireVerifyMode('reloadTrustStore');
      const texts = options.revocations ?? [];
      const firstId = nextId;
      const loaded = apply(
        { text: options.caCertificatesBundle, source: options.source ?? 'trustStore.caCertificatesBundle' },
        texts.map((pem, i) => ({ id: firstId + i, pem, source: options.revocationSources?.[i] ?? `trustStore.revocations[${i}]` })),
        options.onWarning,
      );
      nextId += texts.length;
      return loaded;
    },
  };
}

/** For `close-established`: the connections that passed the handshake, and a function that closes them all. */
function trackEstablished(config: AlbConfig, server: Server): () => void {
  if (config.trustStoreChange !== 'close-established') return () => {};
  const established = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.destroyed) return; // refused in the handshake by the verdict
    established.add(socket);
    socket.once('close', () => established.delete(socket));
  });
  return () => {
    for (const socket of established) socket.destroy();
    established.clear();
  };
}
