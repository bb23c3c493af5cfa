import { join } from 'node:path';
import { tempDir, type TempDir } from '../helpers/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { verifyQuotaProblem } from '../../harness/alb/verify-quota.ts';
import { importAlbConfig, importLoadBalancerConfig } from '../../harness/iac/import-config.ts';
import { describeLoadBalancerImport } from '../../harness/iac/summary.ts';
import type { ImportAlbConfigOptions } from '../../harness/iac/types.ts';
import { albRequest, type AlbRequestError } from '../alb/echo-target.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { buildPki, clientContext, serverCertificate } from '../alb/fixture.ts';
import { fixtureWorkspace, type Workspace } from './workspace.ts';

let pki: Pki;
let scratch: TempDir;
let w: Workspace;
beforeAll(async () => {
  pki = await buildPki();
  scratch = await tempDir('alb-mtls-iac-listeners-');
  w = await fixtureWorkspace(pki);
});
afterAll(async () => {
  await scratch[Symbol.asyncDispose]();
  await w[Symbol.asyncDispose]();
});

const file = (name: string, text: string): Promise<string> => scratch.file(name, text);

const failure = (run: Promise<unknown>) =>
  run.then(
    () => 'imported',
    (e: { code: string; message: string }) => `${e.code} ${e.message}`,
  );

const listenerYaml = (id: string, port: number, mutual: string, lb = 'Alb', extra = '') => `  ${id}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ${lb}
      Protocol: HTTPS
      Port: ${port}
${extra}      MutualAuthentication: ${mutual}
`;

const VERIFY = '{ Mode: verify, TrustStoreArn: !GetAtt Store.TrustStoreArn }';

/** A template with the partner trust store, load balancer `Alb` (and more, if named) and the given listeners. */
const template = (listeners: string, balancers = ['Alb']) => `Resources:
  Store:
    Type: AWS::ElasticLoadBalancingV2::TrustStore
    Properties: { Name: partner-ca, CaCertificatesBundleS3Bucket: partner-mtls-ca, CaCertificatesBundleS3Key: ca/bundle.pem }
${balancers
  .map(
    (b) => `  ${b}:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      LoadBalancerAttributes: [{ Key: idle_timeout.timeout_seconds, Value: '120' }]
`,
  )
  .join('')}${listeners}`;

