import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, type TempDir } from '../helpers/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { importAlbConfig } from '../../harness/iac/import-config.ts';
import type { ImportAlbConfigOptions } from '../../harness/iac/types.ts';
import { buildPki } from '../alb/fixture.ts';
import { fixtureWorkspace, type Workspace } from './workspace.ts';

let pki: Pki;
let scratch: TempDir;
let w: Workspace;
beforeAll(async () => {
  pki = await buildPki();
  scratch = await tempDir('alb-mtls-iac-errors-');
  w = await fixtureWorkspace(pki);
});
afterAll(async () => {
  await scratch[Symbol.asyncDispose]();
  await w[Symbol.asyncDispose]();
});

const file = (name: string, text: string): Promise<string> => scratch.file(name, text);

/** `code message` of the import's error, or 'imported'. */
const failure = (options: ImportAlbConfigOptions) =>
  importAlbConfig(options).then(
    () => 'imported',
    (e: { code: string; message: string }) => `${e.code} ${e.message}`,
  );

/** A one-listener template whose listener has the given MutualAuthentication and extra YAML. */
const template = (mutual: string, extra = '', listenerExtra = '') => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Store:
    Type: AWS::ElasticLoadBalancingV2::TrustStore
    Properties:
      Name: partner-ca
      CaCertificatesBundleS3Bucket: ca
      CaCertificatesBundleS3Key: bundle.pem
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Protocol: HTTPS
      Port: 443
