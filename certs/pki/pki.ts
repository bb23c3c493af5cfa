import { EKU, issueCertificate, type Issued, type IssueParams, type RawName, type Signer } from './issue.ts';
import { generateKeys, privateKeyPem } from './keys.ts';
import { certFacts } from '../x509/facts.ts';
import { parseRfc2253 } from './dn-parse.ts';
import { randomSerial } from '../x509/serial.ts';
import { createCrl } from './crl.ts';
import { CLIENT_VARIANTS } from './variants.ts';
import { writePki } from './write.ts';
import { UserError } from '../../harness/errors.ts';
import { PKI_KEY_FAMILIES } from './types.ts';
import type {
  CertificateAuthority, ClientCertificate, ClientVariantId, IssueClientOptions, KeyType, Pki, PkiOptions, ServerCertificate,
} from './types.ts';
import type { CryptoKeyPair } from './crypto-types.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ORG: RawName[number] = ['O', 'alb-mtls-harness'];
export const DEFAULT_ALB_DNS_NAME = 'my-alb-1234567890.us-east-1.elb.amazonaws.com';

/** `O=alb-mtls-harness, CN=<cn>` in DER order, so RFC 2253 reads `CN=<cn>,O=alb-mtls-harness`. */
const named = (cn: string, org: RawName[number] = ORG): RawName => [org, ['CN', cn]];

/**
 * Builds the whole PKI set as of `options.now`: root and intermediate CAs, the ALB's server
 * certificates, a good client and every bad variant (each with the ALB verdict it should get),
 * and CRLs. Pure apart from randomness: no I/O until `writeTo`.
 */