describe('a load balancer with several HTTPS listeners', () => {
  const threeListeners = template(
    listenerYaml('Partners', 443, VERIFY, 'Alb', '      SslPolicy: ELBSecurityPolicy-TLS13-1-2-Res-2021-06\n      ListenerAttributes: [{ Key: routing.http.request.x_amzn_mtls_clientcert_subject.header_name, Value: X-Client-Subject }]\n') +
      listenerYaml('Legacy', 8443, '{ Mode: passthrough }') +
      `  Redirect:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref Alb, Protocol: HTTP, Port: 80 }
`,
  );

  it('imports every HTTPS listener with its own settings, the load-balancer attributes once, and notes the HTTP one', async () => {
    const path = await file('cfn/three.yaml', threeListeners);
    const imported = await importLoadBalancerConfig({ from: path, s3Root: w.s3Root });
    expect(imported.loadBalancer).toBe('Alb');
    expect(imported.listeners.map((l) => l.listener)).toEqual([
      { id: 'Partners', protocol: 'HTTPS', port: 443 },
      { id: 'Legacy', protocol: 'HTTPS', port: 8443 },
    ]);
    expect(imported.loadBalancerOptions).toEqual({
      attributes: { 'idle_timeout.timeout_seconds': '120' },
      listeners: [
        {
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
          mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: w.bundle, revocations: [], source: join(w.s3Root, 'partner-mtls-ca/ca/bundle.pem') } },
          attributes: { 'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'X-Client-Subject' },
        },
        { mutualAuthentication: { mode: 'passthrough' } },
      ],
    });
    expect(imported.listeners[0]!.trustStore?.caSubjects).toEqual([pki.root.facts.subject]);
    expect(imported.listeners[1]!.trustStore).toBeUndefined();
    expect(imported.notes).toEqual(['listener Redirect (HTTP port 80) is not emulated: only HTTPS listeners are (a plain HTTP listener carries no client certificate)']);
    expect(describeLoadBalancerImport(imported)).toEqual([
      `Imported from ${path} (cloudformation): 2 HTTPS listener(s) of load balancer Alb`,
      '  load-balancer attributes:',
      '    idle_timeout.timeout_seconds=120',
      '  listener Partners: HTTPS port 443, security policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      '  mutual TLS mode verify, ignore client certificate expiry false, advertise trust store CA names off',
      `  trust store partner-ca from ${join(w.s3Root, 'partner-mtls-ca/ca/bundle.pem')}: 1 CA certificate(s)`,
      `    CA ${pki.root.facts.subject}`,
      '  revocations: none',
      '    listener attributes:',
      '      routing.http.request.x_amzn_mtls_clientcert_subject.header_name=X-Client-Subject',
      '  listener Legacy: HTTPS port 8443, security policy (default)',
      '  mutual TLS mode passthrough',
      '  note: listener Redirect (HTTP port 80) is not emulated: only HTTPS listeners are (a plain HTTP listener carries no client certificate)',
      '  server certificate: the generated ALB certificate (an ACM certificate cannot be exported)',
    ]);

    // The options start as they are: verify refuses the untrusted client, passthrough forwards it.
    await using alb = await startAlb({ ...imported.loadBalancerOptions, certificate: serverCertificate(pki) });
    const [verify, passthrough] = alb.listeners;
    const refused = await albRequest(verify!.port, { secureContext: clientContext(pki, 'untrusted-root') }).then(
      () => null,
      (e: AlbRequestError) => e,
    );
    expect(refused).not.toBeNull();
    expect((await verify!.connectionLog.waitFor((e) => e.clientPort === refused!.localPort)).tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    const forwarded = await albRequest(passthrough!.port, { secureContext: clientContext(pki, 'untrusted-root') });
    expect(forwarded.status).toBe(503);
  });

  it('--listener still imports one; importAlbConfig asks for a choice', async () => {
    const path = await file('cfn/three-again.yaml', threeListeners);
    const one = await importLoadBalancerConfig({ from: path, listener: 'Legacy' });
    expect(one.listeners.map((l) => l.listener.id)).toEqual(['Legacy']);
    const single = await importAlbConfig({ from: path, listener: 'Legacy' });
    expect(single.albOptions).toEqual({ mutualAuthentication: { mode: 'passthrough' }, attributes: { 'idle_timeout.timeout_seconds': '120' } });
    expect(await failure(importAlbConfig({ from: path, s3Root: w.s3Root }))).toBe(
      `HARNESS_ERR_IAC ${path}: 2 HTTPS listeners (Partners (HTTPS port 443), Legacy (HTTPS port 8443)). Choose one with --listener ID, or import them all with importLoadBalancerConfig`,
    );
  });

  it("refuses a third verify listener with AWS's quota wording, naming it and its line", async () => {
    const path = await file(
      'cfn/quota.yaml',
      template(listenerYaml('A', 443, VERIFY) + listenerYaml('B', 8443, '{ Mode: passthrough }') + listenerYaml('C', 9443, VERIFY) + listenerYaml('D', 10443, VERIFY)),
    );
    const message = await failure(importLoadBalancerConfig({ from: path, s3Root: w.s3Root }));
    expect(message).toBe(`HARNESS_ERR_ALB_CONFIG ${path} line 30 (at /Resources/D): listener D ${verifyQuotaProblem(3)}`);
    expect(message).toContain('AWS allows 2 per load balancer (quota "Listeners using mTLS in verify mode per load balancer")');
    // The file cannot be deployed, so even one of its listeners is refused.
    expect(await failure(importAlbConfig({ from: path, s3Root: w.s3Root, listener: 'A' }))).toBe(message);
  });

  it('several load balancers: a clear choice, then --load-balancer picks one', async () => {
    const path = await file('cfn/two-balancers.yaml', template(listenerYaml('Public', 443, VERIFY, 'Alb') + listenerYaml('Private', 443, '{ Mode: passthrough }', 'Internal'), ['Alb', 'Internal']));
    const options: ImportAlbConfigOptions = { from: path, s3Root: w.s3Root };
    expect(await failure(importLoadBalancerConfig(options))).toBe(
      `HARNESS_ERR_IAC ${path}: HTTPS listeners on 2 load balancers (Alb: Public; Internal: Private). Choose one with --load-balancer ID, or one listener with --listener ID`,
    );
    const internal = await importLoadBalancerConfig({ ...options, loadBalancer: 'Internal' });
    expect(internal.listeners.map((l) => l.listener.id)).toEqual(['Private']);
    expect((await importAlbConfig({ ...options, loadBalancer: 'Alb' })).listener.id).toBe('Public');
    expect(await failure(importLoadBalancerConfig({ ...options, loadBalancer: 'Nope' }))).toBe(
      `HARNESS_ERR_IAC ${path}: --load-balancer Nope matches no load balancer with an HTTPS listener (Alb: Public; Internal: Private). Pass one of those IDs`,
    );
  });

  it('a Terraform module: both aws_lb_listener resources of aws_lb.main', async () => {
    const module = await file(
      'tf/main.tf',
      `resource "aws_lb" "main" {
  name                       = "partner"
  drop_invalid_header_fields = true
}
resource "aws_lb_listener" "partners" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  mutual_authentication {
    mode            = "verify"
    trust_store_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/partner-ca/8c80de6ec6ab5c88"
  }
}
resource "aws_lb_listener" "legacy" {
  load_balancer_arn = aws_lb.main.arn
  port              = 8443
  protocol          = "HTTPS"
  mutual_authentication {
    mode = "passthrough"
  }
}
`,
    );
    const imported = await importLoadBalancerConfig({ from: module, trustStoreBundle: w.bundlePath });
    expect(imported.loadBalancer).toBe('aws_lb.main');
    // In the order of their addresses, as Terraform lists resources.
    expect(imported.listeners.map((l) => [l.listener.id, l.listener.port, l.options.mutualAuthentication?.mode])).toEqual([
      ['aws_lb_listener.legacy', 8443, 'passthrough'],
      ['aws_lb_listener.partners', 443, 'verify'],
    ]);
    expect(imported.loadBalancerOptions.attributes).toEqual({ 'routing.http.drop_invalid_header_fields.enabled': 'true' });
  });

  it('a Kubernetes Ingress listening on two HTTPS ports, mutual TLS per port', async () => {
    const ingress = await file(
      'k8s/ingress.yaml',
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: partner
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}, {"HTTPS": 8443}]'
    alb.ingress.kubernetes.io/mutual-authentication: '[{"port": 443, "mode": "verify", "trustStore": "partner-ca"}, {"port": 8443, "mode": "off"}]'
`,
    );
    const imported = await importLoadBalancerConfig({ from: ingress, trustStoreBundle: w.bundlePath });
    expect(imported.loadBalancer).toBe('Ingress partner/api');
    expect(imported.listeners.map((l) => [l.listener.id, l.options.mutualAuthentication?.mode])).toEqual([
      ['partner/api:443', 'verify'],
      ['partner/api:8443', 'off'],
    ]);
    expect(imported.notes).toEqual(['listener partner/api:80 (HTTP port 80) is not emulated: only HTTPS listeners are (a plain HTTP listener carries no client certificate)']);
  });

  it('Ingresses of one IngressGroup share a load balancer, and a port listened on twice is one listener', async () => {
    const ingress = (name: string, ports: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: partner
  annotations:
    alb.ingress.kubernetes.io/group.name: partners
    alb.ingress.kubernetes.io/listen-ports: '${ports}'
`;
    const path = await file('k8s/group.yaml', `${ingress('a', '[{"HTTPS": 443}]')}---\n${ingress('b', '[{"HTTPS": 443}, {"HTTPS": 8443}]')}`);
    const imported = await importLoadBalancerConfig({ from: path });
    expect(imported.loadBalancer).toBe('IngressGroup partners');
    expect(imported.listeners.map((l) => l.listener.id)).toEqual(['partner/a:443', 'partner/b:8443']);
    expect(imported.notes).toEqual(['partner/b:443 shares the HTTPS 443 listener of partner/a:443 (IngressGroup partners); that one\'s settings are used']);
  });

  it('Terraform: each listener names the target group its default action forwards to, with that group\'s health check', async () => {
    const module = await file(
      'tf-groups/main.tf',
      `resource "aws_lb" "main" {
  name = "partner"
}
resource "aws_lb_target_group" "api" {
  name     = "api-tg"
  port     = 8080
  protocol = "HTTP"
  health_check {
    path = "/api-health"
  }
}
resource "aws_lb_target_group" "partner" {
  name     = "partner-tg"
  port     = 9090
  protocol = "HTTP"
}
resource "aws_lb_listener" "api" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  mutual_authentication {
    mode            = "verify"
    trust_store_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/partner-ca/8c80de6ec6ab5c88"
  }
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}
resource "aws_lb_listener" "partner" {
  load_balancer_arn = aws_lb.main.arn
  port              = 8443
  protocol          = "HTTPS"
  mutual_authentication {
    mode = "passthrough"
  }
  default_action {
    type = "forward"
    forward {
      target_group {
        arn = aws_lb_target_group.partner.arn
      }
    }
  }
}
`,
    );
    const imported = await importLoadBalancerConfig({ from: module, trustStoreBundle: w.bundlePath });
    expect(imported.targetGroups).toEqual([
      { id: 'aws_lb_target_group.api', name: 'api-tg' },
      { id: 'aws_lb_target_group.partner', name: 'partner-tg' },
    ]);
    expect(imported.listeners.map((l) => [l.listener.id, l.targetGroup?.id, l.options.targetGroup, l.options.healthCheck?.path])).toEqual([
      ['aws_lb_listener.api', 'aws_lb_target_group.api', 'aws_lb_target_group.api', '/api-health'],
      ['aws_lb_listener.partner', 'aws_lb_target_group.partner', 'aws_lb_target_group.partner', undefined],
    ]);
    expect(imported.loadBalancerOptions.healthCheck).toBeUndefined();
    expect(describeLoadBalancerImport(imported)).toEqual(
      expect.arrayContaining([
        '  forwards to target group aws_lb_target_group.api (name api-tg)',
        '    target health check: GET /api-health over each target\'s protocol every 30 s (timeout 5 s), healthy after 3, unhealthy after 3, codes 200',
        '  forwards to target group aws_lb_target_group.partner (name partner-tg)',
      ]),
    );
  });

  it('CloudFormation: a group per listener; with targets bound per listener, each listener reaches its own', async () => {
    const groups = `  ApiTg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Name: api-tg, Port: 8080, Protocol: HTTP, HealthCheckPath: /api-health }
  PartnerTg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Port: 9090, Protocol: HTTP }
`;
    const forward = (group: string) => `      DefaultActions: [{ Type: forward, TargetGroupArn: !Ref ${group} }]\n`;
    const path = await file(
      'cfn/groups.yaml',
      template(groups + listenerYaml('Api', 443, VERIFY, 'Alb', forward('ApiTg')) + listenerYaml('Partner', 8443, '{ Mode: passthrough }', 'Alb', forward('PartnerTg')) + listenerYaml('Admin', 9443, '{ Mode: off }', 'Alb', forward('ApiTg'))),
    );
    const imported = await importLoadBalancerConfig({ from: path, s3Root: w.s3Root });
    expect(imported.targetGroups).toEqual([{ id: 'ApiTg', name: 'api-tg' }, { id: 'PartnerTg' }]);
    expect(imported.listeners.map((l) => [l.listener.id, l.targetGroup?.id, l.options.healthCheck])).toEqual([
      ['Api', 'ApiTg', { path: '/api-health' }],
      ['Partner', 'PartnerTg', undefined],
      ['Admin', 'ApiTg', { path: '/api-health' }],
    ]);

    await using api = await startTarget({ kind: 'echo', name: 'api' });
    await using partner = await startTarget({ kind: 'echo', name: 'partner' });
    const urls: Record<string, string> = { ApiTg: api.url, PartnerTg: partner.url };
    await using alb = await startAlb({
      ...imported.loadBalancerOptions,
      certificate: serverCertificate(pki),
      listeners: imported.listeners.map((l) => ({ ...l.options, targets: [urls[l.targetGroup!.id]!] })),
    });
    expect(alb.targetGroups).toEqual(['ApiTg', 'PartnerTg']);
    const names = [];
    for (const listener of alb.listeners) names.push((JSON.parse((await albRequest(listener.port, { secureContext: clientContext(pki, 'good') })).body) as EchoBody).name);
    expect(names).toEqual(['api', 'partner', 'api']);
    expect(alb.listeners.map((l) => l.describeTargetHealth().map((t) => t.target))).toEqual([[api.url], [], [api.url]]);
  });
});
