import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAlbConfig, importLoadBalancerConfig } from '../../harness/iac/import-config.ts';
import { describeImport } from '../../harness/iac/summary.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alb-mtls-iac-health-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

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
    expect(imported.loadBalancerOptions.healthCheck).toEqual({ path: '/ready', protocol: 'HTTPS', timeoutSeconds: 3, unhealthyThresholdCount: 3, matcher: '200,204' });
  });
});
