import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_VARIANTS, createPki, type Pki } from '../../certs/index.ts';
import { main } from '../../harness/cli/main.ts';
import type { CliIo } from '../../harness/cli/io.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), color: false, untilInterrupted: () => new Promise(() => {}) };
}

describe('PKI factory: facts and shapes', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki({ now: new Date('2026-06-01T10:20:30.456Z') });
  });

  it('rounds the clock to whole seconds and computes every window from it', () => {
    expect(pki.now.toISOString()).toBe('2026-06-01T10:20:30.000Z');
    expect(pki.clients.good.facts.notBefore.toISOString()).toBe('2026-06-01T09:20:30.000Z');
    expect(pki.clients.good.facts.notAfter.toISOString()).toBe('2027-06-01T10:20:30.000Z');
    expect(pki.clients.expired.facts.notAfter < pki.now).toBe(true);
    expect(pki.clients['not-yet-valid'].facts.notBefore > pki.now).toBe(true);
    expect(pki.expiredIntermediate.facts.notAfter < pki.now).toBe(true);
  });

  it('Node parses every certificate; PEM and chains end in a newline, leaf first', () => {
    const all = [pki.root, pki.intermediate, pki.rogueRoot, ...pki.deepIntermediates, pki.expiredIntermediate, pki.server, pki.serverUntrusted, pki.serverWrongHost, ...Object.values(pki.clients)];
    for (const c of all) {
      expect(new X509Certificate(c.certPem).fingerprint256).toBe(c.facts.fingerprint256);
      expect(c.certPem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
      expect(c.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    }
    for (const c of Object.values(pki.clients)) expect(c.chainPem.startsWith(c.certPem)).toBe(true);
  });

  it('every variant is labelled with an ALB verdict and a reason', () => {
    expect(Object.keys(pki.clients).sort()).toEqual(Object.keys(CLIENT_VARIANTS).sort());
    for (const c of Object.values(pki.clients)) {
      expect(c.expectedVerdict === null || /^(Success|Failed:ClientCert\w+|Failed:UnmappedConnectionError)$/.test(c.expectedVerdict)).toBe(true);
      expect(c.verdictReason.length).toBeGreaterThan(10);
    }
  });

  it('serials are uppercase hex in whole bytes, without the DER sign byte', () => {
    for (const c of Object.values(pki.clients)) expect(c.facts.serialNumber).toMatch(/^([0-9A-F]{2})+$/);
    expect(parseInt(pki.clients['high-bit-serial'].facts.serialNumber.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x80);
    expect(pki.clients['high-bit-serial'].facts.serialNumber).toHaveLength(32);
  });

  it('ALB-only defects are in the facts: depth, key type, SHA-1, v1', () => {
    const deep = pki.clients['chain-too-deep'];
    const chain = deep.chainPem.match(/BEGIN CERTIFICATE/g)!;
    expect(chain).toHaveLength(4); // leaf + 3 intermediates sent; with the root the path is 5 > ALB's 4
    expect(pki.deepIntermediates[0]!.facts.issuer).toBe(pki.root.facts.subject);
    expect(pki.clients['unsupported-key'].facts.keyType).toBe('ed25519');
    expect(pki.clients['sha1-signature'].facts.signatureAlgorithm).toBe('ecdsa-with-SHA1');
    expect(pki.clients['x509-v1'].facts.version).toBe(1);
    expect(pki.clients.good.facts).toMatchObject({ version: 3, keyType: 'ec-p256', keyBits: 256, signatureAlgorithm: 'ecdsa-with-SHA256' });
  });

  it('the key-mismatch pair is refused by a TLS client, the good pair is not', () => {
    const bad = pki.clients['key-mismatch'];
    expect(() => tls.createSecureContext({ cert: bad.chainPem, key: bad.keyPem })).toThrow(/key values mismatch/);
    expect(() => tls.createSecureContext({ cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem })).not.toThrow();
  });

  it('the escaped-subject leaf exercises every URL-encoding rule (+, / and = in its base64)', () => {
    const pem = pki.clients['escaped-subject'].certPem;
    expect(pem).toContain('+');
    expect(pem).toContain('/');
    expect(pem).toMatch(/=\n-----END CERTIFICATE-----/);
  });

  it('issues extra clients for the key-type matrix with the verdict ALB gives them', async () => {
    const p384 = await pki.issueClient({ name: 'client-p384', keyType: 'ec-p384' });
    expect(p384.facts.keyType).toBe('ec-p384');
    expect(p384.expectedVerdict).toBe('Success');
    const rsa1024 = await pki.issueClient({ name: 'client-rsa1024', keyType: 'rsa-1024' });
    expect(rsa1024.facts).toMatchObject({ keyType: 'rsa-1024', keyBits: 1024 });
    expect(rsa1024.expectedVerdict).toBe('Failed:ClientCertTypeUnsupported');
  });
});

describe('writeTo and `alb-mtls certs`', () => {
  it('writes every file with a manifest, and refuses to overwrite without --force', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const out = join(dir.path, 'pki');
    const result = await pki.writeTo(out);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(['ca/ca-root.crt', 'trust-store/bundle.pem', 'crl/crl-intermediate.pem', 'clients/client-expired.crt', 'server/server-alb.key']));
    expect(manifest.files.find((f: { path: string }) => f.path === 'clients/client-expired.crt').expectedVerdict).toBe('Failed:ClientCertExpired');
    expect(manifest.pkcs12.file).toBeUndefined();
    expect(manifest.pkcs12.note).toContain('RSA only');
    expect(await readFile(join(out, 'clients/client-good.chain.pem'), 'utf8')).toBe(pki.clients.good.chainPem);
    expect(result.files.length).toBe((await walk(out)).length);
    await expect(pki.writeTo(out)).rejects.toMatchObject({ code: 'HARNESS_ERR_OUTPUT_EXISTS' });
    await expect(pki.writeTo(out, { force: true })).resolves.toBeTruthy();
  });

  it('the CLI prints a table and exits 0; bad flags exit 2 with a message naming the flag and no stack', async () => {
    await using dir = await tempDir();
    const io = captureIo();
    expect(await main(['certs', '--out', join(dir.path, 'a')], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/clients\/client-expired\.crt\s+Failed:ClientCertExpired/);

    const cases: [string[], RegExp][] = [
      [['certs', '--out', join(dir.path, 'b'), '--key-type', 'dsa'], /--key-type "dsa" is not valid\. Use one of: ec, rsa\./],
      [['certs', '--out', join(dir.path, 'b'), '--at', 'tomorrow'], /--at "tomorrow" is not an ISO 8601 date/],
      [['certs', '--out', await dir.file('a-file', 'x')], /is a file, not a directory/],
      [['certs', '--out', join(dir.path, 'a')], /directory is not empty\. .*--force/],
      [['certs'], /--out DIR is required/],
    ];
    for (const [argv, message] of cases) {
      const bad = captureIo();
      expect(await main(argv, bad)).toBe(2);
      expect(bad.stderr.join('\n')).toMatch(message);
      expect(bad.stderr.join('\n')).not.toMatch(/\n\s+at /);
    }
  });
});

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}
