import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { ClientCertificate, Pki } from '../../certs/pki/types.ts';
import { HarnessError } from '../../harness/errors.ts';
import { CertificateStore, validateCertificateName } from '../../harness/gateway/cert-store.ts';
import type { MtlsCertificateInput } from '../../harness/gateway/types.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const input = (name: string, client: ClientCertificate, environmentTypes: MtlsCertificateInput['environmentTypes'] = ['development']) => ({
  name,
  cert: client.chainPem,
  key: client.keyPem,
  environmentTypes,
});

async function tempDir(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'cert-store-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** The HarnessError a call must throw. */
async function harnessError(run: () => unknown): Promise<HarnessError> {
  const err = await (async () => run())().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

const JS_NAME_MESSAGE =
  'Name must be a valid JavaScript variable name (start with a letter, _, or $, and contain only letters, digits, _, or $)';

describe('validateCertificateName', () => {
  it.each([
    ['aws_alb_cert', { ok: true }],
    ['$cert1', { ok: true }],
    ['', { ok: false, message: 'Name cannot be empty' }],
    ['a'.repeat(121), { ok: false, message: 'Name must be 120 characters or fewer (got 121)' }],
    ['aws-alb-cert', { ok: false, message: JS_NAME_MESSAGE, suggestion: 'aws_alb_cert' }],
    ['1st.cert', { ok: false, message: JS_NAME_MESSAGE, suggestion: '_1st_cert' }],
    ['Class', { ok: false, message: 'Name cannot be a JavaScript reserved keyword', suggestion: 'Class_cert' }],
    ['await', { ok: false, message: 'Name cannot be a JavaScript reserved keyword', suggestion: 'await_cert' }],
  ])('%s', (name, expected) => {
    expect(validateCertificateName(name)).toEqual(expected);
  });
  it('accepts exactly 120 characters', () => {
    expect(validateCertificateName('a'.repeat(120))).toEqual({ ok: true });
  });
});

describe('CertificateStore (in memory)', () => {
  it('create returns the CLI model; the seed name warns and suggests aws_alb_cert', async () => {
    const seen: string[] = [];
    const store = CertificateStore.inMemory({ onWarning: (m) => seen.push(m) });
    const { record, warnings } = await store.create(input('aws-alb-cert', pki.clients.good, ['development', 'production']));
    const facts = pki.clients.good.facts;
    expect(record).toEqual({
      id: expect.stringMatching(/^cert_[0-9a-f]{12}$/),
      name: 'aws-alb-cert',
      certificateInfo: {
        subject: facts.subject,
        issuer: facts.issuer,
        validFrom: facts.notBefore.toISOString(),
        validTo: facts.notAfter.toISOString(),
        serialNumber: facts.serialNumber,
      },
      environments: { development: true, preview: false, production: true },
      createdOn: record.createdOn,
      updatedOn: record.createdOn,
    });
    expect(warnings).toEqual([
      `mTLS certificate name 'aws-alb-cert': ${JS_NAME_MESSAGE}. Zuplo's docs require JavaScript variable naming because the name ` +
        `is the binding key your routes and code pass as mtlsCertificate. Use 'aws_alb_cert' instead.`,
    ]);
    expect(seen).toEqual(warnings);
    expect(store.bindingsFor('development').get('aws-alb-cert')).toEqual({
      name: 'aws-alb-cert',
      certPem: pki.clients.good.chainPem,
      keyPem: pki.clients.good.keyPem,
    });
  });

  it('strictNames refuses the seed name', async () => {
    const store = CertificateStore.inMemory({ strictNames: true });
    const err = await harnessError(() => store.create(input('aws-alb-cert', pki.clients.good)));
    expect(err.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(err.message).toContain("Use 'aws_alb_cert' instead.");
    expect(store.list()).toEqual([]);
  });

  it('list, describe, update (replaces the set), disable, delete', async () => {
    const store = CertificateStore.inMemory();
    const a = (await store.create(input('cert_a', pki.clients.good, ['development', 'preview']))).record;
    const b = (await store.create(input('cert_b', pki.clients['good-alt'], ['production']))).record;
    expect(store.list().map((r) => r.name)).toEqual(['cert_a', 'cert_b']);
    expect(store.describe(b.id)).toEqual(b);

    const updated = await store.update(a.id, ['production']);
    expect(updated.environments).toEqual({ development: false, preview: false, production: true });
    expect(store.describe(a.id).environments).toEqual(updated.environments);
    const disabled = await store.disable(b.id);
    expect(disabled.environments).toEqual({ development: false, preview: false, production: false });
    expect([...store.bindingsFor('production').keys()]).toEqual(['cert_a']);

    await store.delete(b.id);
    expect(store.list().map((r) => r.id)).toEqual([a.id]);
    const unknown = await harnessError(() => store.describe(b.id));
    expect(unknown.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(unknown.message).toBe(`No mTLS certificate with id '${b.id}'. Known ids: ${a.id} (cert_a). Run list to see them.`);
    const empty = await harnessError(() => store.update(a.id, []));
    expect(empty.message).toContain('use disable');
  });

  it('delete is refused while referenced, naming the users, also once the certificate is disabled', async () => {
    const store = CertificateStore.inMemory();
    const { record } = await store.create(input('cert_a', pki.clients.good));
    const err = await harnessError(() => store.delete(record.id, { referencedBy: ['GET /api'] }));
    expect(err.code).toBe('HARNESS_ERR_CERT_STORE');
    const expected =
      `mTLS certificate 'cert_a' (${record.id}) is still used by GET /api. ` +
      'Stop naming it there (remove mtlsCertificate or name another certificate), redeploy, then delete it.';
    expect(err.message).toBe(expected);
    await store.disable(record.id);
    expect((await harnessError(() => store.delete(record.id, { referencedBy: ['GET /api'] }))).message).toBe(expected);
    expect(store.list()).toHaveLength(1);
  });

  it('bindings follow environment types; local development has none', async () => {
    const store = CertificateStore.inMemory();
    await store.create(input('preview_cert', pki.clients.good, ['development', 'preview']));
    await store.create(input('prod_cert', pki.clients['good-alt'], ['production']));
    expect([...store.bindingsFor('development').keys()]).toEqual(['preview_cert']);
    expect([...store.bindingsFor('preview').keys()]).toEqual(['preview_cert']);
    expect([...store.bindingsFor('production').keys()]).toEqual(['prod_cert']);
    expect(store.bindingsFor('local').size).toBe(0);
  });

  it('refuses a duplicate name, pointing at update', async () => {
    const store = CertificateStore.inMemory();
    const { record } = await store.create(input('cert_a', pki.clients.good));
    const err = await harnessError(() => store.create(input('cert_a', pki.clients['good-alt'])));
    expect(err.message).toBe(
      `mTLS certificate 'cert_a' already exists (${record.id}). To change its environment types use update --cert-id ${record.id}; ` +
        'to replace the certificate, delete it first.',
    );
  });

  it('validates the PEM, the key match and the environment types', async () => {
    const store = CertificateStore.inMemory();
    const notPem = await harnessError(() => store.create({ ...input('c', pki.clients.good), cert: 'hello' }));
    expect(notPem.code).toBe('HARNESS_ERR_PEM');
    expect(notPem.message).toMatch(/^cert is not a PEM certificate: /);
    const badKey = await harnessError(() => store.create({ ...input('c', pki.clients.good), key: pki.clients.good.chainPem }));
    expect(badKey.code).toBe('HARNESS_ERR_PEM');
    expect(badKey.message).toMatch(/^key is not a PEM private key/);
    const mismatch = await harnessError(() => store.create(input('c', pki.clients['key-mismatch'])));
    expect(mismatch.code).toBe('HARNESS_ERR_KEY_MISMATCH');
    expect(mismatch.message).toContain(`key does not belong to the certificate in cert (subject ${pki.clients['key-mismatch'].facts.subject})`);
    const envs = await harnessError(() => store.create(input('c', pki.clients.good, ['staging' as 'preview'])));
    expect(envs.code).toBe('HARNESS_ERR_INVALID_ARGUMENT');
    expect(envs.message).toContain("has 'staging'; use development, preview or production.");
    const empty = await harnessError(() => store.create(input('', pki.clients.good)));
    expect(empty.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(empty.message).toMatch(/^mTLS certificate name '': Name cannot be empty\. /);
    const unsafe = await harnessError(() => store.create(input('../x', pki.clients.good)));
    expect(unsafe.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(store.list()).toEqual([]);
  });

  it('warns (and still stores) expired, not-yet-valid and serverAuth-only certificates', async () => {
    const store = CertificateStore.inMemory();
    const expired = await store.create(input('expired_cert', pki.clients.expired));
    expect(expired.warnings).toEqual([
      `mTLS certificate 'expired_cert': the certificate expired on ${pki.clients.expired.facts.notAfter.toISOString()}; an ALB in verify mode rejects it in the TLS handshake (522).`,
    ]);
    const future = await store.create(input('future_cert', pki.clients['not-yet-valid']));
    expect(future.warnings).toEqual([
      `mTLS certificate 'future_cert': the certificate is not valid until ${pki.clients['not-yet-valid'].facts.notBefore.toISOString()}; an ALB in verify mode rejects it until then (522).`,
    ]);
    const serverOnly = await store.create(input('server_only', pki.clients['server-auth-only']));
    expect(serverOnly.warnings).toEqual([
      "mTLS certificate 'server_only': the leaf's extendedKeyUsage lacks clientAuth (1.3.6.1.5.5.7.3.2); an ALB in verify mode rejects it (ClientCertPurposeInvalid). Issue it with clientAuth.",
    ]);
    expect((await store.create(input('good_cert', pki.clients.good))).warnings).toEqual([]);
    expect(store.list()).toHaveLength(4);
  });
});

describe('CertificateStore (on disk)', () => {
  it('writes <dir>/<name>/tls.crt, tls.key, metadata.json and reads them back', async () => {
    await using dir = await tempDir();
    const store = await CertificateStore.open(dir.path);
    const { record } = await store.create(input('aws_alb_cert', pki.clients.good, ['preview']));
    const certDir = join(dir.path, 'aws_alb_cert');
    expect((await readdir(certDir)).sort()).toEqual(['metadata.json', 'tls.crt', 'tls.key']);
    expect(await readFile(join(certDir, 'tls.crt'), 'utf8')).toBe(pki.clients.good.chainPem);
    expect(await readFile(join(certDir, 'tls.key'), 'utf8')).toBe(pki.clients.good.keyPem);
    expect(JSON.parse(await readFile(join(certDir, 'metadata.json'), 'utf8'))).toEqual({
      id: record.id,
      name: 'aws_alb_cert',
      environments: { development: false, preview: true, production: false },
      createdOn: record.createdOn,
      updatedOn: record.updatedOn,
    });
    const updated = await store.update(record.id, ['production', 'development']);

    const reopened = await CertificateStore.open(dir.path);
    expect(reopened.list()).toEqual([updated]);
    expect([...reopened.bindingsFor('production').keys()]).toEqual(['aws_alb_cert']);
    await reopened.delete(record.id);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('skips half-filled and unloadable directories with a warning naming the path', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'half'));
    await writeFile(join(dir.path, 'half', 'tls.crt'), pki.clients.good.chainPem);
    await mkdir(join(dir.path, 'broken'));
    await writeFile(join(dir.path, 'broken', 'tls.crt'), 'not a cert');
    await writeFile(join(dir.path, 'broken', 'tls.key'), pki.clients.good.keyPem);
    // Laid out by hand for `zuplo dev --mtls-certs`: no metadata.json, enabled everywhere.
    await mkdir(join(dir.path, 'by_hand'));
    await writeFile(join(dir.path, 'by_hand', 'tls.crt'), pki.clients['good-alt'].chainPem);
    await writeFile(join(dir.path, 'by_hand', 'tls.key'), pki.clients['good-alt'].keyPem);
    const warnings: string[] = [];
    const store = await CertificateStore.open(dir.path, { onWarning: (m) => warnings.push(m) });
    expect(store.list().map((r) => [r.name, r.environments])).toEqual([['by_hand', { development: true, preview: true, production: true }]]);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^Skipping mTLS certificate directory ${join(dir.path, 'broken')}: ${join(dir.path, 'broken', 'tls.crt')} is not a PEM certificate`)),
      `Skipping mTLS certificate directory ${join(dir.path, 'half')}: missing tls.key. Put tls.crt and tls.key in it, or remove it.`,
    ]);
  });

  it('create never overwrites an existing directory, even a skipped one', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'half'));
    await writeFile(join(dir.path, 'half', 'tls.crt'), 'original');
    const store = await CertificateStore.open(dir.path);
    const err = await harnessError(() => store.create(input('half', pki.clients.good)));
    expect(err.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(err.message).toContain(`${join(dir.path, 'half')} already exists`);
    expect(await readFile(join(dir.path, 'half', 'tls.crt'), 'utf8')).toBe('original');
    expect(await readdir(join(dir.path, 'half'))).toEqual(['tls.crt']);
  });

  it('a missing store directory is a UserError unless create is set', async () => {
    await using dir = await tempDir();
    const missing = join(dir.path, 'nope');
    const err = await harnessError(() => CertificateStore.open(missing));
    expect(err.code).toBe('HARNESS_ERR_FILE');
    expect(err.message).toContain(`mkdir -p ${missing}`);
    const store = await CertificateStore.open(missing, { create: true });
    expect(store.list()).toEqual([]);
  });

  it('strictNames fails on a directory named against the rule', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'aws-alb-cert'));
    await writeFile(join(dir.path, 'aws-alb-cert', 'tls.crt'), pki.clients.good.chainPem);
    await writeFile(join(dir.path, 'aws-alb-cert', 'tls.key'), pki.clients.good.keyPem);
    const err = await harnessError(() => CertificateStore.open(dir.path, { strictNames: true }));
    expect(err.message).toContain("Use 'aws_alb_cert' instead.");
    const warnings: string[] = [];
    const lenient = await CertificateStore.open(dir.path, { onWarning: (m) => warnings.push(m) });
    expect([...lenient.bindingsFor('preview').keys()]).toEqual(['aws-alb-cert']);
    expect(warnings).toHaveLength(1);
  });
});
