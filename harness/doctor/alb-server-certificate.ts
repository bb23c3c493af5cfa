import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect, rootCertificates } from 'node:tls';
import { issuerRfc2253, subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import { UserError } from '../errors.ts';
import type { Finding } from './types.ts';
import { parseChain } from './verify-chain.ts';

export interface HostUse {
  hostname: string;
  route: string;
  file: string;
  field: string;
}

export interface AlbCertificateInput {
  /** The chain as served (leaf first) and where it came from. */
  chain?: { text: string; source: string };
  /** Or an https URL to connect to. */
  url?: { value: string; label: string };
  /** PEM of the CAs the gateway trusts; undefined = Node's public roots (the managed edge's view). */
  originCa?: { text: string; source: string };
  hosts: HostUse[];
  at: Date;
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Would the gateway trust the ALB's server certificate for each route's host name? The same two
 * checks its outbound TLS makes: a path to a trusted CA, then the host name against the leaf.
 * Returns the served chain (for expiry checks) when it could be read.
 */
export async function checkAlbServerCertificate(input: AlbCertificateInput, findings: Finding[]): Promise<X509Certificate[]> {
  const anchorsFrom = input.originCa ? `the CAs in ${input.originCa.source}` : "Node's public root CAs (what the managed edge trusts)";
  const untrustedFix = input.originCa
    ? `Add the CA that issued the ALB's certificate to ${input.originCa.source}.`
    : 'Give the ALB a certificate from a public CA (e.g. ACM) for its host name; locally, trust a private CA with the gateway\'s --origin-ca.';
  let chain: X509Certificate[];
  let source: string;
  if (input.chain) {
    source = input.chain.source;
    chain = parseChain(input.chain.text, source);
    const anchors = input.originCa ? parseChain(input.originCa.text, input.originCa.source) : rootCertificates.map((pem) => new X509Certificate(pem));
    const problem = pathProblem(chain, anchors, input.at);
    if (problem) {
      findings.push({ severity: 'error', check: 'alb-server-certificate', file: source, field: 'chain', message: `the gateway would not trust the ALB's certificate: ${problem} (trusting ${anchorsFrom}); every request ends in 522.`, fix: untrustedFix });
      return chain;
    }
  } else if (input.url) {
    source = `${input.url.label} ${input.url.value}`;
    const fetched = await fetchServedChain(input.url.value, input.url.label, input.hosts[0]?.hostname, input.originCa?.text);
    if ('error' in fetched) {
      findings.push({ severity: 'error', check: 'alb-server-certificate', file: source, field: 'TLS handshake', message: `the gateway would not trust the ALB's certificate: ${fetched.error} (trusting ${anchorsFrom}); every request ends in 522.`, fix: fetched.reachable ? untrustedFix : `Check that ${input.url.value} is reachable from here.` });
      return [];
    }
    chain = fetched.chain;
  } else {
    return [];
  }
  const leaf = chain[0]!;
  for (const use of input.hosts) {
    const mismatch = checkServerIdentity(use.hostname, leaf.toLegacyObject());
    if (mismatch) {
      findings.push({
        severity: 'error', check: 'alb-server-certificate', route: use.route, file: use.file, field: use.field,
        message: `the ALB's certificate (${source}) does not cover ${use.hostname}: ${mismatch.message}; requests on this route end in 522.`,
        fix: `Point the route at a name the certificate covers, or add ${use.hostname} to its subject alternative names.`,
      });
    }
  }
  if (!findings.some((f) => f.check === 'alb-server-certificate')) {
    findings.push({ severity: 'info', check: 'alb-server-certificate', file: source, field: 'chain', message: `the gateway trusts the ALB's certificate (${subjectRfc2253(leaf)}) for ${input.hosts.map((h) => h.hostname).filter((h, i, all) => all.indexOf(h) === i).join(', ') || 'its own names'}, trusting ${anchorsFrom}.`, fix: '' });
  }
  return chain;
}

/** Why `chain` does not lead to one of `anchors` at `at`, or undefined when it does. */
function pathProblem(chain: X509Certificate[], anchors: X509Certificate[], at: Date): string | undefined {
  const isAnchor = (c: X509Certificate) => anchors.some((a) => a.fingerprint256 === c.fingerprint256);
  let current = chain[0]!;
  for (let depth = 0; depth < 10; depth++) {
    if (new Date(current.validTo) < at) return `${subjectRfc2253(current)} expired on ${new Date(current.validTo).toISOString()}`;
    if (new Date(current.validFrom) > at) return `${subjectRfc2253(current)} is not valid until ${new Date(current.validFrom).toISOString()}`;
    if (isAnchor(current)) return undefined;
    const issuer = [...anchors, ...chain.slice(1)].find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) return `no trusted CA issued ${subjectRfc2253(current)} (issuer ${issuerRfc2253(current)})`;
    if (isAnchor(issuer)) return new Date(issuer.validTo) < at ? `the CA ${subjectRfc2253(issuer)} expired` : undefined;
    current = issuer;
  }
  return 'the chain is longer than 10 certificates';
}

/** Connects with the gateway's trust (no client certificate) and returns the served chain, or why it was refused. */
function fetchServedChain(url: string, label: string, servername: string | undefined, ca: string | undefined): Promise<{ chain: X509Certificate[] } | { error: string; reachable: boolean }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${label} "${url}" is not a URL. Use e.g. ${label} https://my-alb.example.com.`);
  }
  if (parsed.protocol !== 'https:') throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${label} "${url}" must be an https:// URL (the ALB's mTLS listener).`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const name = servername ?? host;
  return new Promise((resolve) => {
    const socket = connect({
      host, port: Number(parsed.port || 443), ...(/^[\d.:]+$/.test(name) ? {} : { servername: name }),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: true,
      // Host names are checked per route afterwards; this connection only judges the chain.
      checkServerIdentity: () => undefined,
    });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error(`no TLS handshake within ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      const chain: X509Certificate[] = [];
      let cert = socket.getPeerX509Certificate();
      while (cert && !chain.some((c) => c.fingerprint256 === cert!.fingerprint256)) {
        chain.push(cert);
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve({ chain });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      const tlsVerify = /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME/.test(err.code ?? '');
      resolve({ error: `${err.code ?? 'error'}: ${err.message}`, reachable: tlsVerify });
    });
  });
}
