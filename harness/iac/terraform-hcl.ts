import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hcl } from './hcl-parser.ts';
import type { ParsedConfiguration } from './model.ts';
import { iacError, isRecord, parseJsonText } from './source-text.ts';
import { evaluate, type TerraformScope } from './terraform-expressions.ts';
import { TERRAFORM_READ_ARGUMENTS, terraformModel, type TerraformResource } from './terraform-resources.ts';

/**
 * A Terraform module in HCL: every `.tf` file of the directory (Terraform's unit), variables from their
 * defaults, then `terraform.tfvars` and `*.auto.tfvars`, then `--var`; references inside the module
 * resolved.
 */

type Blocks = Record<string, unknown>;

/** hcl2json's error text (`file:3,7-4,1: Summary; Detail`) as a message naming file, line, column and problem. */
async function parseHcl(path: string): Promise<Blocks> {
  const text = await readFile(path, 'utf8');
  try {
    return (await (await hcl()).parse(basename(path), text)) as Blocks;
  } catch (err) {
    const message = (err as Error).message;
    const m = /:(\d+),(\d+)-[\d,]+: ([^\]]*?)\.?\]?,? *(and \d+ other diagnostic\(s\))?\s*$/.exec(message) ?? /:(\d+),(\d+)-[\d,]+: (.*?)\]/.exec(message);
    if (m) throw iacError(path, `line ${m[1]} column ${m[2]}`, `not valid HCL (${m[3]!.trim()})`, 'Fix the syntax there');
    throw iacError(path, '', `not valid HCL (${message})`, 'Fix the syntax there');
  }
}

function merge(into: Blocks, from: Blocks): void {
  for (const [kind, value] of Object.entries(from)) {
    if (isRecord(value) && isRecord(into[kind])) {
      for (const [k, v] of Object.entries(value)) {
        if (isRecord(v) && isRecord((into[kind] as Blocks)[k])) Object.assign((into[kind] as Blocks)[k] as Blocks, v);
        else (into[kind] as Blocks)[k] = v;
      }
    } else if (Array.isArray(value) && Array.isArray(into[kind])) (into[kind] as unknown[]).push(...value);
    else into[kind] = value;
  }
}

const first = (v: unknown): Record<string, unknown> => (Array.isArray(v) && isRecord(v[0]) ? v[0] : isRecord(v) ? v : {});
const exists = (p: string) => stat(p).then(() => true, () => false);

async function tfvars(dir: string, files: string[]): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  const names = ['terraform.tfvars', 'terraform.tfvars.json', ...files.filter((f) => /\.auto\.tfvars(\.json)?$/.test(f)).sort()];
  for (const name of names) {
    const path = join(dir, name);
    if (!(await exists(path))) continue;
    const parsed = name.endsWith('.json') ? parseJsonText(await readFile(path, 'utf8'), path) : await parseHcl(path);
    if (isRecord(parsed)) Object.assign(values, parsed);
  }
  return values;
}

/** Every `.tf` file of the module merged, and which file defines each resource (for messages). */
async function readModuleFiles(dir: string, tfFiles: string[]): Promise<{ blocks: Blocks; fileOf: Map<string, string> }> {
  const blocks: Blocks = {};
  const fileOf = new Map<string, string>();
  for (const f of tfFiles) {
    const parsed = await parseHcl(join(dir, f));
    for (const [type, named] of Object.entries(isRecord(parsed.resource) ? parsed.resource : {})) {
      for (const name of Object.keys(isRecord(named) ? named : {})) fileOf.set(`${type}.${name}`, join(dir, f));
    }
    merge(blocks, parsed);
  }
  return { blocks, fileOf };
}

/** Variable values: declared defaults, then terraform.tfvars and *.auto.tfvars, then `--var`. */
async function moduleVariables(blocks: Blocks, dir: string, files: string[], vars: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
  const variables: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(isRecord(blocks.variable) ? blocks.variable : {})) {
    const d = first(decl);
    if ('default' in d) variables[name] = d.default;
  }
  return Object.assign(variables, await tfvars(dir, files), vars);
}