export async function createPki(options: PkiOptions = {}): Promise<Pki> {
  const family = options.keyType ?? 'ec';
  if (!(PKI_KEY_FAMILIES as readonly unknown[]).includes(family)) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `keyType: unknown key type "${String(family)}" (use ${PKI_KEY_FAMILIES.map((k) => `"${k}"`).join(' or ')})`);
  }
  const given = options.now ?? new Date();
  if (!(given instanceof Date) || Number.isNaN(given.getTime())) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `now is ${String(given)}; pass a valid Date (default: the current time).`);
  }
  const now = new Date(Math.floor(given.getTime() / 1000) * 1000); // certificates hold whole seconds
  const keyType: KeyType = family === 'ec' ? 'ec-p256' : 'rsa-2048';
  const albDnsName = checkDnsName(options.albDnsName ?? DEFAULT_ALB_DNS_NAME);
  const validityDays = checkValidityDays(options.validityDays ?? 365);
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
  const good: Validity = [at(-HOUR), at(validityDays * DAY)];
  const caValidity: Validity = [at(-DAY), at(10 * 365 * DAY)];

  // CAs, the server and the two good clients get keys of their own; the bad variants (whose defects are
  // never about their key) share one. Key generation dominates an RSA set, and WebCrypto runs it on the
  // thread pool, so all keys start at once.
  const keyNames = ['root', 'intermediate', 'rogue', 'deep1', 'deep2', 'deep3', 'expiredInter', 'server', 'good', 'goodAlt', 'variant'] as const;
  const [keyList, ed25519] = await Promise.all([Promise.all(keyNames.map(() => generateKeys(keyType))), generateKeys('ed25519')]);
  const keys = Object.fromEntries(keyNames.map((n, i) => [n, keyList[i]!])) as Record<(typeof keyNames)[number], CryptoKeyPair>;

  const ca = (name: string, description: string, subject: RawName, k: CryptoKeyPair, signer: Signer, validity = caValidity) =>
    toAuthority(name, description, k, issueCertificate({ subject, keys: k, signer, serial: randomSerial(), notBefore: validity[0], notAfter: validity[1], ca: true }));

  const root = ca('ca-root', 'The root CA: the only certificate in the default trust store.', named('alb-mtls-harness Root CA'), keys.root, 'self');
  const intermediate = ca('ca-intermediate', 'The intermediate CA that issues the client and server certificates.', named('alb-mtls-harness Intermediate CA'), keys.intermediate, signerOf(root));
  const rogueRoot = ca('ca-rogue-root', 'A root CA no trust store holds: what it issues is untrusted.', named('Rogue Root CA', ['O', 'Somebody Else']), keys.rogue, 'self');
  const deep1 = ca('ca-deep-1', 'First of three chained intermediates (the too-deep chain).', named('Deep Intermediate 1'), keys.deep1, signerOf(root));
  const deep2 = ca('ca-deep-2', 'Second chained intermediate.', named('Deep Intermediate 2'), keys.deep2, signerOf(deep1));
  const deep3 = ca('ca-deep-3', 'Third chained intermediate.', named('Deep Intermediate 3'), keys.deep3, signerOf(deep2));
  const expiredIntermediate = ca('ca-expired-intermediate', 'An intermediate CA whose validity has ended.', named('Expired Intermediate CA'), keys.expiredInter, signerOf(root), [at(-400 * DAY), at(-30 * DAY)]);

  const serverCert = (name: string, description: string, issuer: CertificateAuthority, dns: string[], ip: string[]): ServerCertificate => {
    const issued = issueCertificate({
      subject: named(dns[0]!), keys: keys.server, signer: signerOf(issuer), serial: randomSerial(),
      notBefore: good[0], notAfter: good[1], extendedKeyUsages: [EKU.serverAuth], subjectAltNames: { dns, ip },
    });
    const base = toIssued(name, description, issued, keys.server);
    return { ...base, chainPem: base.certPem + issuer.certPem, subjectAltNames: [...dns, ...ip] };
  };
  const loopback = ['127.0.0.1', '::1'];
  const server = serverCert('server-alb', `The ALB's server certificate: SAN ${albDnsName}, localhost, 127.0.0.1, ::1.`, intermediate, [albDnsName, 'localhost'], loopback);
  const serverUntrusted = serverCert('server-untrusted', 'A server certificate from the rogue root: a gateway that trusts the root refuses it.', rogueRoot, [albDnsName, 'localhost'], loopback);
  const serverWrongHost = serverCert('server-wrong-host', 'A server certificate for wrong-host.example.com only: the host name does not match.', intermediate, ['wrong-host.example.com'], []);

  const clients = buildClients({ at, good, keys, ed25519, root, intermediate, rogueRoot, deep: [deep1, deep2, deep3], expiredIntermediate });

  const revoked = [clients.revoked.facts.serialNumber];
  const fresh = { thisUpdate: at(-HOUR), nextUpdate: at(30 * DAY) };
  const [crlRoot, crlIntermediate, crlIntermediateEmpty, crlIntermediateStale] = [
    createCrl({ name: 'crl-root', description: "The root's CRL: empty.", ca: root, revoke: [], ...fresh }),
    createCrl({ name: 'crl-intermediate', description: "The intermediate's CRL: revokes client-revoked.", ca: intermediate, revoke: revoked, ...fresh }),
    createCrl({ name: 'crl-intermediate-empty', description: "The intermediate's CRL with no entries.", ca: intermediate, revoke: [], ...fresh }),
    createCrl({ name: 'crl-intermediate-stale', description: "The intermediate's CRL revoking client-revoked, but its nextUpdate has passed.", ca: intermediate, revoke: revoked, thisUpdate: at(-60 * DAY), nextUpdate: at(-30 * DAY) }),
  ];

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
    issueClient: (o) => issueClient(pki, keyType, good, o),
    writeTo: (dir, o) => writePki(pki, dir, o),
  };
  return pki;
}

type Validity = [notBefore: Date, notAfter: Date];

/** A DNS name for a SAN: dot-separated labels of letters, digits and '-', at most 253 characters. */
const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkDnsName(name: unknown): string {
  if (typeof name !== 'string' || !DNS_NAME.test(name)) {
    throw new UserError(
      'HARNESS_ERR_INVALID_ARGUMENT',
      `albDnsName is ${JSON.stringify(name)}; use a DNS name such as "${DEFAULT_ALB_DNS_NAME}" (letters, digits, '-' and '.').`,
    );
  }
  return name;
}

/** Good certificates run from an hour ago to this many days ahead: a whole number of days, at least 1. */
function checkValidityDays(days: unknown): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 100 * 365) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `validityDays is ${JSON.stringify(days)}; use a whole number of days from 1 to 36500 (default 365).`);
  }
  return days;
}

