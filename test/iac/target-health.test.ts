import { tempDir, type TempDir } from '../helpers/temp-dir.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAlbConfig, importLoadBalancerConfig } from '../../harness/iac/import-config.ts';
import { describeImport } from '../../harness/iac/summary.ts';

let scratch: TempDir;
beforeAll(async () => {
  scratch = await tempDir('alb-mtls-iac-health-');
});
afterAll(() => scratch[Symbol.asyncDispose]());

const file = (name: string, text: string): Promise<string> => scratch.file(name, text);

const cfn = (targetGroupProps: string) => `Resources:
  Api:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 8080
      Protocol: HTTP
${targetGroupProps}
  Other:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Port: 9090, Protocol: HTTP, HealthCheckPath: /other }
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Protocol: HTTPS
      Port: 443
      DefaultActions: [{ Type: forward, TargetGroupArn: !Ref Api }]
`;

describe('target group health checks in imported configurations', () => {
  it('CloudFormation: the HealthCheck* settings and Matcher of the target group the listener forwards to', async () => {
    const path = await file(
      'cfn.yaml',
      cfn('      HealthCheckPath: /health\n      HealthCheckIntervalSeconds: 10\n      HealthyThresholdCount: 3\n      Matcher: { HttpCode: 200-299 }'),
    );
    const imported = await importAlbConfig({ from: path });
    expect(imported.albOptions.healthCheck).toEqual({ path: '/health', intervalSeconds: 10, healthyThresholdCount: 3, matcher: '200-299' });
    expect(describeImport(imported)).toContain(
      "  target health check: GET /health over each target's protocol every 10 s (timeout 5 s), healthy after 3, unhealthy after 2, codes 200-299",
    );
    expect(imported.notes).toContain('health checks of target group Api are emulated, over HTTP or HTTPS without a client certificate (an ALB never presents one to a target)');
  });

  it('a target group without health check settings adds none; one AWS would refuse is refused at its line', async () => {
    expect((await importAlbConfig({ from: await file('plain.yaml', cfn('')) })).albOptions.healthCheck).toBeUndefined();
    const bad = await file('bad.yaml', cfn('      UnhealthyThresholdCount: 11'));
    await expect(importAlbConfig({ from: bad })).rejects.toMatchObject({
      code: 'HARNESS_ERR_ALB_CONFIG',
      message: `${bad} line 2 (at /Resources/Api): health check unhealthyThresholdCount is 11; AWS takes an integer from 2 to 10 (default 2)`,
    });
  });

  it('Terraform: the health_check block of the aws_lb_target_group in default_action', async () => {
    const module = await file(
      'tf/main.tf',
      `resource "aws_lb_target_group" "api" {
  port     = 8443
  protocol = "HTTPS"
  health_check {
    path                = "/ready"
    protocol            = "HTTPS"
    timeout             = 3
    unhealthy_threshold = 3
    matcher             = "200,204"
  }
}
resource "aws_lb_listener" "https" {
  port     = 443
  protocol = "HTTPS"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}
`,
    );
    const imported = await importLoadBalancerConfig({ from: module });
    expect(imported.loadBalancerOptions.healthCheck).toEqual({ path: '/ready', protocol: 'HTTPS', timeoutSeconds: 3, healthyThresholdCount: 3, unhealthyThresholdCount: 3, matcher: '200,204' });
  });

  it('Terraform: the target group of a weighted forward block, and of a forward action after an authenticate action', async () => {
    const groups = `resource "aws_lb_target_group" "admin" {
  port = 9090
  protocol = "HTTP"
  health_check {
    path = "/admin-health"
  }
}
resource "aws_lb_target_group" "api" {
  port = 8080
  protocol = "HTTP"
  health_check {
    path = "/api-health"
  }
}
`;
    const weighted = await file(
      'tf-weighted/main.tf',
      `${groups}resource "aws_lb_listener" "https" {
  port     = 443
  protocol = "HTTPS"
  default_action {
    type = "forward"
    forward {
      target_group {
        arn    = aws_lb_target_group.api.arn
        weight = 80
      }
      target_group {
        arn    = aws_lb_target_group.admin.arn
        weight = 20
      }
    }
  }
}
`,
    );
    expect((await importAlbConfig({ from: weighted })).albOptions.healthCheck?.path).toBe('/api-health');
    const second = await file(
      'tf-second-action/main.tf',
      `${groups}resource "aws_lb_listener" "https" {
  port     = 443
  protocol = "HTTPS"
  default_action {
    type  = "authenticate-oidc"
    order = 1
    authenticate_oidc {
      issuer = "https://idp.example.com"
    }
  }
  default_action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.api.arn
  }
}
`,
    );
    expect((await importAlbConfig({ from: second })).albOptions.healthCheck?.path).toBe('/api-health');
  });

  it('listeners forwarding to different target groups: each listener names its own group, and a note says to give each its targets', async () => {
    const path = await file(
      'two-groups.yaml',
      `Resources:
  Api:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Port: 8080, Protocol: HTTP }
  Admin:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Port: 9090, Protocol: HTTP }
  PublicListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Protocol: HTTPS
      Port: 443
      DefaultActions: [{ Type: forward, TargetGroupArn: !Ref Api }]
  AdminListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Protocol: HTTPS
      Port: 8443
      DefaultActions: [{ Type: forward, TargetGroupArn: !Ref Admin }]
`,
    );
    const imported = await importLoadBalancerConfig({ from: path });
    expect(imported.loadBalancerOptions.healthCheck).toBeUndefined();
    expect(imported.notes).toContain('the listeners forward to 2 target groups (Api, Admin); give each its targets (startAlb listeners[i].targets, serve --target GROUP=URL), else every listener reaches the same ones');
    expect(imported.targetGroups).toEqual([{ id: 'Api' }, { id: 'Admin' }]);
    expect(imported.loadBalancerOptions.listeners.map((l) => [l.targetGroup, l.healthCheck])).toEqual([
      ['Api', undefined],
      ['Admin', undefined],
    ]);
  });

  it("Terraform: thresholds left out are the AWS provider's defaults (3 and 3), not the API's (5 and 2)", async () => {
    const module = await file(
      'tf-defaults/main.tf',
      `resource "aws_lb_target_group" "api" {
  port     = 8080
  protocol = "HTTP"
  health_check {
    path = "/health"
  }
}
resource "aws_lb_listener" "https" {
  port     = 443
  protocol = "HTTPS"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}
`,
    );
    const imported = await importAlbConfig({ from: module });
    expect(imported.albOptions.healthCheck).toEqual({ path: '/health', healthyThresholdCount: 3, unhealthyThresholdCount: 3 });
    expect(describeImport(imported)).toContain("  target health check: GET /health over each target's protocol every 30 s (timeout 5 s), healthy after 3, unhealthy after 3, codes 200");
  });
});