async function moduleLocals(blocks: Blocks, scope: TerraformScope): Promise<Record<string, unknown>> {
  const locals: Record<string, unknown> = {};
  scope.locals = locals;
  const localBlocks = Array.isArray(blocks.locals) ? blocks.locals : [blocks.locals ?? {}];
  for (const b of localBlocks) for (const [k, v] of Object.entries(isRecord(b) ? b : {})) locals[k] = await evaluate(v, `local.${k}`, scope);
  return locals;
}

/** Reads the module in `from` (a `.tf` file's directory, or the directory itself). */
export async function readTerraformModule(from: string, vars: Readonly<Record<string, string>>): Promise<ParsedConfiguration> {
  const dir = (await stat(from)).isDirectory() ? from : dirname(from);
  const files = await readdir(dir);
  const tfFiles = files.filter((f) => f.endsWith('.tf')).sort();
  if (tfFiles.length === 0) throw iacError(dir, '', 'holds no .tf file', 'Point --from at a Terraform module');
  const { blocks, fileOf } = await readModuleFiles(dir, tfFiles);
  // References: a bucket with a fixed name is that name; anything else is known only after apply.
  const attributeValues = new Map<string, unknown>();
  const scope: TerraformScope = {
    file: dir,
    moduleDir: dir,
    variables: await moduleVariables(blocks, dir, files, vars),
    locals: {},
    attribute: (type, name, attribute) => attributeValues.get(`${type}.${name}.${attribute}`) ?? `<${type}.${name}>`,
  };
  await moduleLocals(blocks, scope);

  const raw = new Map<string, Record<string, unknown>>();
  for (const [type, named] of Object.entries(isRecord(blocks.resource) ? blocks.resource : {})) {
    for (const [name, body] of Object.entries(isRecord(named) ? named : {})) raw.set(`${type}.${name}`, first(body));
  }
  const evaluated = new Map<string, Record<string, unknown>>();
  const valuesOf = async (address: string): Promise<Record<string, unknown>> => {
    const done = evaluated.get(address);
    if (done) return done;
    // Only the arguments the importer reads: tags, subnets and the like may use functions it cannot evaluate.
    const read = TERRAFORM_READ_ARGUMENTS[address.split('.')[0]!] ?? [];
    const body = Object.fromEntries(Object.entries(raw.get(address) ?? {}).filter(([k]) => read.includes(k)));
    const v = (await evaluate(body, address, { ...scope, file: fileOf.get(address) ?? dir })) as Record<string, unknown>;
    evaluated.set(address, v);
    return v;
  };
  // Buckets first: objects name their bucket through them.
  for (const type of ['aws_s3_bucket', 'aws_s3_object', 'aws_s3_bucket_object']) {
    for (const address of [...raw.keys()].filter((a) => a.startsWith(`${type}.`))) {
      if (type === 'aws_s3_bucket' && raw.get(address)!.bucket === undefined) continue;
      const v = await valuesOf(address);
      if (type === 'aws_s3_bucket') for (const a of ['id', 'bucket']) attributeValues.set(`${address}.${a}`, v.bucket);
      else for (const a of ['bucket', 'key']) attributeValues.set(`${address}.${a}`, v[a]);
    }
  }
  const resources: TerraformResource[] = [];
  for (const address of raw.keys()) {
    const [type] = address.split('.');
    resources.push({ address, type: type!, values: type! in TERRAFORM_READ_ARGUMENTS ? await valuesOf(address) : {}, refs: [`<${address}>`] });
  }
  const config = terraformModel(resources, 'terraform', dir, dir);
  if (isRecord(blocks.module)) config.notes.push(`module calls are not followed: ${Object.keys(blocks.module).join(', ')}`);
  return config;
}