/** What a CA needs to sign: kept beside the public CertificateAuthority, keyed by it. */
const signers = new WeakMap<CertificateAuthority, Exclude<Signer, 'self'>>();

function signerOf(ca: CertificateAuthority): Signer {
  return signers.get(ca)!;
}

function toIssued(name: string, description: string, issued: Issued, keys: CryptoKeyPair) {
  return { name, description, certPem: issued.pem, keyPem: privateKeyPem(keys.privateKey), facts: certFacts(issued.node, issued.tbs), x509: issued.node };
}

function toAuthority(name: string, description: string, keys: CryptoKeyPair, issued: Issued): CertificateAuthority {
  const authority: CertificateAuthority = { ...toIssued(name, description, issued, keys), keys };
  signers.set(authority, { name: issued.name, keys, keyId: issued.keyId });
  return authority;
}

interface ClientBuildContext {
  at(offsetMs: number): Date;
  good: Validity;
  keys: Record<'good' | 'goodAlt' | 'variant', CryptoKeyPair>;
  ed25519: CryptoKeyPair;
  root: CertificateAuthority;
  intermediate: CertificateAuthority;
  rogueRoot: CertificateAuthority;
  deep: CertificateAuthority[];
  expiredIntermediate: CertificateAuthority;
}

function buildClients(c: ClientBuildContext): Record<ClientVariantId, ClientCertificate> {
  const { keys, intermediate, at } = c;
  const leaf = (cn: string, issuer: CertificateAuthority | 'self', k = keys.variant, extra: Partial<IssueParams> = {}) =>
    issueCertificate({
      subject: named(cn), keys: k, signer: issuer === 'self' ? 'self' : signerOf(issuer), serial: randomSerial(),
      notBefore: c.good[0], notAfter: c.good[1], extendedKeyUsages: [EKU.clientAuth], ...extra,
    });

  // The escaped-subject leaf must exercise every URL-encoding rule: re-issue (cheap) until its base64 holds '+', '/' and '='.
  const escapedSubject: RawName = [ORG, ['OU', ' padded '], ['CN', '#hash, "quoted" <angle>;semi+plus\\back']];
  const escapedLeaf = () => leaf('', intermediate, keys.variant, { subject: escapedSubject });
  let escaped = escapedLeaf();
  for (let i = 0; i < 50 && !(escaped.pem.includes('+') && escaped.pem.includes('/') && /=\n-----END/.test(escaped.pem)); i++) escaped = escapedLeaf();

  const good = leaf('zuplo-gateway', intermediate, keys.good);
  const untrusted = leaf('client-untrusted', c.rogueRoot);
  const issued: Record<Exclude<ClientVariantId, 'leaf-only' | 'root-appended' | 'key-mismatch'>, [Issued, CryptoKeyPair, string[]]> = {
    good: [good, keys.good, [intermediate.certPem]],
    'good-alt': [leaf('zuplo-gateway-production', intermediate, keys.goodAlt), keys.goodAlt, [intermediate.certPem]],
    'escaped-subject': [escaped, keys.variant, [intermediate.certPem]],
    'high-bit-serial': [leaf('client-high-bit-serial', intermediate, keys.variant, { serial: randomSerial(true) }), keys.variant, [intermediate.certPem]],
    expired: [leaf('client-expired', intermediate, keys.variant, { notBefore: at(-60 * DAY), notAfter: at(-30 * DAY) }), keys.variant, [intermediate.certPem]],
    'not-yet-valid': [leaf('client-not-yet-valid', intermediate, keys.variant, { notBefore: at(30 * DAY), notAfter: at(395 * DAY) }), keys.variant, [intermediate.certPem]],
    'untrusted-root': [untrusted, keys.variant, []],
    'self-signed': [leaf('client-self-signed', 'self'), keys.variant, []],
    'server-auth-only': [leaf('client-server-auth-only', intermediate, keys.variant, { extendedKeyUsages: [EKU.serverAuth] }), keys.variant, [intermediate.certPem]],
    revoked: [leaf('client-revoked', intermediate, keys.variant, { serial: randomSerial(true) }), keys.variant, [intermediate.certPem]],
    'chain-too-deep': [leaf('client-chain-too-deep', c.deep[2]!), keys.variant, [c.deep[2]!.certPem, c.deep[1]!.certPem, c.deep[0]!.certPem]],
    'unsupported-key': [leaf('client-ed25519', intermediate, c.ed25519), c.ed25519, [intermediate.certPem]],
    'sha1-signature': [leaf('client-sha1', intermediate, keys.variant, { hash: 'SHA-1' }), keys.variant, [intermediate.certPem]],
    'x509-v1': [leaf('client-x509-v1', intermediate, keys.variant, { version: 1 }), keys.variant, [intermediate.certPem]],
    'expired-intermediate': [leaf('client-under-expired-intermediate', c.expiredIntermediate), keys.variant, [c.expiredIntermediate.certPem]],
  };
  const derived: Record<'leaf-only' | 'root-appended' | 'key-mismatch', [Issued, CryptoKeyPair, string[], CryptoKeyPair?]> = {
    'leaf-only': [good, keys.good, []],
    'root-appended': [untrusted, keys.variant, [c.root.certPem]],
    'key-mismatch': [good, keys.good, [intermediate.certPem], keys.goodAlt],
  };

  const out = {} as Record<ClientVariantId, ClientCertificate>;
  for (const [id, [cert, k, rest, keyOverride]] of Object.entries({ ...issued, ...derived }) as [ClientVariantId, [Issued, CryptoKeyPair, string[], CryptoKeyPair?]][]) {
    const spec = CLIENT_VARIANTS[id];
    out[id] = {
      ...toIssued(`client-${id}`, spec.description, cert, keyOverride ?? k),
      id, chainPem: cert.pem + rest.join(''), expectedVerdict: spec.expectedVerdict, verdictReason: spec.verdictReason,
    };
  }
  return out;
}

