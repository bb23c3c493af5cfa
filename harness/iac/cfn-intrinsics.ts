import type { Tags } from 'yaml';
import { iacError, isRecord, jsonPointer } from './source-text.ts';

/**
 * CloudFormation's intrinsic functions, evaluated as far as a template alone allows. What only a
 * deployment knows (a resource's physical ID or ARN) becomes a placeholder that other references to the
 * same resource compare equal to: `<LogicalId>` for `Ref`, `<LogicalId.Attribute>` for `Fn::GetAtt`.
 */

/** `AWS::NoValue`: the property is removed. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Pseudo parameters: fixed stand-ins, each overridable with `--var AWS::Region=eu-west-1` and the like. */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'stack',
  'AWS::StackId': 'arn:aws:cloudformation:us-east-1:123456789012:stack/stack/00000000-0000-0000-0000-000000000000',
  'AWS::NotificationARNs': '',
};

/** The short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...) as YAML custom tags producing the long form. */
const SHORT_FORMS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'If', 'Equals', 'And', 'Or', 'Not', 'Length', 'ToJsonString'] as const;

export const CFN_YAML_TAGS: Tags = [
  { tag: '!Ref', resolve: (s: string) => ({ Ref: s }) },
  { tag: '!Condition', resolve: (s: string) => ({ Condition: s }) },
  ...SHORT_FORMS.flatMap((name) => [
    // `!GetAtt A.B` is the scalar form of `Fn::GetAtt: [A, B]`.
    { tag: `!${name}`, resolve: (s: string) => ({ [`Fn::${name}`]: name === 'GetAtt' ? splitGetAtt(s) : s }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (node: { toJSON(): unknown }) => ({ [`Fn::${name}`]: node.toJSON() }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (node: { toJSON(): unknown }) => ({ [`Fn::${name}`]: node.toJSON() }) },
  ]),
];

function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

export interface CfnTemplateContext {
  file: string;
  resources: Record<string, Record<string, unknown>>;
  parameters: Record<string, unknown>;
  mappings: Record<string, unknown>;
  conditions: Record<string, unknown>;
  /** `--var NAME=VALUE`: parameter values, pseudo-parameter overrides and `Fn::ImportValue` exports. */
  vars: Readonly<Record<string, string>>;
}

type Path = (string | number)[];

/** Evaluates every intrinsic in `value` (found at `path` in the template). */
export function resolveIntrinsics(value: unknown, path: Path, ctx: CfnTemplateContext): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolveIntrinsics(v, [...path, i], ctx)).filter((v) => v !== NO_VALUE);
  }
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'))) {
    return intrinsic(keys[0]!, value[keys[0]!], [...path, keys[0]!], ctx);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = resolveIntrinsics(value[key], [...path, key], ctx);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

/** A resolved value as a string, or an error at its pointer. */
export function resolveString(value: unknown, path: Path, ctx: CfnTemplateContext): string {
  const v = resolveIntrinsics(value, path, ctx);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw iacError(ctx.file, `at ${jsonPointer(path)}`, `expected a string, found ${JSON.stringify(v)}`);
}

function ref(name: string, path: Path, ctx: CfnTemplateContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (ctx.vars[name] !== undefined) return ctx.vars[name];
  if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name];
  const parameter = ctx.parameters[name];
  if (isRecord(parameter)) {
    if (parameter.Default !== undefined) return parameter.Default;
    throw iacError(ctx.file, `at ${jsonPointer(path)}`, `parameter ${name} has no Default`, `Pass --var ${name}=VALUE`);
  }
  const resource = ctx.resources[name];
  if (resource) {
    const props = resource.Properties;
    // A bucket with a fixed name: Ref is that name, so S3 locations match by name.
    if (resource.Type === 'AWS::S3::Bucket' && isRecord(props) && props.BucketName !== undefined) {
      return resolveIntrinsics(props.BucketName, ['Resources', name, 'Properties', 'BucketName'], ctx);
    }
    return `<${name}>`;
  }
  throw iacError(ctx.file, `at ${jsonPointer(path)}`, `Ref '${name}' names no parameter, resource or pseudo parameter of this template`);
}

function condition(name: unknown, path: Path, ctx: CfnTemplateContext): boolean {
  if (typeof name !== 'string' || !(name in ctx.conditions)) {
    throw iacError(ctx.file, `at ${jsonPointer(path)}`, `condition ${JSON.stringify(name)} is not defined in Conditions`);
  }
  return truth(resolveIntrinsics(ctx.conditions[name], ['Conditions', name], ctx), ['Conditions', name], ctx);
}

function truth(v: unknown, path: Path, ctx: CfnTemplateContext): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw iacError(ctx.file, `at ${jsonPointer(path)}`, `expected a condition (true or false), found ${JSON.stringify(v)}`);
}

