import { describe, expect, it } from 'vitest';
import { createPki } from '../../certs/index.ts';
import { main } from '../../harness/cli/main.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';

describe('alb-mtls verify: would the ALB accept this certificate? (offline)', () => {
  it('answers with the tls_verify_status, the reason and, on Success, the headers the target gets', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const bundle = await dir.file('bundle.pem', pki.trustStoreBundle);
    const crl = await dir.file('crl.pem', pki.crls.intermediate.pem);
    const run = async (variant: keyof typeof pki.clients, ...extra: string[]) => {
      const io = captureIo();
      const chain = await dir.file(`${variant}.pem`, pki.clients[variant].chainPem);
      const code = await main(['verify', '--cert', chain, '--trust-store', bundle, '--crl', crl, ...extra], io);
      return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
    };

    const good = await run('good');
    expect(good.code).toBe(0);
    expect(good.out).toContain('tls_verify_status=Success');
    expect(good.out).toContain('X-Amzn-Mtls-Clientcert-Subject: CN=zuplo-gateway,O=alb-mtls-harness');
    expect(good.out).toContain(`X-Amzn-Mtls-Clientcert-Serial-Number: ${pki.clients.good.facts.serialNumber}`);

    for (const variant of ['expired', 'revoked', 'leaf-only', 'chain-too-deep', 'server-auth-only'] as const) {
      const r = await run(variant);
      expect(r.code, variant).toBe(1);
      expect(r.out).toContain(`tls_verify_status=${pki.clients[variant].expectedVerdict}`);
    }
    expect((await run('expired', '--ignore-expiry')).code).toBe(0);
    // Judged as of a date after the good certificate's notAfter.
    const later = await run('good', '--at', new Date(pki.clients.good.facts.notAfter.getTime() + 86_400_000).toISOString());
    expect(later.code).toBe(1);
    expect(later.out).toContain('tls_verify_status=Failed:ClientCertExpired');
  });

  it('a bundle that breaks ALB rules exits 2 naming the file, the line and the rule', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const chain = await dir.file('chain.pem', pki.clients.good.chainPem);
    const blankLine = await dir.file('bundle.pem', `${pki.root.certPem}\n${pki.intermediate.certPem}`);
    const io = captureIo();
    expect(await main(['verify', '--cert', chain, '--trust-store', blankLine], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/bundle\.pem line \d+: .*blank line/i);
    const missing = captureIo();
    expect(await main(['verify', '--trust-store', blankLine], missing)).toBe(2);
    expect(missing.stderr.join('\n')).toContain('--cert CHAIN is required');
  });

  it('--crl problems name the flag and the file, and a CRL from an issuer outside the bundle is warned about', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const chain = await dir.file('chain.pem', pki.clients.good.chainPem);
    const bundle = await dir.file('bundle.pem', pki.trustStoreBundle);
    const wrongLabel = await dir.file('old.pem', pki.crls.root.pem.replace(/X509 CRL/g, 'CRL'));
    const bad = captureIo();
    expect(await main(['verify', '--cert', chain, '--trust-store', bundle, '--crl', wrongLabel], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toContain(`--crl ${wrongLabel}: uses the "-----BEGIN CRL-----" label`);
    expect(bad.stderr.join('\n')).not.toContain('revocations[');

    const missingCrl = captureIo();
    expect(await main(['verify', '--cert', chain, '--trust-store', bundle, '--crl', `${bundle}.nope`], missingCrl)).toBe(2);
    expect(missingCrl.stderr.join('\n')).toContain(`--crl ${bundle}.nope: no such file.`);

    const foreign = await dir.file('foreign.pem', pki.crls.intermediate.pem);
    const warned = captureIo();
    expect(await main(['verify', '--cert', chain, '--trust-store', bundle, '--crl', foreign], warned)).toBe(0);
    expect(warned.stderr).toEqual([
      `warning: --crl ${foreign}: the CRL's issuer "${pki.intermediate.facts.subject}" is not a CA in --trust-store ${bundle}; it applies only to certificates ` +
        'issued by an intermediate of that name that clients present. If that is not your intermediate, remove this CRL (it revokes nothing here).',
    ]);
  });

  it('says in words when the first certificate is a CA; partial chains only with --partial-chain; warns about non-CAs in the bundle', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const verify = async (chainPem: string, bundlePem: string, ...extra: string[]) => {
      const io = captureIo();
      const chain = await dir.file(`chain-${Math.random().toString(36).slice(2)}.pem`, chainPem);
      const bundle = await dir.file(`bundle-${Math.random().toString(36).slice(2)}.pem`, bundlePem);
      const code = await main(['verify', '--cert', chain, '--trust-store', bundle, ...extra], io);
      return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
    };
    const reversed = await verify(`${pki.intermediate.certPem}${pki.clients.good.certPem}`, pki.trustStoreBundle);
    expect(reversed.code).toBe(1);
    expect(reversed.out).toContain('tls_verify_status=Failed:ClientCertPurposeInvalid');
    expect(reversed.out).toContain(
      'the first certificate the client sent, "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness", is a CA certificate (basicConstraints CA:TRUE), not a client certificate',
    );

    const interOnly = await verify(pki.clients.good.chainPem, pki.intermediate.certPem);
    expect(interOnly.out).toContain('tls_verify_status=Failed:ClientCertUntrusted');
    expect((await verify(pki.clients.good.chainPem, pki.intermediate.certPem, '--partial-chain')).code).toBe(0);

    const withLeaf = await verify(pki.clients.good.chainPem, `${pki.root.certPem}${pki.clients['good-alt'].certPem}`);
    expect(withLeaf.code).toBe(0);
    expect(withLeaf.err).toMatch(/warning: .*certificate 2 \("CN=[^"]+"\) is not a CA/);
  });
});
