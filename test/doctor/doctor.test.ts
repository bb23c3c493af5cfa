import { rm } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { doctor, DOCTOR_CHECKS, type DoctorOptions, type Finding } from '../../harness/doctor/index.ts';
import { ALB_HOST, seedProject } from './seed-project.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

/** The findings as "severity check [route @ env]" lines, the shape a reader scans. */
const summary = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.severity} ${f.check}${f.route ? ` ${f.route}` : ''}${f.environmentType ? ` @${f.environmentType}` : ''}`);

async function withInputs(project: Awaited<ReturnType<typeof seedProject>>) {
  return {
    trustStoreFile: await project.file('aws/bundle.pem', pki.trustStoreBundle),
    crlFiles: [await project.file('aws/crl-root.pem', pki.crls.root.pem), await project.file('aws/crl-intermediate.pem', pki.crls.intermediate.pem)],
    albCertFile: await project.file('aws/alb-chain.pem', pki.server.chainPem),
    originCaFile: await project.file('aws/ca-root.pem', pki.root.certPem),
  } satisfies Partial<DoctorOptions>;
}

describe('doctor over a seed-like project', () => {
  it('finds every troubleshooting case, names the file and field, and gives a fix', async () => {
    await using project = await seedProject(pki);
    const report = await doctor({ projectDir: project.dir, ...(await withInputs(project)) });

    expect(report.ok).toBe(false);
    expect(summary(report.findings)).toEqual([
      'error certificate-not-enabled GET /prod @development',
      'error certificate-not-enabled GET /prod @preview',
      'error certificate-missing GET /typo',
      'error certificate-name-unset GET /unset',
      'error certificate-unusable GET /bad-key',
      'error alb-verdict GET /expired',
      'error certificate-not-named GET /no-cert',
      'warning certificate-name-invalid GET /seed-literal',
      'warning trust-store-crl',
      'info alb-server-certificate',
    ]);
    const by = (check: string, route?: string) => report.findings.find((f) => f.check === check && (route === undefined || f.route === route))!;
    expect(by('certificate-missing')).toMatchObject({
      file: 'config/routes.oas.json',
      field: 'paths./typo.get.x-zuplo-route.handler.options.mtlsCertificate',
      fix: "Use the exact name 'albClientCert' here, or create 'albclientcert' with alb-mtls mtls-certificate create.",
    });
    expect(by('certificate-name-unset').message).toContain('$env(NOT_SET_ANYWHERE), which resolves to nothing');
    expect(by('certificate-name-unset').fix).toContain('Set the variable NOT_SET_ANYWHERE in .env');
    expect(by('certificate-not-enabled').fix).toMatch(/^alb-mtls mtls-certificate update --cert-id cert_\w+ --environment-type production --environment-type development$/);
    expect(by('alb-verdict')).toMatchObject({ file: '.zuplo-local/mtls/albExpired/tls.crt', field: 'chain' });
    expect(by('alb-verdict').message).toContain("answers Failed:ClientCertExpired for 'albExpired'");
    expect(by('certificate-name-invalid').fix).toBe("Create the certificate under a valid name ('aws_alb_cert') and use that name here.");
    expect(by('certificate-unusable').message).toMatch(/^'badKey' is in the store but does not load: .*badKey\/tls\.key does not belong to the certificate in .*badKey\/tls\.crt/);
    expect(by('certificate-not-named')).toMatchObject({ file: 'config/routes.oas.json', field: 'paths./no-cert.get.x-zuplo-route.handler.options' });
    expect(by('certificate-not-named').message).toContain(`the route calls the ALB (${ALB_HOST}) without naming an mTLS certificate`);
    expect(by('trust-store-crl').file).toBe(project.dir + '/aws/crl-intermediate.pem');
    // The certificate nobody uses (expired, in the same store) is never mentioned.
    expect(JSON.stringify(report)).not.toContain('unusedOld');
    for (const f of report.findings) {
      expect(DOCTOR_CHECKS).toContain(f.check);
      if (f.severity !== 'info') expect(f.fix, f.check).not.toBe('');
    }
  });

  it('resolves each route through $env(), .env and .env.zuplo, and the seed function module too', async () => {
    await using project = await seedProject(pki);
    const report = await doctor({ projectDir: project.dir, environmentTypes: ['production'] });
    const routes = Object.fromEntries(report.routes.map((r) => [r.route, r]));
    expect(routes['GET /env']).toMatchObject({ written: '$env(ALB_MTLS_CERT)', name: 'albClientCert', hostname: ALB_HOST, sends: { production: true } });
    expect(routes['GET /expired']).toMatchObject({ written: '$env(ALB_EXPIRED_CERT)', name: 'albExpired' }); // from .env.zuplo
    expect(routes['GET /fn']).toMatchObject({ file: 'modules/alb-forward.ts', field: 'line 3: mtlsCertificate', written: 'environment.ALB_MTLS_CERT', name: 'albClientCert', hostname: ALB_HOST });
    expect(routes['GET /prod']!.sends).toEqual({ production: true });
    expect(routes['GET /unset']).not.toHaveProperty('name');
    // Without a trust store no verdict is given, and doctor says so.
    expect(report.verdicts).toEqual([]);
    expect(summary(report.findings)).toContain('info alb-verdict');
  });

  it('a clean project passes; the ALB certificate judged against the public roots fails for a private CA', async () => {
    await using project = await seedProject(pki, { broken: false });
    const inputs = await withInputs(project);
    const clean = await doctor({ projectDir: project.dir, trustStoreFile: inputs.trustStoreFile, crlFiles: [inputs.crlFiles[0]!], albCertFile: inputs.albCertFile, originCaFile: inputs.originCaFile });
    expect(summary(clean.findings)).toEqual(['info alb-server-certificate']);
    expect(clean.ok).toBe(true);
    expect(clean.verdicts).toEqual([{ name: 'albClientCert', status: 'Success', reason: expect.any(String) }]);

    const publicRoots = await doctor({ projectDir: project.dir, albCertFile: inputs.albCertFile });
    const alb = publicRoots.findings.find((f) => f.check === 'alb-server-certificate')!;
    expect(alb.severity).toBe('error');
    expect(alb.message).toContain("the gateway would not trust the ALB's certificate: no trusted CA issued");
    expect(alb.fix).toContain('public CA');

    const wrongHost = await doctor({ projectDir: project.dir, albCertFile: await project.file('aws/wrong.pem', pki.serverWrongHost.chainPem), originCaFile: inputs.originCaFile });
    expect(summary(wrongHost.findings)).toContain('error alb-server-certificate GET /env');
  });

  it('--alb-url: connects with the gateway\'s trust and judges the served certificate', async () => {
    await using project = await seedProject(pki, { broken: false });
    const inputs = await withInputs(project);
    await using alb = await startAlb({ certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem } });
    const trusted = await doctor({ projectDir: project.dir, albUrl: alb.url, originCaFile: inputs.originCaFile });
    expect(summary(trusted.findings)).toEqual(['info alb-verdict', 'info alb-server-certificate']);
    const untrusted = await doctor({ projectDir: project.dir, albUrl: alb.url });
    expect(untrusted.findings[0]).toMatchObject({ severity: 'error', check: 'alb-server-certificate', field: 'TLS handshake' });
    expect(untrusted.findings[0]!.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('expiring certificates, the local environment type, and a bundle that breaks ALB rules', async () => {
    await using project = await seedProject(pki, { broken: false });
    const inputs = await withInputs(project);
    const soon = new Date(pki.clients.good.facts.notAfter.getTime() - 10 * 86_400_000);
    const report = await doctor({ projectDir: project.dir, at: soon, expiryDays: 30, environmentTypes: ['local'] });
    expect(summary(report.findings)).toEqual(['error local-development GET /env @local', 'warning certificate-expiring GET /env', 'info alb-verdict']);
    expect(report.findings[1]!.message).toMatch(/^the client certificate 'albClientCert' \(CN=zuplo-gateway,O=alb-mtls-harness\) expires on .*, in 10 day\(s\)\.$/);

    const withLeaf = await project.file('aws/with-leaf.pem', `${pki.root.certPem}${pki.clients['good-alt'].certPem}`);
    const noted = await doctor({ projectDir: project.dir, trustStoreFile: withLeaf, albCertFile: inputs.albCertFile, originCaFile: inputs.originCaFile });
    expect(summary(noted.findings)).toEqual(['warning trust-store-warning', 'info alb-server-certificate']);
    expect(noted.findings[0]).toMatchObject({ file: withLeaf, field: 'certificate 2' });

    const blank = await project.file('aws/blank.pem', `${pki.root.certPem}\n${pki.intermediate.certPem}`);
    const broken = await doctor({ projectDir: project.dir, trustStoreFile: blank, albCertFile: inputs.albCertFile, originCaFile: inputs.originCaFile });
    expect(broken.findings[0]).toMatchObject({ severity: 'error', check: 'trust-store-invalid', file: blank, field: expect.stringMatching(/^line \d+$/) });
  });

  it('local: a managed-edge project binds nothing and ignores a private CA; a managed-dedicated one presents the store', async () => {
    await using project = await seedProject(pki, { broken: false });
    const inputs = await withInputs(project);
    const edge = await doctor({ projectDir: project.dir, environmentTypes: ['local'], originCaFile: inputs.originCaFile });
    expect(summary(edge.findings)).toEqual(['error local-development GET /env @local', 'warning local-development @local', 'info alb-verdict']);
    expect(edge.findings[1]).toMatchObject({ file: 'zuplo.jsonc', field: 'projectType' });
    expect(edge.findings[1]!.message).toContain('trusts only the public web CAs');
    expect(edge.routes[0]!.sends).toEqual({ local: false });

    await project.file('zuplo.jsonc', '{ "projectType": "managed-dedicated" }');
    const dedicated = await doctor({ projectDir: project.dir, environmentTypes: ['local'], originCaFile: inputs.originCaFile });
    expect(summary(dedicated.findings)).toEqual(['info alb-verdict']);
    expect(dedicated.routes[0]!.sends).toEqual({ local: true });
  });

  it('no certificate store at all: one error saying where doctor looked', async () => {
    await using project = await seedProject(pki, { broken: false });
    await rm(project.store, { recursive: true, force: true });
    const report = await doctor({ projectDir: project.dir, environmentTypes: ['production'] });
    expect(summary(report.findings)).toEqual(['error no-store', 'info alb-verdict']);
    expect(report.findings[0]!.message).toContain('(looked in .zuplo-local/mtls)');
    expect(report.routes.map((r) => r.sends)).toEqual([{ production: false }, { production: false }]);
  });

  it('bad input throws a UserError naming the input as the caller labels it', async () => {
    await using project = await seedProject(pki, { broken: false });
    await expect(doctor({ projectDir: `${project.dir}/nope`, labels: { projectDir: '--project' } })).rejects.toMatchObject({
      name: 'UserError',
      message: `--project ${project.dir}/nope: no such directory. Give your Zuplo project's folder (the one that holds config/routes.oas.json).`,
    });
    await expect(doctor({ projectDir: project.dir, trustStoreFile: `${project.dir}/missing.pem`, labels: { trustStoreFile: '--trust-store' } })).rejects.toMatchObject({
      message: `--trust-store ${project.dir}/missing.pem: no such file. Check the path.`,
    });
    await expect(doctor({ projectDir: project.dir, albCertFile: 'a', albUrl: 'https://b', labels: { albCertFile: '--alb-cert', albUrl: '--alb-url' } })).rejects.toMatchObject({
      message: 'give --alb-cert or --alb-url, not both.',
    });
  });
});
