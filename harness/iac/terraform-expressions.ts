import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hcl } from './hcl-parser.ts';
import { iacError, isRecord } from './source-text.ts';

/**
 * Terraform expressions, evaluated as far as a module alone allows. HashiCorp's own HCL parser (the
 * @cdktf/hcl2json wasm build) turns each `${...}` into a syntax tree; this walks it. What only `apply`
 * knows (an ARN, a generated bucket name) becomes a placeholder that every reference to the same
 * resource shares: `<aws_lb_trust_store.ca>`.
 */

export interface TerraformScope {
  file: string;
  moduleDir: string;
  variables: Readonly<Record<string, unknown>>;
  locals: Readonly<Record<string, unknown>>;
  /** `type.name` -> attribute -> value for references such as `aws_s3_bucket.ca.id`. */
  attribute: (type: string, name: string, attribute: string) => unknown;
}

interface Node {
  type: string;
  children: Node[];
  meta: Record<string, unknown> & { value?: unknown };
}

/** Evaluates a value from hcl2json: literals as they are, strings holding `${` through the syntax tree. */
export async function evaluate(value: unknown, where: string, scope: TerraformScope): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => evaluate(v, `${where}[${i}]`, scope)));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluate(v, `${where}.${k}`, scope);
    return out;
  }
  if (typeof value !== 'string' || !value.includes('${')) return value;
  let ast: Node | null;
  try {
    ast = (await (await hcl()).getExpressionAst(scope.file, `"${value}"`)) as Node | null;
  } catch (err) {
    throw iacError(scope.file, where, `cannot parse the expression ${value} (${(err as Error).message})`);
  }
  if (!ast) throw iacError(scope.file, where, `cannot parse the expression ${value}`);
  return node(ast, where, scope);
}

function traversal(n: Node): string[] {
  const parts = (n.meta.traversal as { segment?: string }[] | undefined) ?? [];
  return parts.map((p) => String(p.segment));
}

const FUNCTIONS: Readonly<Record<string, (args: unknown[], scope: TerraformScope) => unknown>> = {
  file: ([path], scope) => readFileSync(resolve(scope.moduleDir, String(path)), 'utf8'),
  trimspace: ([s]) => String(s).trim(),
  lower: ([s]) => String(s).toLowerCase(),
  upper: ([s]) => String(s).toUpperCase(),
  tostring: ([s]) => String(s),
  tonumber: ([s]) => Number(s),
  tobool: ([s]) => s === true || s === 'true',
};

async function node(n: Node, where: string, scope: TerraformScope): Promise<unknown> {
  switch (n.type) {
    case 'templateWrap':
      return n.children.length === 1 ? node(n.children[0]!, where, scope) : (await Promise.all(n.children.map((c) => node(c, where, scope)))).join('');
    case 'template':
      return (await Promise.all(n.children.map((c) => node(c, where, scope)))).map((v) => String(v)).join('');
    case 'literalValue':
      return n.meta.value;
    case 'scopeTraversal':
      return reference(traversal(n), where, scope);
    case 'conditional': {
      const [test, yes, no] = n.children;
      const t = await node(test!, where, scope);
      return node(t === true || t === 'true' ? yes! : no!, where, scope);
    }
    case 'function': {
      const name = String(n.meta.name);
      const fn = FUNCTIONS[name];
      if (!fn) throw iacError(scope.file, where, `the function ${name}() cannot be evaluated here`, 'Use a literal or a variable');
      const args = await Promise.all(n.children.map((c) => node(c, where, scope)));
      try {
        return fn(args, scope);
      } catch (err) {
        throw iacError(scope.file, where, `${name}(${args.map((a) => JSON.stringify(a)).join(', ')}) failed (${(err as Error).message})`);
      }
    }
    case 'binaryOp': {
      const op = BINARY[String(n.meta.operator)];
      if (!op) break;
      const [l, r] = await Promise.all(n.children.map((c) => node(c, where, scope)));
      return op(l, r);
    }
    case 'unaryOp':
      if (n.meta.operator === 'logicalNot') return !truthy(await node(n.children[0]!, where, scope));
      if (n.meta.operator === 'negate') return -Number(await node(n.children[0]!, where, scope));
      break;
  }
  throw iacError(scope.file, where, `the expression ${String(n.meta.value ?? n.type)} cannot be evaluated without Terraform`, 'Use a literal or a variable');
}

const truthy = (v: unknown) => v === true || v === 'true';
const BINARY: Readonly<Record<string, (l: unknown, r: unknown) => unknown>> = {
  equal: (l, r) => String(l) === String(r),
  notEqual: (l, r) => String(l) !== String(r),
  logicalAnd: (l, r) => truthy(l) && truthy(r),
  logicalOr: (l, r) => truthy(l) || truthy(r),
  add: (l, r) => Number(l) + Number(r),
  subtract: (l, r) => Number(l) - Number(r),
  multiply: (l, r) => Number(l) * Number(r),
};

function reference(parts: string[], where: string, scope: TerraformScope): unknown {
  const [head, second, third] = parts;
  if (head === 'var') {
    if (second === undefined || !(second in scope.variables)) {
      throw iacError(scope.file, where, `var.${second} has no value (no default, no terraform.tfvars entry)`, `Pass --var ${second}=VALUE`);
    }
    return scope.variables[second];
  }
  if (head === 'local') {
    if (second === undefined || !(second in scope.locals)) throw iacError(scope.file, where, `local.${second} is not defined in this module`);
    return scope.locals[second];
  }
  if (head === 'path') return scope.moduleDir;
  if (head === 'data') return `<${parts.join('.')}>`;
  if (head === undefined || second === undefined) throw iacError(scope.file, where, `cannot resolve ${parts.join('.')}`);
  return scope.attribute(head, second, third ?? 'id');
}