describe('Kubernetes Ingress health check annotations', () => {
  const ingress = (annotations: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS": 443}]'
${annotations}`;

  it("are imported with the AWS Load Balancer Controller's defaults for the rest (interval 15, timeout 5, thresholds 2 and 2, codes 200)", async () => {
    const path = await file('k8s/health.yaml', ingress('    alb.ingress.kubernetes.io/healthcheck-path: /healthz\n    alb.ingress.kubernetes.io/success-codes: 200-399\n'));
    const imported = await importAlbConfig({ from: path });
    // (The controller's timeout, 5 s, is the API's default too.)
    expect(imported.albOptions.healthCheck).toEqual({ path: '/healthz', intervalSeconds: 15, healthyThresholdCount: 2, unhealthyThresholdCount: 2, matcher: '200-399' });
    expect(describeImport(imported)).toContain("  target health check: GET /healthz over each target's protocol every 15 s (timeout 5 s), healthy after 2, unhealthy after 2, codes 200-399");
  });

  it('every annotation is read; an Ingress without any imports none', async () => {
    const all = await file(
      'k8s/all.yaml',
      ingress(
        [
          'healthcheck-protocol: HTTPS',
          'healthcheck-port: "8443"',
          'healthcheck-path: /ready',
          'healthcheck-interval-seconds: "10"',
          'healthcheck-timeout-seconds: "3"',
          'healthy-threshold-count: "3"',
          'unhealthy-threshold-count: "4"',
          'success-codes: "200,204"',
        ].map((a) => `    alb.ingress.kubernetes.io/${a}\n`).join(''),
      ),
    );
    expect((await importAlbConfig({ from: all })).albOptions.healthCheck).toEqual({
      protocol: 'HTTPS', port: 8443, path: '/ready', intervalSeconds: 10, timeoutSeconds: 3, healthyThresholdCount: 3, unhealthyThresholdCount: 4, matcher: '200,204',
    });
    expect((await importAlbConfig({ from: await file('k8s/none.yaml', ingress('')) })).albOptions.healthCheck).toBeUndefined();
  });
});
