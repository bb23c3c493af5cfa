import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { resolveIntrinsics, resolveString, type CfnTemplateContext } from './cfn-intrinsics.ts';
import { readCloudFormation, templateContext } from './cloudformation.ts';
import type { ParsedConfiguration, S3Upload } from './model.ts';
import { iacError, isRecord, parseJsonText } from './source-text.ts';

/**
 * A CDK cloud assembly (`cdk.out/`): every stack's synthesized template through the CloudFormation
 * reader, listener IDs as `StackName/LogicalId`, and the S3 objects CDK uploads (file assets and
 * `BucketDeployment` sources) mapped to the staged files in `cdk.out/`.
 */

const BUCKET_DEPLOYMENT = 'Custom::CDKBucketDeployment';

interface AssetFile {
  source: { path?: string; packaging?: string };
  destinations?: Record<string, { bucketName?: string; objectKey?: string }>;
}

async function readJson(path: string): Promise<unknown> {
  return parseJsonText(await readFile(path, 'utf8'), path);
}

/** `${AWS::AccountId}` and friends in asset bucket names, with the same stand-ins the template gets. */
function substitutePseudo(text: string, ctx: CfnTemplateContext): string {
  return String(resolveIntrinsics({ 'Fn::Sub': text }, ['assets'], ctx));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Asset object key -> staged path in cdk.out (a file, or a directory CDK zips on publish). */
async function assetPaths(dir: string, stack: string, ctx: CfnTemplateContext): Promise<Map<string, { path: string; bucket: string }>> {
  const assets = new Map<string, { path: string; bucket: string }>();
  const manifest = join(dir, `${stack}.assets.json`);
  if (!(await stat(manifest).then(() => true, () => false))) return assets;
  const doc = await readJson(manifest);
  const files = isRecord(doc) && isRecord(doc.files) ? (doc.files as Record<string, AssetFile>) : {};
  for (const file of Object.values(files)) {
    if (!file.source?.path) continue;
    for (const d of Object.values(file.destinations ?? {})) {
      if (d.objectKey) assets.set(d.objectKey, { path: join(dir, file.source.path), bucket: substitutePseudo(d.bucketName ?? '', ctx) });
    }
  }
  return assets;
}

async function uploadsOf(dir: string, stack: string, template: Record<string, unknown>, ctx: CfnTemplateContext): Promise<S3Upload[]> {
  const assets = await assetPaths(dir, stack, ctx);
  const uploads: S3Upload[] = [];
  for (const [key, asset] of assets) {
    if (await stat(asset.path).then((s) => s.isFile(), () => false)) uploads.push({ bucket: asset.bucket, key, path: asset.path });
  }
  const resources = isRecord(template.Resources) ? template.Resources : {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || resource.Type !== BUCKET_DEPLOYMENT || !isRecord(resource.Properties)) continue;
    const path = ['Resources', id, 'Properties'];
    const props = resource.Properties;
    const destination = resolveString(props.DestinationBucketName, [...path, 'DestinationBucketName'], ctx);
    const prefix = props.DestinationBucketKeyPrefix === undefined ? '' : resolveString(props.DestinationBucketKeyPrefix, [...path, 'DestinationBucketKeyPrefix'], ctx);
    const keys = resolveIntrinsics(props.SourceObjectKeys ?? [], [...path, 'SourceObjectKeys'], ctx);
    for (const key of Array.isArray(keys) ? keys : []) {
      const asset = assets.get(String(key));
      if (!asset) continue;
      for (const file of await filesUnder(asset.path).catch(() => [] as string[])) {
        const within = relative(asset.path, file).split('\\').join('/');
        uploads.push({ bucket: destination, key: prefix ? `${prefix.replace(/\/?$/, '/')}${within}` : within, path: file });
      }
    }
  }
  return uploads;
}

/** Reads every stack of a cloud assembly directory (the one holding `manifest.json`). */
export async function readCdkAssembly(dir: string, vars: Readonly<Record<string, string>>): Promise<ParsedConfiguration> {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = await readJson(manifestPath);
  const artifacts = isRecord(manifest) && isRecord(manifest.artifacts) ? manifest.artifacts : {};
  const config: ParsedConfiguration = { format: 'cdk', source: dir, listeners: [], trustStores: [], uploads: [], notes: [] };
  const stacks = Object.entries(artifacts).filter(([, a]) => isRecord(a) && a.type === 'aws:cloudformation:stack');
  if (stacks.length === 0) throw iacError(manifestPath, '', 'the cloud assembly has no CloudFormation stack', 'Run "cdk synth" first');
  for (const [stack, artifact] of stacks) {
    const props = isRecord(artifact) && isRecord(artifact.properties) ? artifact.properties : {};
    const templatePath = join(dir, String(props.templateFile ?? `${stack}.template.json`));
    const template = await readJson(templatePath);
    const parsed = readCloudFormation(template, templatePath, vars);
    const ctx = templateContext(template, templatePath, vars);
    config.listeners.push(
      ...parsed.listeners.map((l) => ({ ...l, id: `${stack}/${l.id}`, ...(l.loadBalancer !== undefined ? { loadBalancer: `${stack}/${l.loadBalancer}` } : {}), at: `${relative(dir, templatePath)} ${l.at}` })),
    );
    config.trustStores.push(...parsed.trustStores);
    if (parsed.targetGroups) (config.targetGroups ??= []).push(...parsed.targetGroups.map((g) => ({ ...g, id: `${stack}/${g.id}` })));
    config.uploads.push(...(await uploadsOf(dir, stack, template as Record<string, unknown>, ctx)));
    config.notes.push(...parsed.notes.map((n) => `${stack}: ${n}`));
  }
  return config;
}
