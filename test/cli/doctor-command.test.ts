import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DOCTOR_CHECKS, SEVERITIES } from '../../harness/doctor/index.ts';
import { createPki } from '../../certs/index.ts';
import { main } from '../../harness/cli/main.ts';
import { seedProject } from '../doctor/seed-project.ts';
import { captureIo } from './capture-io.ts';

describe('alb-mtls doctor', () => {
  it('exit 1 with a short table when something would fail, 0 when nothing would, 2 for bad input', async () => {
    const pki = await createPki();
    await using broken = await seedProject(pki);
    const bundle = await broken.file('aws/bundle.pem', pki.trustStoreBundle);
    const io = captureIo();
    expect(await main(['doctor', '--project', broken.dir, '--trust-store', bundle, '--env-type', 'development'], io)).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain("GET /env                 $env(ALB_MTLS_CERT) -> 'albClientCert'  sends: development yes");
    expect(out).toContain("ALB verdict for 'albExpired': Failed:ClientCertExpired");
    expect(out).toMatch(/^ERROR {3}certificate-missing {6}\[GET \/typo\] config\/routes\.oas\.json paths\.\/typo\.get\.x-zuplo-route\.handler\.options\.mtlsCertificate$/m);
    expect(out).toContain("        fix: Use the exact name 'albClientCert' here, or create 'albclientcert' with alb-mtls mtls-certificate create.");
    expect(out).toMatch(/^ERROR {3}certificate-not-enabled {2}\[GET \/prod @ development\]/m);
    expect(out).toContain('5 error(s), 1 warning(s): requests would fail.');

    await using clean = await seedProject(pki, { broken: false });
    const ok = captureIo();
    expect(await main(['doctor', '--project', clean.dir, '--trust-store', await clean.file('b.pem', pki.trustStoreBundle)], ok)).toBe(0);
    expect(ok.stdout.at(-1)).toBe('OK: nothing would fail (0 warning(s)).');

    const bad = async (...argv: string[]) => {
      const e = captureIo();
      const code = await main(['doctor', ...argv], e);
      return { code, err: e.stderr.join('\n') };
    };
    expect(await bad()).toEqual({ code: 2, err: expect.stringContaining('--project DIR is required') });
    const missing = await bad('--project', `${clean.dir}/nope`);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--project ${clean.dir}/nope: no such directory.`);
    expect(missing.err).not.toContain('projectDir');
    expect(await bad('--project', clean.dir, '--env-type', 'staging')).toEqual({ code: 2, err: expect.stringContaining('--env-type "staging" is not valid') });
    expect(await bad('--project', clean.dir, '--crl', 'x.pem', '--trust-store', `${clean.dir}/b.pem`)).toEqual({ code: 2, err: expect.stringContaining('--crl x.pem: no such file.') });
    expect(await bad('--project', clean.dir, '--certs', `${clean.dir}/nostore`)).toEqual({ code: 2, err: expect.stringContaining(`--certs ${clean.dir}/nostore: no such directory.`) });
    // --env: the variables of the environment judged, over .env (here a production value naming a missing certificate).
    const prodVars = captureIo();
    expect(await main(['doctor', '--project', clean.dir, '--env', 'ALB_MTLS_CERT=albProdCert', '--json'], prodVars)).toBe(1);
    const prodReport = JSON.parse(prodVars.stdout.join('\n'));
    expect(prodReport.routes.map((r: { name: string }) => r.name)).toEqual(['albProdCert', 'albProdCert']);
    expect(prodReport.findings[0]).toMatchObject({ check: 'certificate-missing', route: 'GET /env' });
    expect(await bad('--project', clean.dir, '--env', 'NOVALUE')).toEqual({ code: 2, err: expect.stringContaining('--env "NOVALUE" is not NAME=VALUE.') });
    expect(await bad('--project', clean.dir, '--expiry-days', 'soon')).toEqual({ code: 2, err: expect.stringContaining('--expiry-days "soon" is not a number of days') });
  });

  it('--json: the documented, stable shape', async () => {
    const pki = await createPki();
    await using project = await seedProject(pki);
    const io = captureIo();
    expect(await main(['doctor', '--project', project.dir, '--env-type', 'production', '--json', '--at', '2026-01-01T00:00:00Z'], io)).toBe(1);
    const report = JSON.parse(io.stdout.join('\n'));
    expect(Object.keys(report)).toEqual(['version', 'projectDir', 'environmentTypes', 'at', 'routes', 'verdicts', 'findings', 'ok']);
    expect(report).toMatchObject({ version: 1, projectDir: project.dir, environmentTypes: ['production'], at: '2026-01-01T00:00:00.000Z', ok: false });
    expect(Object.keys(report.routes[0])).toEqual(['route', 'file', 'field', 'written', 'name', 'sends', 'hostname']);
    for (const f of report.findings) {
      expect(Object.keys(f).filter((k) => k !== 'route' && k !== 'environmentType')).toEqual(['severity', 'check', 'file', 'field', 'message', 'fix']);
    }
    const missing = report.findings.find((f: { check: string }) => f.check === 'certificate-missing');
    expect(Object.keys(missing)).toEqual(['severity', 'check', 'route', 'file', 'field', 'message', 'fix']);
  });

  it('the README documents every check and severity of the --json format', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('#### `alb-mtls doctor --json`'));
    for (const word of [...DOCTOR_CHECKS, ...SEVERITIES]) expect(section, word).toContain(`\`${word}\``);
  });
});
