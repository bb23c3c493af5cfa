import { EKU, issueCertificate, type Issued, type RawName, type Signer } from './issue.ts';
import { generateKeys, privateKeyPem } from './keys.ts';
import { certFacts } from './facts.ts';
import { randomSerial } from './serial.ts';
import { createCrl } from './crl.ts';
import { CLIENT_VARIANTS } from './variants.ts';
import { writePki } from './write.ts';
import { UserError } from '../harness/errors.ts';
import type {
  CertificateAuthority, ClientCertificate, ClientVariantId, IssueClientOptions, KeyType, Pki, PkiOptions, ServerCertificate,
} from './types.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ORG = 'O=alb-mtls-harness';
export const DEFAULT_ALB_DNS_NAME = 'my-alb-1234567890.us-east-1.elb.amazonaws.com';

/**
 * Builds the whole PKI set as of `options.now`: root and intermediate CAs, the ALB's server
 * certificates, a good client and every bad variant (each with the ALB verdict it should get),
 * and CRLs. Pure apart from randomness: no I/O until `writeTo`.
 */
export async function createPki(options: PkiOptions = {}): Promise<Pki> {
  const family = options.keyType ?? 'ec';
  if (family !== 'ec' && family !== 'rsa') {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `keyType: unknown key type "${String(family)}" (use "ec" or "rsa")`);
  }
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  if (Number.isNaN(now.getTime())) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', 'now: invalid date');
  const keyType: KeyType = family === 'ec' ? 'ec-p256' : 'rsa-2048';
  const albDnsName = options.albDnsName ?? DEFAULT_ALB_DNS_NAME;
  const validityDays = options.validityDays ?? 365;
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const goodFrom = at(-HOUR);
  const goodTo = at(validityDays * DAY);
  const caFrom = at(-DAY);
  const caTo = at(10 * 365 * DAY);

  // Key generation dominates the cost for RSA; WebCrypto runs it on the thread pool, so start all at once.
  // CAs, the server and the two good clients get keys of their own; the bad variants (whose defects are never
  // about their key) share one, which keeps an RSA set near a second instead of several.
  const ownKeys = ['root', 'intermediate', 'rogue', 'deep1', 'deep2', 'deep3', 'expiredInter', 'server', 'good', 'goodAlt', 'variant'] as const;
  const keyList = await Promise.all(ownKeys.map(() => generateKeys(keyType)));
  const own = Object.fromEntries(ownKeys.map((n, i) => [n, keyList[i]!])) as Record<(typeof ownKeys)[number], CryptoKeyPair>;
  const variantNames = ['escaped', 'highBit', 'expired', 'notYetValid', 'untrusted', 'selfSigned', 'serverAuth', 'revoked', 'deepLeaf', 'sha1', 'v1', 'underExpired'] as const;
  const keys = { ...own, ...Object.fromEntries(variantNames.map((n) => [n, own.variant])) } as Record<(typeof ownKeys)[number] | (typeof variantNames)[number], CryptoKeyPair>;
  const ed25519Keys = await generateKeys('ed25519');

  const makeCa = async (
    name: string, description: string, subject: string, k: CryptoKeyPair, signer: Signer,
    validity: [Date, Date] = [caFrom, caTo], pathLength?: number,
  ): Promise<CertificateAuthority> => {
    const issued = await issueCertificate({
      subject, keys: k, signer, serial: randomSerial(), notBefore: validity[0], notAfter: validity[1], ca: true, pathLength,
    });
    return { ...toIssuedCertificate(name, description, issued, k), keys: k, cert: issued.cert };
  };
  const signerOf = (ca: CertificateAuthority): Signer => ({ cert: ca.cert, keys: ca.keys });

  const root = await makeCa('ca-root', 'The root CA: the only certificate in the default trust store.', `${ORG}, CN=alb-mtls-harness Root CA`, keys.root, 'self');
  const [intermediate, rogueRoot, deep1, expiredIntermediate] = await Promise.all([
    makeCa('ca-intermediate', 'The intermediate CA that issues the client and server certificates.', `${ORG}, CN=alb-mtls-harness Intermediate CA`, keys.intermediate, signerOf(root)),
    makeCa('ca-rogue-root', 'A root CA no trust store holds: what it issues is untrusted.', `O=Somebody Else, CN=Rogue Root CA`, keys.rogue, 'self'),
    makeCa('ca-deep-1', 'First of three chained intermediates (the too-deep chain).', `${ORG}, CN=Deep Intermediate 1`, keys.deep1, signerOf(root)),
    makeCa('ca-expired-intermediate', 'An intermediate CA whose validity has ended.', `${ORG}, CN=Expired Intermediate CA`, keys.expiredInter, signerOf(root), [at(-400 * DAY), at(-30 * DAY)]),
  ]);
  const deep2 = await makeCa('ca-deep-2', 'Second chained intermediate.', `${ORG}, CN=Deep Intermediate 2`, keys.deep2, signerOf(deep1));
  const deep3 = await makeCa('ca-deep-3', 'Third chained intermediate.', `${ORG}, CN=Deep Intermediate 3`, keys.deep3, signerOf(deep2));

  const makeServer = async (name: string, description: string, ca: CertificateAuthority, dns: string[], ip: string[]): Promise<ServerCertificate> => {
    const issued = await issueCertificate({
      subject: `${ORG}, CN=${dns[0]}`, keys: keys.server, signer: signerOf(ca), serial: randomSerial(),
      notBefore: goodFrom, notAfter: goodTo, extendedKeyUsages: [EKU.serverAuth], subjectAltNames: { dns, ip },
    });
    const base = toIssuedCertificate(name, description, issued, keys.server);
    return { ...base, chainPem: base.certPem + ca.certPem, subjectAltNames: [...dns, ...ip] };
  };
  const [server, serverUntrusted, serverWrongHost] = await Promise.all([
    makeServer('server-alb', `The ALB's server certificate: SAN ${albDnsName}, localhost, 127.0.0.1, ::1.`, intermediate, [albDnsName, 'localhost'], ['127.0.0.1', '::1']),
    makeServer('server-untrusted', 'A server certificate from the rogue root: a gateway that trusts the root refuses it.', rogueRoot, [albDnsName, 'localhost'], ['127.0.0.1', '::1']),
    makeServer('server-wrong-host', 'A server certificate for wrong-host.example.com only: the host name does not match.', intermediate, ['wrong-host.example.com'], []),
  ]);

  const clients = await buildClients({
    now, at, goodFrom, goodTo, keys, ed25519Keys, root, intermediate, rogueRoot, deep: [deep1, deep2, deep3], expiredIntermediate,
  });

  const revokedSerial = clients.revoked.facts.serialNumber;
  const [crlRoot, crlIntermediate, crlIntermediateEmpty, crlIntermediateStale] = await Promise.all([
    createCrl({ name: 'crl-root', description: "The root's CRL: empty.", ca: root, revoke: [], thisUpdate: at(-HOUR), nextUpdate: at(30 * DAY) }),
    createCrl({ name: 'crl-intermediate', description: "The intermediate's CRL: revokes client-revoked.", ca: intermediate, revoke: [revokedSerial], thisUpdate: at(-HOUR), nextUpdate: at(30 * DAY) }),
    createCrl({ name: 'crl-intermediate-empty', description: "The intermediate's CRL with no entries.", ca: intermediate, revoke: [], thisUpdate: at(-HOUR), nextUpdate: at(30 * DAY) }),
    createCrl({ name: 'crl-intermediate-stale', description: "The intermediate's CRL revoking client-revoked, but its nextUpdate has passed.", ca: intermediate, revoke: [revokedSerial], thisUpdate: at(-60 * DAY), nextUpdate: at(-30 * DAY) }),
  ]);

  const bundleHeader = '# ALB mTLS harness trust store bundle. ALB rules: PEM only, no blank lines, no dashes in comments\n';
  const pki: Pki = {
    now,
    keyType: family,
    albDnsName,
    root,
    intermediate,
    rogueRoot,
    deepIntermediates: [deep1, deep2, deep3],
    expiredIntermediate,
    server,
    serverUntrusted,
    serverWrongHost,
    clients,
    crls: { root: crlRoot, intermediate: crlIntermediate, intermediateEmpty: crlIntermediateEmpty, intermediateStale: crlIntermediateStale },
    trustStoreBundle: bundleHeader + root.certPem,
    trustStoreBundleWithIntermediate: bundleHeader + root.certPem + intermediate.certPem,
    issueClient: (o) => issueClient(pki, keyType, goodFrom, goodTo, o),
    writeTo: (dir, o) => writePki(pki, dir, o),
  };
  return pki;
}

