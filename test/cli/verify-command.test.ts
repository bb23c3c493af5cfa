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
});
