import type { GeneralNameInfo, Subtree } from '../../../certs/x509/extensions.ts';
import type { CertView } from '../../../certs/x509/model.ts';
import { fail, q, type PathContext, type RuleFailure } from './context.ts';

/**
 * Name constraints (RFC 5280 §4.2.1.10), as OpenSSL applies them: every name of every certificate
 * below a CA that carries nameConstraints (the anchor's included; self-issued intermediates
 * skipped) is checked against it. The names: the subject DN (directoryName), emailAddress
 * attributes of the subject (rfc822Name), every subjectAltName entry, and for the leaf without a DNS
 * subjectAltName a commonName that looks like a host name (dNSName). For each name type that has
 * permitted subtrees, at least one must match; no excluded subtree may match. A subtree with a
 * minimum or maximum, or a name type the verifier cannot compare, fails the name.
 */
export function nameConstraintViolation(ctx: PathContext): RuleFailure | undefined {
  const { path } = ctx;
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    if (i > 0 && cert.selfIssued) continue;
    const names = namesOf(cert, i === 0);
    for (let j = i + 1; j < path.length; j++) {
      const nc = path[j]!.extensions.nameConstraints;
      if (!nc) continue;
      for (const name of names) {
        const problem = check(name, nc.permitted, nc.excluded);
        if (problem) {
          return fail('ClientCertUntrusted', i, `certificate ${q(cert)} has the name ${describe(name)}, which ${problem} of CA ${q(path[j]!)}`);
        }
      }
    }
  }
  return undefined;
}

function namesOf(cert: CertView, isLeaf: boolean): GeneralNameInfo[] {
  const names: GeneralNameInfo[] = [];
  if (!cert.subjectEmpty) names.push({ type: 'dirName', rdns: cert.subjectRdns, text: cert.subject });
  for (const email of cert.subjectEmails) names.push({ type: 'email', value: email });
  names.push(...cert.subjectAltNames);
  if (isLeaf && !cert.subjectAltNames.some((n) => n.type === 'dns')) {
    for (const cn of cert.subjectCommonNames) if (looksLikeHostName(cn)) names.push({ type: 'dns', value: cn });
  }
  return names;
}

/** OpenSSL's test for a commonName that is a host name: at least two labels of letters, digits and inner hyphens. */
function looksLikeHostName(cn: string): boolean {
  const host = cn.endsWith('.') ? cn.slice(0, -1) : cn;
  const labels = host.split('.');
  return labels.length > 1 && labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(l));
}

function check(name: GeneralNameInfo, permitted: Subtree[], excluded: Subtree[]): string | undefined {
  const samePermitted = permitted.filter((s) => sameType(s.base, name));
  if (samePermitted.length > 0) {
    let matched = false;
    for (const s of samePermitted) {
      const r = matchSubtree(name, s);
      if (r === 'unsupported') return 'cannot be checked against the permitted subtrees';
      if (r === 'match') matched = true;
    }
    if (!matched) return `is outside the permitted subtrees (${samePermitted.map((s) => describe(s.base)).join(', ')})`;
  }
  for (const s of excluded.filter((e) => sameType(e.base, name))) {
    const r = matchSubtree(name, s);
    if (r === 'unsupported') return 'cannot be checked against the excluded subtrees';
    if (r === 'match') return `is inside the excluded subtree ${describe(s.base)}`;
  }
  return undefined;
}

function sameType(a: GeneralNameInfo, b: GeneralNameInfo): boolean {
  return a.type === b.type && (a.type !== 'other' || (b.type === 'other' && a.kind === b.kind));
}

type Match = 'match' | 'no-match' | 'unsupported';