function toIssuedCertificate(name: string, description: string, issued: Issued, keys: CryptoKeyPair) {
  return { name, description, certPem: issued.pem, keyPem: privateKeyPem(keys.privateKey), facts: certFacts(issued.node), x509: issued.node };
}

interface ClientBuildContext {
  now: Date;
  at(offsetMs: number): Date;
  goodFrom: Date;
  goodTo: Date;
  keys: Record<string, CryptoKeyPair>;
  ed25519Keys: CryptoKeyPair;
  root: CertificateAuthority;
  intermediate: CertificateAuthority;
  rogueRoot: CertificateAuthority;
  deep: CertificateAuthority[];
  expiredIntermediate: CertificateAuthority;
}

async function buildClients(c: ClientBuildContext): Promise<Record<ClientVariantId, ClientCertificate>> {
  const signer = (ca: CertificateAuthority): Signer => ({ cert: ca.cert, keys: ca.keys });
  const leaf = (subject: string | RawName, k: CryptoKeyPair, ca: CertificateAuthority | 'self', extra: Partial<Parameters<typeof issueCertificate>[0]> = {}) =>
    issueCertificate({
      subject, keys: k, signer: ca === 'self' ? 'self' : signer(ca), serial: randomSerial(), notBefore: c.goodFrom, notAfter: c.goodTo,
      extendedKeyUsages: [EKU.clientAuth], ...extra,
    });
  const cn = (name: string) => `${ORG}, CN=${name}`;
  const { keys, intermediate, at } = c;

  // The escaped-subject leaf must exercise every URL-encoding rule: re-issue (cheap with EC) until its base64 holds '+', '/' and '='.
  const escapedSubject: RawName = [['O', 'alb-mtls-harness'], ['OU', ' padded '], ['CN', '#hash, "quoted" <angle>;semi+plus\\back']];
  let escaped = await leaf(escapedSubject, keys.escaped!, intermediate);
  for (let i = 0; i < 30 && !(escaped.pem.includes('+') && escaped.pem.includes('/') && /=\n-----END/.test(escaped.pem)); i++) {
    escaped = await leaf(escapedSubject, keys.escaped!, intermediate);
  }

  const [good, goodAlt, highBit, expired, notYetValid, untrusted, selfSigned, serverAuth, revoked, deepLeaf, unsupported, sha1, v1, underExpired] =
    await Promise.all([
      leaf(cn('zuplo-gateway'), keys.good!, intermediate),
      leaf(cn('zuplo-gateway-production'), keys.goodAlt!, intermediate),
      leaf(cn('client-high-bit-serial'), keys.highBit!, intermediate, { serial: randomSerial(true) }),
      leaf(cn('client-expired'), keys.expired!, intermediate, { notBefore: at(-60 * 86_400_000), notAfter: at(-30 * 86_400_000) }),
      leaf(cn('client-not-yet-valid'), keys.notYetValid!, intermediate, { notBefore: at(30 * 86_400_000), notAfter: at(395 * 86_400_000) }),
      leaf(cn('client-untrusted'), keys.untrusted!, c.rogueRoot),
      leaf(cn('client-self-signed'), keys.selfSigned!, 'self'),
      leaf(cn('client-server-auth-only'), keys.serverAuth!, intermediate, { extendedKeyUsages: [EKU.serverAuth] }),
      leaf(cn('client-revoked'), keys.revoked!, intermediate, { serial: randomSerial(true) }),
      leaf(cn('client-chain-too-deep'), keys.deepLeaf!, c.deep[2]!),
      leaf(cn('client-ed25519'), c.ed25519Keys, intermediate),
      leaf(cn('client-sha1'), keys.sha1!, intermediate, { hash: 'SHA-1' }),
      leaf(cn('client-x509-v1'), keys.v1!, intermediate, { version: 1 }),
      leaf(cn('client-under-expired-intermediate'), keys.underExpired!, c.expiredIntermediate),
    ]);

  const keyPemOf = (k: CryptoKeyPair) => privateKeyPem(k.privateKey);
  const out = {} as Record<ClientVariantId, ClientCertificate>;
  const add = (id: ClientVariantId, issued: Issued, k: CryptoKeyPair, chainAfterLeaf: string[], keyPem = keyPemOf(k)) => {
    const spec = CLIENT_VARIANTS[id];
    out[id] = {
      id, name: `client-${id}`, description: spec.description, certPem: issued.pem, keyPem, facts: certFacts(issued.node), x509: issued.node,
      chainPem: issued.pem + chainAfterLeaf.join(''), expectedVerdict: spec.expectedVerdict, verdictReason: spec.verdictReason,
    };
  };
  const inter = intermediate.certPem;
  add('good', good, keys.good!, [inter]);
  add('good-alt', goodAlt, keys.goodAlt!, [inter]);
  add('escaped-subject', escaped, keys.escaped!, [inter]);
  add('high-bit-serial', highBit, keys.highBit!, [inter]);
  add('expired', expired, keys.expired!, [inter]);
  add('not-yet-valid', notYetValid, keys.notYetValid!, [inter]);
  add('untrusted-root', untrusted, keys.untrusted!, []);
  add('self-signed', selfSigned, keys.selfSigned!, []);
  add('leaf-only', good, keys.good!, []);
  add('server-auth-only', serverAuth, keys.serverAuth!, [inter]);
  add('revoked', revoked, keys.revoked!, [inter]);
  add('chain-too-deep', deepLeaf, keys.deepLeaf!, [c.deep[2]!.certPem, c.deep[1]!.certPem, c.deep[0]!.certPem]);
  add('unsupported-key', unsupported, c.ed25519Keys, [inter]);
  add('sha1-signature', sha1, keys.sha1!, [inter]);
  add('x509-v1', v1, keys.v1!, [inter]);
  add('root-appended', untrusted, keys.untrusted!, [c.root.certPem]);
  add('key-mismatch', good, keys.good!, [inter], keyPemOf(keys.goodAlt!));
  add('expired-intermediate', underExpired, keys.underExpired!, [c.expiredIntermediate.certPem]);
  return out;
}

