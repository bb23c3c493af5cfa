import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { jsonFilesIn, readAwsCliOutputs, isDescribeListeners } from './aws-cli.ts';
import { readCdkAssembly } from './cdk.ts';
import { CFN_YAML_TAGS } from './cfn-intrinsics.ts';
import { isCloudFormationTemplate, readCloudFormation } from './cloudformation.ts';
import { isIngress, readIngress } from './kubernetes-ingress.ts';
import type { ParsedConfiguration } from './model.ts';
import { iacError, parseJsonText, withLine } from './source-text.ts';
import { parseYamlText, yamlLineFinder } from './yaml-text.ts';
import { readTerraformModule } from './terraform-hcl.ts';
import { isTerraformShowJson, readTerraformShow } from './terraform-show.ts';

/**
 * Which reader a path needs, decided by what it is: a directory (cdk.out, a Terraform module, AWS CLI
 * outputs), a `.tf` file, or a JSON/YAML document recognised by its content.
 */

const KNOWN = 'a CloudFormation template, a cdk.out directory, a Terraform module or .tf file, terraform show -json output, a Kubernetes Ingress, or AWS CLI describe-listeners output';

export async function readConfiguration(path: string, vars: Readonly<Record<string, string>>): Promise<ParsedConfiguration> {
  const info = await stat(path).catch(() => null);
  if (!info) throw iacError('--from', path, 'no such file or directory', 'Check the path');
  if (info.isDirectory()) {
    const entries = await readdir(path);
    if (entries.includes('manifest.json') && entries.some((e) => e.endsWith('.template.json'))) return readCdkAssembly(path, vars);
    if (entries.some((e) => e.endsWith('.tf'))) return readTerraformModule(path, vars);
    const json = await jsonFilesIn(path);
    if (json.length > 0) return readAwsCliOutputs(json);
    throw iacError('--from', path, `a directory holding none of ${KNOWN}`);
  }
  if (path.endsWith('.tf')) return readTerraformModule(path, vars);
  const text = await readFile(path, 'utf8');
  const ext = extname(path).toLowerCase();
  const looksJson = ext === '.json' || text.trimStart().startsWith('{');
  if (looksJson) {
    const doc = parseJsonText(text, path);
    if (isCloudFormationTemplate(doc)) {
      // A template inside cdk.out: the whole assembly, so its assets map too.
      const dir = path.slice(0, Math.max(path.lastIndexOf('/'), 0));
      if (path.endsWith('.template.json') && (await stat(join(dir, 'manifest.json')).then(() => true, () => false))) {
        const assembly = await readCdkAssembly(dir, vars);
        const stack = path.slice(dir.length + 1, -'.template.json'.length);
        return { ...assembly, listeners: assembly.listeners.filter((l) => l.id.startsWith(`${stack}/`)) };
      }
      return readCloudFormation(doc, path, vars);
    }
    if (isTerraformShowJson(doc)) return readTerraformShow(doc, path);
    if (isDescribeListeners(doc)) return readAwsCliOutputs([path]);
    throw iacError(path, '', `JSON that is none of ${KNOWN}`);
  }
  const docs = parseYamlText(text, path, CFN_YAML_TAGS);
  if (docs.some(isIngress)) return readIngress(docs, path);
  if (isCloudFormationTemplate(docs[0])) {
    const lineOf = yamlLineFinder(text, CFN_YAML_TAGS);
    try {
      return { ...readCloudFormation(docs[0], path, vars), lineOf };
    } catch (err) {
      throw withLine(err, path, lineOf);
    }
  }
  throw iacError(path, '', `YAML that is none of ${KNOWN}`);
}