async function issueClient(pki: Pki, defaultKeyType: KeyType, good: Validity, o: IssueClientOptions): Promise<ClientCertificate> {
  if (!o.name) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', 'issueClient: name is required');
  const issuer = o.issuer ?? pki.intermediate;
  const signer = signers.get(issuer);
  if (!signer) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', 'issueClient: issuer must be one of this PKI\'s CAs (pki.root, pki.intermediate, ...)');
  const k = await generateKeys(o.keyType ?? defaultKeyType);
  const issued = issueCertificate({
    subject: o.subject ? parseRfc2253(o.subject, 'issueClient: subject') : named(o.name), keys: k, signer, serial: randomSerial(),
    notBefore: o.notBefore ?? good[0], notAfter: o.notAfter ?? good[1], extendedKeyUsages: [EKU.clientAuth],
  });
  return {
    ...toIssued(o.name, `Client certificate ${o.name} issued by ${issuer.facts.subject}.`, issued, k),
    id: 'good', chainPem: issued.pem + (issuer === pki.root ? '' : issuer.certPem),
    ...customVerdict(pki, issued, issuer),
  };
}

/** The verdict a custom client gets from the default trust store: key type first, then trust, then dates (the verifier's order). */
function customVerdict(pki: Pki, cert: Issued, issuer: CertificateAuthority): Pick<ClientCertificate, 'expectedVerdict' | 'verdictReason'> {
  const facts = certFacts(cert.node, cert.tbs);
  if (facts.keyType === 'rsa-1024' || facts.keyType === 'ed25519') {
    return { expectedVerdict: 'Failed:ClientCertTypeUnsupported', verdictReason: `ALB accepts RSA 2048-8192 and EC P-256/P-384/P-521 keys only, not ${facts.keyType}.` };
  }
  if (issuer === pki.rogueRoot) return { expectedVerdict: 'Failed:ClientCertUntrusted', verdictReason: 'Issued by a CA that is not in the trust store.' };
  if (facts.notBefore > pki.now) return { expectedVerdict: 'Failed:ClientCertNotYetValid', verdictReason: 'Its notBefore is in the future.' };
  if (facts.notAfter < pki.now) return { expectedVerdict: 'Failed:ClientCertExpired', verdictReason: 'Its notAfter has passed.' };
  return { expectedVerdict: 'Success', verdictReason: `A ${facts.keyType} clientAuth certificate that chains to the trusted root.` };
}
