/**
 * HashiCorp's HCL parser (@cdktf/hcl2json, a wasm build of hashicorp/hcl): loaded on first use, because
 * loading it reads and inflates a 1.7 MB wasm module that only Terraform imports need.
 */
type Hcl2Json = typeof import('@cdktf/hcl2json');

let loading: Promise<Hcl2Json> | undefined;

export function hcl(): Promise<Hcl2Json> {
  loading ??= import('@cdktf/hcl2json');
  return loading;
}