function matchSubtree(name: GeneralNameInfo, subtree: Subtree): Match {
  if (subtree.minimum !== 0 || subtree.maximum !== undefined) return 'unsupported';
  const base = subtree.base;
  if (name.type === 'dns' && base.type === 'dns') return dnsMatch(name.value, base.value) ? 'match' : 'no-match';
  if (name.type === 'email' && base.type === 'email') return emailMatch(name.value, base.value);
  if (name.type === 'uri' && base.type === 'uri') return uriMatch(name.value, base.value);
  if (name.type === 'ip' && base.type === 'ip') return ipMatch(name.bytes, base.bytes) ? 'match' : 'no-match';
  if (name.type === 'dirName' && base.type === 'dirName') {
    return base.rdns.length <= name.rdns.length && base.rdns.every((r, k) => r === name.rdns[k]) ? 'match' : 'no-match';
  }
  return 'unsupported';
}

/** `example.com` matches itself and any subdomain; `.example.com` only subdomains; the empty base everything. */
function dnsMatch(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase();
  if (b === '') return true;
  if (n.length < b.length || !n.endsWith(b)) return false;
  if (n.length === b.length) return true;
  return b.startsWith('.') || n[n.length - b.length - 1] === '.';
}

/** `user@host` an exact mailbox (local part case-sensitive); `.example.com` any mailbox in a subdomain; `host` any mailbox at that host. */
function emailMatch(name: string, base: string): Match {
  const at = name.lastIndexOf('@');
  if (at < 0) return 'unsupported';
  const host = name.slice(at + 1).toLowerCase();
  if (base.startsWith('.')) return name.length > base.length && name.toLowerCase().endsWith(base.toLowerCase()) ? 'match' : 'no-match';
  const baseAt = base.lastIndexOf('@');
  if (baseAt >= 0) {
    if (baseAt > 0 && base.slice(0, baseAt) !== name.slice(0, at)) return 'no-match';
    return base.slice(baseAt + 1).toLowerCase() === host ? 'match' : 'no-match';
  }
  return base.toLowerCase() === host ? 'match' : 'no-match';
}

/**
 * The URI's host as OpenSSL reads it: after `://`, up to the first `:` (else the first `/`); no
 * userinfo or bracket handling, so `https://user@host/` has the host `user@host` and fails a
 * constraint on `host` (the strict reading). `.example.com` matches any subdomain, otherwise the
 * host must equal the base.
 */
function uriMatch(name: string, base: string): Match {
  const start = name.indexOf('://');
  if (start < 0) return 'unsupported';
  const rest = name.slice(start + 3);
  const colon = rest.indexOf(':');
  const slash = rest.indexOf('/');
  const host = (colon >= 0 ? rest.slice(0, colon) : slash >= 0 ? rest.slice(0, slash) : rest).toLowerCase();
  if (host === '') return 'unsupported';
  const b = base.toLowerCase();
  if (b.startsWith('.')) return host.length > b.length && host.endsWith(b) ? 'match' : 'no-match';
  return host === b ? 'match' : 'no-match';
}

/** The base is an address followed by a mask of the same length (8 bytes for IPv4, 32 for IPv6). */
function ipMatch(address: Buffer, base: Buffer): boolean {
  if (base.length !== address.length * 2) return false;
  for (let k = 0; k < address.length; k++) {
    const mask = base[address.length + k]!;
    if ((address[k]! & mask) !== (base[k]! & mask)) return false;
  }
  return true;
}

function describe(name: GeneralNameInfo): string {
  switch (name.type) {
    case 'dns': return `DNS:${name.value}`;
    case 'email': return `email:${name.value}`;
    case 'uri': return `URI:${name.value}`;
    case 'ip': return `IP:${ipText(name.bytes)}`;
    case 'dirName': return `DirName:${name.text}`;
    default: return name.kind;
  }
}

function ipText(bytes: Buffer): string {
  const part = (b: Buffer): string => (b.length === 4 ? [...b].join('.') : b.toString('hex').replace(/(.{4})(?!$)/g, '$1:'));
  if (bytes.length === 8 || bytes.length === 32) return `${part(bytes.subarray(0, bytes.length / 2))}/${part(bytes.subarray(bytes.length / 2))}`;
  return part(bytes);
}
