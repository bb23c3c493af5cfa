import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { importAlbConfig } from '../../harness/iac/import-config.ts';
import type { ImportAlbConfigOptions, ImportedAlbConfig } from '../../harness/iac/types.ts';
import { buildPki } from '../alb/fixture.ts';
import { fixtureWorkspace } from './workspace.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

/** What every fixture describes (test/iac/fixtures/README.md), as startAlb options. */
const expected = (bundle: string, crl: string) => ({
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  mutualAuthentication: {
    mode: 'verify',
    trustStore: { caCertificatesBundle: bundle, revocations: [crl], source: expect.any(String) },
    ignoreClientCertificateExpiry: false,
    advertiseTrustStoreCaNames: 'on',
  },
  attributes: {
    'idle_timeout.timeout_seconds': '120',
    'routing.http2.enabled': 'false',
    'routing.http.drop_invalid_header_fields.enabled': 'true',
    'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'X-Client-Subject',
  },
});

describe('every format imports to the same AlbOptions', () => {
  const cases: [string, (w: Awaited<ReturnType<typeof fixtureWorkspace>>) => ImportAlbConfigOptions, ImportedAlbConfig['format'], string][] = [
    ['CloudFormation YAML with short-form tags', (w) => ({ from: join(w.dir, 'cloudformation/template.yaml'), s3Root: w.s3Root }), 'cloudformation', 'HttpsListener'],
    ['CloudFormation JSON', (w) => ({ from: join(w.dir, 'cloudformation/template.json'), s3Root: w.s3Root }), 'cloudformation', 'HttpsListener'],
    ['a CDK cloud assembly (BucketDeployment and file assets)', (w) => ({ from: join(w.dir, 'cdk.out') }), 'cdk', 'PartnerAlbStack/AlbHttpsListenerC0B2D7E9'],
    ['a Terraform module with variables and terraform.tfvars', (w) => ({ from: join(w.dir, 'terraform') }), 'terraform', 'aws_lb_listener.https'],
    ['terraform show -json', (w) => ({ from: join(w.dir, 'terraform-show/show.json') }), 'terraform-show-json', 'aws_lb_listener.https'],
    ['a Kubernetes Ingress', (w) => ({ from: join(w.dir, 'kubernetes/ingress.yaml'), trustStoreBundle: w.bundlePath, revocations: [w.crlPath] }), 'kubernetes-ingress', 'partner/partner-api:443'],
    ['AWS CLI describe-* outputs', (w) => ({ from: join(w.dir, 'aws-cli'), trustStoreBundle: w.bundlePath, revocations: [w.crlPath] }), 'aws-cli', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/partner-alb/50dc6c495c0c9188/f2f7dc8efc522ab2'],
  ];
  it.each(cases)('%s', async (_name, options, format, listenerId) => {
    await using w = await fixtureWorkspace(pki);
    const imported = await importAlbConfig(options(w));
    expect(imported.format).toBe(format);
    expect(imported.listener).toEqual({ id: listenerId, protocol: 'HTTPS', port: 443 });
    expect(imported.albOptions).toEqual(expected(w.bundle, w.crl));
    expect(imported.trustStore?.caSubjects).toEqual([pki.root.facts.subject]);
    expect(imported.trustStore?.name).toBe('partner-ca');
    expect(imported.trustStore?.revocations).toEqual([{ path: expect.any(String), issuer: pki.intermediate.facts.subject, revokedSerials: expect.any(Number) }]);
  });
});