/** Whether a resource's `Condition` holds (true when it has none). */
export function resourceCondition(name: unknown, path: Path, ctx: CfnTemplateContext): boolean {
  return name === undefined ? true : condition(name, path, ctx);
}

function list(v: unknown, n: number | null, fn: string, path: Path, ctx: CfnTemplateContext): unknown[] {
  if (!Array.isArray(v) || (n !== null && v.length !== n)) {
    throw iacError(ctx.file, `at ${jsonPointer(path)}`, `${fn} takes a list${n === null ? '' : ` of ${n}`}, found ${JSON.stringify(v)}`);
  }
  return v;
}

function sub(args: unknown, path: Path, ctx: CfnTemplateContext): string {
  const [template, vars] = Array.isArray(args) ? [args[0], args[1] ?? {}] : [args, {}];
  if (typeof template !== 'string' || !isRecord(vars)) throw iacError(ctx.file, `at ${jsonPointer(path)}`, 'Fn::Sub takes a string or [string, {variables}]');
  return template.replace(/\$\{(!?)([^}]*)\}/g, (_, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    if (name in vars) return String(resolveString(vars[name], [...path, 1, name], ctx));
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return `<${name}>`;
    return String(ref(name, path, ctx));
  });
}

function intrinsic(fn: string, args: unknown, path: Path, ctx: CfnTemplateContext): unknown {
  const at = `at ${jsonPointer(path)}`;
  const r = (v: unknown, i: number | string) => resolveIntrinsics(v, [...path, i], ctx);
  switch (fn) {
    case 'Ref':
      return ref(String(args), path, ctx);
    case 'Condition':
      return condition(args, path, ctx);
    case 'Fn::GetAtt': {
      const parts = typeof args === 'string' ? splitGetAtt(args) : list(args, 2, fn, path, ctx).map((a, i) => r(a, i));
      if (!ctx.resources[String(parts[0])]) throw iacError(ctx.file, at, `Fn::GetAtt names '${String(parts[0])}', which is not a resource of this template`);
      return `<${parts.join('.')}>`;
    }
    case 'Fn::Sub':
      return sub(args, path, ctx);
    case 'Fn::Join': {
      const [delimiter, items] = list(args, 2, fn, path, ctx);
      const values = r(items, 1);
      return list(values, null, fn, [...path, 1], ctx).join(String(delimiter));
    }
    case 'Fn::Select': {
      const [index, items] = list(args, 2, fn, path, ctx);
      const values = list(r(items, 1), null, fn, [...path, 1], ctx);
      const i = Number(r(index, 0));
      if (!(i >= 0 && i < values.length)) throw iacError(ctx.file, at, `Fn::Select index ${i} is outside the list of ${values.length}`);
      return values[i];
    }
    case 'Fn::Split': {
      const [delimiter, text] = list(args, 2, fn, path, ctx);
      return resolveString(text, [...path, 1], ctx).split(String(delimiter));
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = list(args, 3, fn, path, ctx).map((a, i) => r(a, i));
      const found = (ctx.mappings as Record<string, Record<string, Record<string, unknown>>>)[String(map)]?.[String(top)]?.[String(second)];
      if (found === undefined) throw iacError(ctx.file, at, `Fn::FindInMap finds nothing at Mappings/${String(map)}/${String(top)}/${String(second)}`);
      return found;
    }
    case 'Fn::If': {
      const [name, yes, no] = list(args, 3, fn, path, ctx);
      return condition(name, [...path, 0], ctx) ? r(yes, 1) : r(no, 2);
    }
    case 'Fn::Equals': {
      const [a, b] = list(args, 2, fn, path, ctx).map((x, i) => r(x, i));
      return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
    }
    case 'Fn::And':
      return list(args, null, fn, path, ctx).every((x, i) => truth(r(x, i), [...path, i], ctx));
    case 'Fn::Or':
      return list(args, null, fn, path, ctx).some((x, i) => truth(r(x, i), [...path, i], ctx));
    case 'Fn::Not':
      return !truth(r(list(args, 1, fn, path, ctx)[0], 0), [...path, 0], ctx);
    case 'Fn::Base64':
      return Buffer.from(resolveString(args, path, ctx)).toString('base64');
    case 'Fn::ImportValue': {
      const name = resolveString(args, path, ctx);
      if (ctx.vars[name] !== undefined) return ctx.vars[name];
      throw iacError(ctx.file, at, `Fn::ImportValue '${name}' is exported by another stack`, `Pass its value with --var ${name}=VALUE`);
    }
    default:
      throw iacError(ctx.file, at, `${fn} cannot be evaluated without deploying the template`, 'Replace it with a literal or a parameter and pass --var');
  }
}