async function issueClient(pki: Pki, defaultKeyType: KeyType, goodFrom: Date, goodTo: Date, o: IssueClientOptions): Promise<ClientCertificate> {
  if (!o.name) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', 'issueClient: name is required');
  const issuer = o.issuer ?? pki.intermediate;
  const k = await generateKeys(o.keyType ?? defaultKeyType);
  const issued = await issueCertificate({
    subject: o.subject ?? `${ORG}, CN=${o.name}`, keys: k, signer: { cert: issuer.cert, keys: issuer.keys }, serial: randomSerial(),
    notBefore: o.notBefore ?? goodFrom, notAfter: o.notAfter ?? goodTo, extendedKeyUsages: [EKU.clientAuth],
  });
  const chainAfterLeaf = issuer === pki.root ? '' : issuer.certPem;
  return {
    id: 'good', name: o.name, description: `Client certificate ${o.name} issued by ${issuer.facts.subject}.`, certPem: issued.pem,
    keyPem: privateKeyPem(k.privateKey), facts: certFacts(issued.node), x509: issued.node, chainPem: issued.pem + chainAfterLeaf,
    ...customVerdict(pki, issued.node, issuer),
  };
}

/** The verdict a custom client gets from the default trust store: key type first, then trust, then dates (the verifier's order). */
function customVerdict(pki: Pki, cert: import('node:crypto').X509Certificate, issuer: CertificateAuthority): Pick<ClientCertificate, 'expectedVerdict' | 'verdictReason'> {
  const facts = certFacts(cert);
  if (facts.keyType === 'rsa-1024' || facts.keyType === 'ed25519') {
    return { expectedVerdict: 'Failed:ClientCertTypeUnsupported', verdictReason: `ALB accepts RSA 2048-8192 and EC P-256/P-384/P-521 keys only, not ${facts.keyType}.` };
  }
  if (issuer === pki.rogueRoot) return { expectedVerdict: 'Failed:ClientCertUntrusted', verdictReason: 'Issued by a CA that is not in the trust store.' };
  if (facts.notBefore > pki.now) return { expectedVerdict: 'Failed:ClientCertNotYetValid', verdictReason: 'Its notBefore is in the future.' };
  if (facts.notAfter < pki.now) return { expectedVerdict: 'Failed:ClientCertExpired', verdictReason: 'Its notAfter has passed.' };
  return { expectedVerdict: 'Success', verdictReason: `A ${facts.keyType} clientAuth certificate that chains to the trusted root.` };
}