${listenerExtra}      MutualAuthentication:
${mutual}
${extra}`;

describe("the ELB API's validation, with AWS's messages", () => {
  it.each([
    [
      'passthrough with IgnoreClientCertificateExpiry',
      template('        Mode: passthrough\n        IgnoreClientCertificateExpiry: true'),
      'HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Mutual Authentication mode passthrough does not support ignoring certificate expiry (remove IgnoreClientCertificateExpiry)',
    ],
    [
      'off with a trust store',
      template('        Mode: "off"\n        TrustStoreArn: !Ref Store'),
      'HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Invalid Attribute Combination: mode off takes no other mutual-authentication field (remove TrustStoreArn)',
    ],
    [
      'passthrough with a trust store',
      template('        Mode: passthrough\n        TrustStoreArn: !GetAtt Store.TrustStoreArn'),
      'HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Mutual Authentication mode passthrough does not support a trust store (remove TrustStoreArn, or use mode verify)',
    ],
    [
      'verify without a trust store',
      template('        Mode: verify'),
      'HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Mutual Authentication mode verify requires a trust store (set TrustStoreArn)',
    ],
    [
      'an unknown mode',
      template('        Mode: strict'),
      "HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Mode 'strict' is not valid; use one of off, passthrough, verify",
    ],
    [
      'a trust-store name outside the pattern',
      template('        Mode: verify\n        TrustStoreArn: !Ref Store').replace('Name: partner-ca', 'Name: partner_ca'),
      "HARNESS_ERR_ALB_CONFIG {file} line 3 (at /Resources/Store): Value 'partner_ca' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-zA-Z0-9]+-)*[a-zA-Z0-9]+$",
    ],
    [
      'a trust-store name longer than 32',
      template('        Mode: verify\n        TrustStoreArn: !Ref Store').replace('Name: partner-ca', `Name: ${'a'.repeat(33)}`),
      `HARNESS_ERR_ALB_CONFIG {file} line 3 (at /Resources/Store): Value '${'a'.repeat(33)}' at 'name' failed to satisfy constraint: Member must have length between 1 and 32`,
    ],
    [
      'an unknown security policy',
      template('        Mode: "off"', '', '      SslPolicy: ELBSecurityPolicy-Strongest\n'),
      "HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): SSLPolicyNotFound: The specified SSL policy does not exist ('ELBSecurityPolicy-Strongest'); the emulator knows ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-2016-08",
    ],
    [
      'a listener attribute key ALB does not have',
      template('        Mode: "off"', '', '      ListenerAttributes:\n        - Key: idle_timeout.timeout_seconds\n          Value: "30"\n'),
      "HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Listener attribute key 'idle_timeout.timeout_seconds' is not recognized (it is a load-balancer attribute)",
    ],
    [
      'a load-balancer attribute key ALB does not have',
      template(
        '        Mode: "off"',
        '  LB:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      LoadBalancerAttributes:\n        - Key: routing.http.drop_invalid_headers.enabled\n          Value: "true"\n',
        '      LoadBalancerArn: !Ref LB\n',
      ),
      "HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): Load balancer attribute key 'routing.http.drop_invalid_headers.enabled' is not recognized",
    ],
    [
      'an attribute value startAlb would refuse',
      template('        Mode: "off"', '', '      ListenerAttributes:\n        - Key: routing.http.request.x_amzn_mtls_clientcert_subject.header_name\n          Value: "X Client Subject"\n'),
      "HARNESS_ERR_ALB_CONFIG {file} line 9 (at /Resources/Listener): attributes['routing.http.request.x_amzn_mtls_clientcert_subject.header_name'] is 'X Client Subject', not a valid HTTP header name; use letters, digits and '-'",
    ],
  ])('%s', async (name, text, message) => {
    const path = await file(`validation/${name.replaceAll(' ', '-')}.yaml`, text);
    expect(await failure({ from: path, s3Root: w.s3Root })).toBe(message.replace('{file}', path));
  });

  it('a real AWS policy the emulator lacks is mapped to the nearest one, with a note', async () => {
    const path = await file('validation/pq-policy.yaml', template('        Mode: passthrough', '', '      SslPolicy: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09\n'));
    const imported = await importAlbConfig({ from: path });
    expect(imported.albOptions.sslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    expect(imported.notes).toContain('security policy ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 is not emulated; using the nearest, ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
  });
});

describe('a malformed file names the file, the line and the problem', () => {
  it.each([
    ['CloudFormation YAML', 'bad/template.yaml', 'Resources:\n  Listener:\n    Type: [AWS::ElasticLoadBalancingV2::Listener\n  Other: x\n', 'line 4 column 3: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ])'],
    ['CloudFormation YAML with an unknown tag', 'bad/tag.yaml', 'Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties:\n      Port: !Reff Port\n', 'line 5 column 13: not valid YAML (Unresolved tag: !Reff)'],
    ['CloudFormation JSON', 'bad/template.json', '{\n  "Resources": {\n    "L": { "Type": "x" }\n    "M": {}\n  }\n}\n', "line 4 column 5: not valid JSON (Expected ',' or '}' after property value)"],
    ['terraform show -json', 'bad/show.json', '{\n  "format_version": "1.0",\n  "values": { "root_module": [ }\n}\n', "line 3 column 32: not valid JSON (Unexpected token '}')"],
    ['a Kubernetes Ingress', 'bad/ingress.yaml', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n   namespace: x\n', 'line 4 column 9: not valid YAML (Nested mappings are not allowed in compact mappings)'],
    ['AWS CLI describe-listeners', 'bad/describe-listeners.json', '{ "Listeners": [ { "Port": 443, } ] }', 'line 1 column 33: not valid JSON (Expected double-quoted property name)'],
  ])('%s', async (_name, name, text, problem) => {
    const path = await file(name, text);
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path} ${problem}. Fix the syntax there`);
  });

  it('Terraform HCL', async () => {
    const path = await file('bad-tf/main.tf', 'resource "aws_lb_listener" "https" {\n  port = \n}\n');
    expect(await failure({ from: path })).toBe(
      `HARNESS_ERR_IAC ${path} line 2 column 10: not valid HCL (Invalid expression; Expected the start of an expression, but found an invalid expression token). Fix the syntax there`,
    );
  });

  it('a CDK template inside cdk.out', async () => {
    await file('bad-cdk/manifest.json', JSON.stringify({ artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } } }));
    const path = await file('bad-cdk/S.template.json', '{ "Resources": { ] }');
    expect(await failure({ from: join(scratch.path, 'bad-cdk') })).toMatch(new RegExp(`^HARNESS_ERR_IAC ${path} line 1 column 18: not valid JSON \\(`));
  });

  it('an Ingress annotation that is not JSON names the annotation', async () => {
    const path = await file(
      'bad/annotation.yaml',
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    alb.ingress.kubernetes.io/listen-ports: "[{HTTPS: 443}]"\n',
    );
    expect(await failure({ from: path })).toMatch(
      new RegExp(`^HARNESS_ERR_IAC ${path} document 1 metadata\\.annotations\\["alb\\.ingress\\.kubernetes\\.io/listen-ports"\\]: not valid JSON \\(Expected property name`),
    );
  });
});

