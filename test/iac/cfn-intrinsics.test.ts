import { describe, expect, it } from 'vitest';
import { CFN_YAML_TAGS, NO_VALUE, resolveIntrinsics, type CfnTemplateContext } from '../../harness/iac/cfn-intrinsics.ts';
import { parseYamlText } from '../../harness/iac/yaml-text.ts';

const ctx = (vars: Record<string, string> = {}): CfnTemplateContext => ({
  file: 't.yaml',
  resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'fixed-name' } } },
  parameters: { Stage: { Type: 'String', Default: 'prod' } },
  mappings: { M: { prod: { Port: 443 } } },
  conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
  vars,
});

/** Parses one YAML value with the short-form tags and evaluates it. */
const evaluate = (yaml: string, vars?: Record<string, string>) => resolveIntrinsics(parseYamlText(`v: ${yaml}`, 't.yaml', CFN_YAML_TAGS)[0], [], ctx(vars));

describe('CloudFormation intrinsics from short-form YAML tags', () => {
  it.each([
    ['!Ref Stage', 'prod'],
    ['!Ref Bucket', '<Bucket>'],
    ['!Ref Named', 'fixed-name'],
    ['!Ref AWS::Region', 'us-east-1'],
    ['!GetAtt Bucket.Arn', '<Bucket.Arn>'],
    ["!Sub '${Stage}-${AWS::AccountId}-${!Literal}-${Bucket.Arn}'", 'prod-123456789012-${Literal}-<Bucket.Arn>'],
    ["!Sub ['${A}-x', { A: !Ref Stage }]", 'prod-x'],
    ["!Join ['/', [a, !Ref Stage]]", 'a/prod'],
    ["!Select [1, !Split [',', 'a,b,c']]", 'b'],
    ['!FindInMap [M, !Ref Stage, Port]', 443],
    ['!If [IsProd, yes, no]', 'yes'],
    ['!If [NotProd, yes, no]', 'no'],
    ['!And [!Condition IsProd, !Not [!Condition NotProd]]', true],
    ['!Or [!Condition NotProd, !Equals [a, a]]', true],
    ['!Base64 abc', 'YWJj'],
  ])('%s', (yaml, expected) => {
    expect((evaluate(yaml) as { v: unknown }).v).toEqual(expected);
  });

  it('AWS::NoValue removes the property; --var overrides parameters, pseudo parameters and imports', () => {
    expect(evaluate('!If [NotProd, x, !Ref AWS::NoValue]')).toEqual({});
    expect(resolveIntrinsics({ Ref: 'AWS::NoValue' }, [], ctx())).toBe(NO_VALUE);
    expect((evaluate('!Ref Stage', { Stage: 'dev' }) as { v: unknown }).v).toBe('dev');
    expect((evaluate('!Ref AWS::Region', { 'AWS::Region': 'eu-west-1' }) as { v: unknown }).v).toBe('eu-west-1');
    expect((evaluate('!ImportValue shared-ca-arn', { 'shared-ca-arn': 'arn:x' }) as { v: unknown }).v).toBe('arn:x');
  });

  it('what needs a deployment is an error at its pointer with the fix', () => {
    expect(() => evaluate('!ImportValue shared-ca-arn')).toThrow("t.yaml at /v/Fn::ImportValue: Fn::ImportValue 'shared-ca-arn' is exported by another stack. Pass its value with --var shared-ca-arn=VALUE");
    expect(() => evaluate("!GetAZs ''")).toThrow('t.yaml at /v/Fn::GetAZs: Fn::GetAZs cannot be evaluated without deploying the template. Replace it with a literal or a parameter and pass --var');
    expect(() => evaluate('!GetAtt Missing.Arn')).toThrow("t.yaml at /v/Fn::GetAtt: Fn::GetAtt names 'Missing', which is not a resource of this template");
    expect(() => evaluate('!If [Unknown, a, b]')).toThrow('t.yaml at /v/Fn::If/0: condition "Unknown" is not defined in Conditions');
  });
});
