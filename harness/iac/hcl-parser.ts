/**
 * HashiCorp's HCL parser (@cdktf/hcl2json, a wasm build of hashicorp/hcl): loaded on first use, because
 * loading it reads and inflates a 1.7 MB wasm module that only Terraform imports need.
 */

/** The two functions used. Declared here: the package's own declarations pull in the DOM lib. */
export interface HclParser {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<unknown>;
}

// A variable specifier keeps TypeScript from reading the package's declarations.
const PACKAGE = '@cdktf/hcl2json';
let loading: Promise<HclParser> | undefined;

export function hcl(): Promise<HclParser> {
  loading ??= import(PACKAGE) as Promise<HclParser>;
  return loading;
}