describe('references, variables and S3 objects', () => {
  it('a Ref to nothing is reported at its line and JSON pointer', async () => {
    const path = await file('refs/missing.yaml', template('        Mode: verify\n        TrustStoreArn: !Ref Nowhere'));
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path} line 16 (at /Resources/Listener/Properties/MutualAuthentication/TrustStoreArn/Ref): Ref 'Nowhere' names no parameter, resource or pseudo parameter of this template`);
  });

  it('a parameter without Default asks for --var, and --var supplies it', async () => {
    const text = template('        Mode: !Ref Mode').replace('Resources:', 'Parameters:\n  Mode:\n    Type: String\nResources:');
    const path = await file('refs/param.yaml', text);
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path} line 18 (at /Resources/Listener/Properties/MutualAuthentication/Mode/Ref): parameter Mode has no Default. Pass --var Mode=VALUE`);
    expect((await importAlbConfig({ from: path, vars: { Mode: 'passthrough' } })).albOptions.mutualAuthentication?.mode).toBe('passthrough');
  });

  it('a Terraform variable without a value asks for --var; --var wins over terraform.tfvars', async () => {
    const module = join(w.dir, 'terraform');
    await rm(join(module, 'terraform.tfvars'));
    expect(await failure({ from: module })).toBe(`HARNESS_ERR_IAC ${module}/main.tf aws_lb_trust_store.partner.name: var.trust_store_name has no value (no default, no terraform.tfvars entry). Pass --var trust_store_name=VALUE`);
    const imported = await importAlbConfig({ from: module, vars: { trust_store_name: 'other-ca', environment: 'prod', idle_timeout: '300' } });
    expect(imported.trustStore?.name).toBe('other-ca');
    expect(imported.albOptions.attributes?.['idle_timeout.timeout_seconds']).toBe('300');
  });

  it('a Terraform function the importer cannot evaluate names the file and the argument', async () => {
    const path = await file('tf-fn/main.tf', 'variable "policies" {\n  default = {}\n}\nresource "aws_lb_listener" "https" {\n  protocol   = "HTTPS"\n  ssl_policy = lookup(var.policies, "prod")\n  tags       = merge({}, { a = "b" })\n}\n');
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path} aws_lb_listener.https.ssl_policy: the function lookup() cannot be evaluated here. Use a literal or a variable`);
  });

  it('a missing uploaded file names the bucket placeholder, the key and the flags; --s3 maps it', async () => {
    const module = join(w.dir, 'terraform');
    await rm(join(module, 'pki/bundle.pem'));
    const vars = { trust_store_name: 'partner-ca' };
    expect(await failure({ from: module, vars })).toMatch(
      /^HARNESS_ERR_IAC .*terraform at aws_lb_trust_store\.partner: S3 object s3:\/\/<aws_s3_bucket\.ca>\/ca\/bundle\.pem \(bucket <aws_s3_bucket\.ca>, key ca\/bundle\.pem\) maps to .*pki\/bundle\.pem, which cannot be read \(ENOENT\)\. Pass --s3 s3:\/\/<aws_s3_bucket\.ca>\/ca\/bundle\.pem=PATH, or --s3-root DIR with the object at DIR\/<aws_s3_bucket\.ca>\/ca\/bundle\.pem$/,
    );
    const imported = await importAlbConfig({ from: module, vars, s3: { 's3://<aws_s3_bucket.ca>/ca/bundle.pem': w.bundlePath } });
    expect(imported.trustStore?.bundlePath).toBe(w.bundlePath);
  });
});

describe('choosing the listener', () => {
  const twoHttps = `Resources:
  A:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { Protocol: HTTPS, Port: 443 }
  B:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { Protocol: HTTPS, Port: 8443, MutualAuthentication: { Mode: passthrough } }
  Queue:
    Type: AWS::SQS::Queue
`;
  it('several HTTPS listeners without --listener: the error lists them; --listener picks one', async () => {
    const path = await file('choose/two.yaml', twoHttps);
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path}: 2 HTTPS listeners (A (HTTPS port 443), B (HTTPS port 8443)). Choose one with --listener ID, or import them all with importLoadBalancerConfig`);
    const b = await importAlbConfig({ from: path, listener: 'B' });
    expect(b.listener).toEqual({ id: 'B', protocol: 'HTTPS', port: 8443 });
    expect(b.albOptions.mutualAuthentication).toEqual({ mode: 'passthrough' });
    expect(b.notes).toEqual(['ignored 1 resource(s) the ALB emulator does not model: Queue (AWS::SQS::Queue)']);
    expect(await failure({ from: path, listener: 'C' })).toBe(`HARNESS_ERR_IAC ${path}: --listener C matches no listener (its listeners: A (HTTPS port 443), B (HTTPS port 8443)). Pass one of those IDs`);
  });

  it('a CDK stack is found by its name, or by its template file in cdk.out', async () => {
    const byStack = await importAlbConfig({ from: join(w.dir, 'cdk.out'), listener: 'PartnerAlbStack' });
    expect(byStack.listener.id).toBe('PartnerAlbStack/AlbHttpsListenerC0B2D7E9');
    const byTemplate = await importAlbConfig({ from: join(w.dir, 'cdk.out/PartnerAlbStack.template.json') });
    expect(byTemplate.format).toBe('cdk');
    expect(byTemplate.trustStore?.bundlePath).toMatch(/cdk\.out\/asset\.3f2a9c0e[0-9a-f]+\/bundle\.pem$/);
  });

  it('no HTTPS listener: the error says which listeners exist', async () => {
    const path = await file('choose/http.yaml', 'Resources:\n  Web:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties: { Protocol: HTTP, Port: 80 }\n');
    expect(await failure({ from: path })).toBe(`HARNESS_ERR_IAC ${path}: no HTTPS listener to emulate (its listeners: Web (HTTP port 80)). Point --from at the configuration of the mTLS listener`);
  });
});
