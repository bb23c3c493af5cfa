import type { X509Certificate as NodeX509 } from 'node:crypto';
import type { CryptoKeyPair } from './crypto-types.ts';
import type { TlsVerifyStatus } from '../alb-codes.ts';

/** Key algorithms the factory can mint. ALB accepts RSA 2048-8192 and P-256/384/521 only. */
export type KeyType = 'ec-p256' | 'ec-p384' | 'ec-p521' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'rsa-1024' | 'ed25519';

/** The key family of a whole PKI set: `ec` = P-256 everywhere (default), `rsa` = RSA 2048 everywhere. */
export const PKI_KEY_FAMILIES = ['ec', 'rsa'] as const;
export type PkiKeyFamily = (typeof PKI_KEY_FAMILIES)[number];

/** Facts about one certificate, in the forms the ALB and its logs use. */
export interface CertFacts {
  /** Uppercase hex, whole bytes, no DER sign byte (as in `X-Amzn-Mtls-Clientcert-Serial-Number`). */
  serialNumber: string;
  /** RFC 2253: CN first, `,` separators, escaped (as `openssl x509 -nameopt RFC2253` prints). */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  keyType: KeyType;
  keyBits: number;
  /** e.g. `ecdsa-with-SHA256`, `sha256WithRSAEncryption`, `ecdsa-with-SHA1` (OpenSSL's names). */
  signatureAlgorithm: string;
  /** X.509 version: 3, or 1 for the deliberately old variant. */
  version: 1 | 3;
  selfSigned: boolean;
  /** SHA-256 of the DER, uppercase hex with colons (as Node's `fingerprint256`). */
  fingerprint256: string;
}

/** One certificate the factory made, with its private key. */
export interface IssuedCertificate {
  /** Stable short name, also the file stem in `writeTo` (e.g. `client-expired`). */
  name: string;
  /** One sentence: what this certificate is for. */
  description: string;
  /** PEM, always ending in a newline. */
  certPem: string;
  /** PKCS#8 PEM, always ending in a newline. */
  keyPem: string;
  facts: CertFacts;
  /** Node's parsed form. */
  x509: NodeX509;
}

/** A CA: also holds its WebCrypto keys, to sign with. */
export interface CertificateAuthority extends IssuedCertificate {
  keys: CryptoKeyPair;
}

/** The ids of the client certificates every PKI set contains. */
export type ClientVariantId =
  | 'good' // clientAuth leaf issued by the intermediate; presents leaf + intermediate
  | 'good-alt' // a second good client with another subject (per-environment bindings)
  | 'escaped-subject' // good, but its subject needs RFC 2253 escaping and its base64 holds '+'
  | 'high-bit-serial' // good, serial's first byte has the high bit set
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted-root' // issued by a rogue root that no trust store holds
  | 'self-signed'
  | 'leaf-only' // the good leaf presented without its intermediate
  | 'server-auth-only' // EKU serverAuth only
  | 'revoked' // listed in the intermediate's CRL; serial has the high bit set
  | 'chain-too-deep' // root -> 3 intermediates -> leaf: 5 certificates, ALB's limit is 4
  | 'unsupported-key' // Ed25519 leaf
  | 'sha1-signature'
  | 'x509-v1'
  | 'root-appended' // rogue-issued leaf with the trusted root appended to the chain
  | 'key-mismatch' // certificate and private key do not belong together
  | 'expired-intermediate'; // good leaf under an intermediate that has expired

export interface ClientCertificate extends IssuedCertificate {
  id: ClientVariantId;
  /** The chain the client presents, leaf first, each PEM block newline-terminated. */
  chainPem: string;
  /**
   * What an ALB in verify mode answers with the default trust store (`pki.trustStoreBundle`, root
   * only) and the default revocations (`pki.crls.root` + `pki.crls.intermediate`), or `null` when
   * the certificate never reaches the ALB (a TLS client refuses to load a mismatched key pair).
   */
  expectedVerdict: TlsVerifyStatus | null;
  /** Why the verdict is what it is, in one sentence a user understands. */
  verdictReason: string;
}

