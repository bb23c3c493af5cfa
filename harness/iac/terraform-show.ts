import { dirname } from 'node:path';
import type { ParsedConfiguration } from './model.ts';
import { iacError, isRecord } from './source-text.ts';
import { terraformModel, type TerraformResource } from './terraform-resources.ts';

/**
 * The JSON of `terraform show -json` (state) or of a saved plan: every resource of the root module and
 * its child modules, with values as applied (ARNs and bucket names are real, so references match by value).
 */

/** Whether a parsed JSON document is `terraform show -json` output. */
export function isTerraformShowJson(doc: unknown): boolean {
  return isRecord(doc) && typeof doc.format_version === 'string' && (isRecord(doc.values) || isRecord(doc.planned_values));
}

function collect(module: unknown, into: TerraformResource[]): void {
  if (!isRecord(module)) return;
  for (const r of Array.isArray(module.resources) ? module.resources : []) {
    if (!isRecord(r) || r.mode === 'data' || typeof r.type !== 'string' || !isRecord(r.values)) continue;
    const values = r.values;
    into.push({ address: String(r.address), type: r.type, values, refs: [values.arn, values.id].filter((x): x is string => typeof x === 'string') });
  }
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) collect(child, into);
}

export function readTerraformShow(doc: unknown, file: string): ParsedConfiguration {
  if (!isTerraformShowJson(doc)) throw iacError(file, '', 'not terraform show -json output (no format_version and values)');
  const d = doc as Record<string, Record<string, unknown>>;
  const resources: TerraformResource[] = [];
  collect((d.values ?? d.planned_values)!.root_module, resources);
  // aws_s3_object.source is relative to where Terraform ran: the file's directory is the best guess.
  return terraformModel(resources, 'terraform-show-json', file, dirname(file));
}