export interface CrlFile {
  name: string;
  description: string;
  /** PEM with the `X509 CRL` label and a trailing newline. */
  pem: string;
  /** RFC 2253 DN of the issuing CA. */
  issuer: string;
  /** Serials revoked, in the same form as `CertFacts.serialNumber`. */
  revokedSerials: string[];
  thisUpdate: Date;
  nextUpdate: Date;
}

export interface ServerCertificate extends IssuedCertificate {
  /** Leaf + issuing CA(s), what a TLS server sends. */
  chainPem: string;
  /** DNS names and IP addresses in its SAN. */
  subjectAltNames: string[];
}

export interface PkiOptions {
  /** Key family for every certificate in the set. Default `ec` (P-256). */
  keyType?: PkiKeyFamily;
  /** The clock: every validity window is computed from it. Default: the current time. */
  now?: Date;
  /** The emulated ALB DNS name put in the server certificate's SAN. Default `my-alb-1234567890.us-east-1.elb.amazonaws.com`. */
  albDnsName?: string;
  /** Validity of good certificates in days from `now` (starting 1 hour before `now`). Default 365. */
  validityDays?: number;
}

export interface IssueClientOptions {
  /** File stem / display name. Required. */
  name: string;
  /** Subject DN in RFC 2253 form, e.g. `CN=zuplo-gateway,O=Example`. Default `CN=<name>,O=alb-mtls-harness`. */
  subject?: string;
  /** Default: the set's key type (P-256 or RSA 2048). */
  keyType?: KeyType;
  /** Issuing CA. Default `pki.intermediate`. */
  issuer?: CertificateAuthority;
  notBefore?: Date;
  notAfter?: Date;
}

export interface WriteResult {
  dir: string;
  files: { path: string; kind: string; description: string; variant?: string; expectedVerdict?: TlsVerifyStatus | null }[];
}

export interface Pki {
  /** The clock the set was built at. */
  now: Date;
  keyType: PkiKeyFamily;
  albDnsName: string;
  root: CertificateAuthority;
  intermediate: CertificateAuthority;
  /** A root no trust store holds (issues `untrusted-root`, `root-appended` and `server-untrusted`). */
  rogueRoot: CertificateAuthority;
  /** Three intermediates chained under the root (the `chain-too-deep` path). */
  deepIntermediates: CertificateAuthority[];
  /** An intermediate under the root whose validity ended before `now`. */
  expiredIntermediate: CertificateAuthority;
  /** The ALB's server certificate, issued by the intermediate; SAN = albDnsName, localhost, 127.0.0.1, ::1. */
  server: ServerCertificate;
  /** A server certificate issued by the rogue root: a gateway trusting `root` rejects it. */
  serverUntrusted: ServerCertificate;
  /** Issued by the intermediate but for `wrong-host.example.com` only: host-name mismatch. */
  serverWrongHost: ServerCertificate;
  clients: Record<ClientVariantId, ClientCertificate>;
  crls: {
    /** The root's CRL: empty. */
    root: CrlFile;
    /** The intermediate's CRL: revokes `revoked`. */
    intermediate: CrlFile;
    /** The intermediate's CRL with no entries. */
    intermediateEmpty: CrlFile;
    /** The intermediate's CRL revoking `revoked`, but with nextUpdate before `now`. */
    intermediateStale: CrlFile;
  };
  /** The CA bundle to give the ALB's trust store: the root only, in ALB bundle format. */
  trustStoreBundle: string;
  /** Root + intermediate, for a trust store that completes leaf-only chains. */
  trustStoreBundleWithIntermediate: string;
  /** Issue one more client certificate (key-type matrix, custom subjects). */
  issueClient(options: IssueClientOptions): Promise<ClientCertificate>;
  /** Write every file, plus manifest.json and a .p12. Refuses an existing non-empty dir unless `force`. */
  writeTo(dir: string, options?: { force?: boolean }): Promise<WriteResult>;
}
