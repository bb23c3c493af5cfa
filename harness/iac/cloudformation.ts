import { CFN_YAML_TAGS, resolveIntrinsics, resolveString, resourceCondition, type CfnTemplateContext } from './cfn-intrinsics.ts';
import { TARGET_GROUP_HEALTH_CHECK_SETTINGS, type ImportedListener, type ImportedTargetGroup, type ImportedTrustStore, type ParsedConfiguration, type S3Location } from './model.ts';
import { iacError, isRecord, jsonPointer, parseJsonText } from './source-text.ts';
import { parseYamlText } from './yaml-text.ts';

/**
 * CloudFormation templates (JSON or YAML with the short-form tags), and so the templates CDK
 * synthesizes: listeners, trust stores, trust-store revocations and load-balancer attributes.
 */

const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const TRUST_STORE = 'AWS::ElasticLoadBalancingV2::TrustStore';
const REVOCATION = 'AWS::ElasticLoadBalancingV2::TrustStoreRevocation';
const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
/** Types that never matter to the listener and are not worth a note. */
const SILENT_TYPES = new Set(['AWS::CDK::Metadata']);

/** Parses template text: JSON when it starts with `{`, YAML (with `!Ref` and friends) otherwise. */
export function parseTemplateText(text: string, file: string): unknown {
  if (text.trimStart().startsWith('{')) return parseJsonText(text, file);
  const docs = parseYamlText(text, file, CFN_YAML_TAGS);
  return docs[0];
}

/** Whether a parsed document looks like a CloudFormation template. */
export function isCloudFormationTemplate(doc: unknown): boolean {
  return isRecord(doc) && isRecord(doc.Resources) && (doc.AWSTemplateFormatVersion !== undefined || Object.values(doc.Resources).some((r) => isRecord(r) && typeof r.Type === 'string'));
}

type Path = (string | number)[];

function keyValueList(value: unknown, path: Path, ctx: CfnTemplateContext): Record<string, string> {
  const items = resolveIntrinsics(value ?? [], path, ctx);
  if (!Array.isArray(items)) throw iacError(ctx.file, `at ${jsonPointer(path)}`, 'expected a list of {Key, Value}');
  const out: Record<string, string> = {};
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.Key !== 'string' || item.Value === undefined) {
      throw iacError(ctx.file, `at ${jsonPointer([...path, i])}`, 'expected {Key, Value}');
    }
    out[item.Key] = String(item.Value);
  });
  return out;
}

function optionalString(props: Record<string, unknown>, key: string, path: Path, ctx: CfnTemplateContext): string | undefined {
  return props[key] === undefined ? undefined : resolveString(props[key], [...path, key], ctx);
}

function optionalBoolean(props: Record<string, unknown>, key: string, path: Path, ctx: CfnTemplateContext): boolean | undefined {
  const text = optionalString(props, key, path, ctx);
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false') throw iacError(ctx.file, `at ${jsonPointer([...path, key])}`, `expected true or false, found '${text}'`);
  return text === 'true';
}

function listenerOf(id: string, props: Record<string, unknown>, path: Path, ctx: CfnTemplateContext): ImportedListener {
  const mutual = props.MutualAuthentication === undefined ? undefined : resolveIntrinsics(props.MutualAuthentication, [...path, 'MutualAuthentication'], ctx);
  const mPath = [...path, 'MutualAuthentication'];
  const port = optionalString(props, 'Port', path, ctx);
  return {
    id,
    protocol: optionalString(props, 'Protocol', path, ctx),
    port: port === undefined ? undefined : Number(port),
    sslPolicy: optionalString(props, 'SslPolicy', path, ctx),
    mutualAuthentication: isRecord(mutual)
      ? {
          mode: optionalString(mutual, 'Mode', mPath, ctx),
          trustStore: optionalString(mutual, 'TrustStoreArn', mPath, ctx),
          ignoreClientCertificateExpiry: optionalBoolean(mutual, 'IgnoreClientCertificateExpiry', mPath, ctx),
          advertiseTrustStoreCaNames: optionalString(mutual, 'AdvertiseTrustStoreCaNames', mPath, ctx),
        }
      : undefined,
    listenerAttributes: keyValueList(props.ListenerAttributes, [...path, 'ListenerAttributes'], ctx),
    loadBalancerAttributes: {},
    loadBalancer: optionalString(props, 'LoadBalancerArn', path, ctx),
    targetGroup: forwardedTargetGroup(props.DefaultActions, [...path, 'DefaultActions'], ctx),
    at: jsonPointer(path.slice(0, 2)),
  };
}

/** The target group of the first forward action: `TargetGroupArn`, or the first of `ForwardConfig.TargetGroups`. */
function forwardedTargetGroup(actions: unknown, path: Path, ctx: CfnTemplateContext): string | undefined {
  if (!Array.isArray(actions)) return undefined;
  for (const [i, action] of actions.entries()) {
    if (!isRecord(action)) continue;
    if (action.TargetGroupArn !== undefined) return resolveString(action.TargetGroupArn, [...path, i, 'TargetGroupArn'], ctx);
    const groups = isRecord(action.ForwardConfig) ? action.ForwardConfig.TargetGroups : undefined;
    if (Array.isArray(groups) && isRecord(groups[0]) && groups[0].TargetGroupArn !== undefined) {
      return resolveString(groups[0].TargetGroupArn, [...path, i, 'ForwardConfig', 'TargetGroups', 0, 'TargetGroupArn'], ctx);
    }
  }
  return undefined;
}

function targetGroupOf(id: string, props: Record<string, unknown>, path: Path, ctx: CfnTemplateContext): ImportedTargetGroup {
  const healthCheck: ImportedTargetGroup['healthCheck'] = {};
  for (const key of TARGET_GROUP_HEALTH_CHECK_SETTINGS) {
    if (key === 'Matcher') {
      const matcher = isRecord(props.Matcher) ? optionalString(props.Matcher, 'HttpCode', [...path, 'Matcher'], ctx) : undefined;
      if (matcher !== undefined) healthCheck.Matcher = matcher;
    } else {
      const value = optionalString(props, key, path, ctx);
      if (value !== undefined) healthCheck[key] = value;
    }
  }
  return { id, refs: [`<${id}>`, `<${id}.TargetGroupArn>`], healthCheck, at: jsonPointer(path.slice(0, 2)) };
}

function s3Location(props: Record<string, unknown>, keys: [string, string, string], path: Path, ctx: CfnTemplateContext): S3Location {
  const [bucketKey, keyKey, versionKey] = keys;
  if (props[bucketKey] === undefined || props[keyKey] === undefined) {
    throw iacError(ctx.file, `at ${jsonPointer(path)}`, `${bucketKey} and ${keyKey} are required`);
  }
  return {
    bucket: resolveString(props[bucketKey], [...path, bucketKey], ctx),
    key: resolveString(props[keyKey], [...path, keyKey], ctx),
    version: optionalString(props, versionKey, path, ctx),
    at: jsonPointer(path),
  };
}

/** The evaluation context of a template: its resources, parameters, mappings and conditions. */
export function templateContext(doc: unknown, file: string, vars: Readonly<Record<string, string>>): CfnTemplateContext {
  if (!isCloudFormationTemplate(doc)) throw iacError(file, '', 'not a CloudFormation template (no Resources)', 'Pass a template, a cdk.out directory, Terraform, an Ingress or describe-* output');
  const t = doc as Record<string, Record<string, unknown>>;
  return {
    file,
    resources: t.Resources as Record<string, Record<string, unknown>>,
    parameters: t.Parameters ?? {},
    mappings: t.Mappings ?? {},
    conditions: t.Conditions ?? {},
    vars,
  };
}

/** Reads one parsed template into the shared model. `vars` fill parameters, pseudo parameters and imports. */
export function readCloudFormation(doc: unknown, file: string, vars: Readonly<Record<string, string>>): ParsedConfiguration {
  const ctx = templateContext(doc, file, vars);
  const config: ParsedConfiguration = { format: 'cloudformation', source: file, listeners: [], trustStores: [], uploads: [], notes: [] };
  const listeners: ImportedListener[] = [];
  const revocations: { trustStore: string; locations: S3Location[] }[] = [];
  const loadBalancers = new Map<string, Record<string, string>>();
  const ignored: string[] = [];
  for (const [id, resource] of Object.entries(ctx.resources)) {
    const path: Path = ['Resources', id, 'Properties'];
    if (!isRecord(resource) || typeof resource.Type !== 'string') throw iacError(file, `at ${jsonPointer(['Resources', id])}`, 'a resource needs a Type');
    if (!resourceCondition(resource.Condition, ['Resources', id, 'Condition'], ctx)) {
      config.notes.push(`skipped ${id}: its Condition ${String(resource.Condition)} is false`);
      continue;
    }
    const props = isRecord(resource.Properties) ? resource.Properties : {};
    switch (resource.Type) {
      case LISTENER:
        listeners.push(listenerOf(id, props, path, ctx));
        break;
      case TRUST_STORE: {
        const name = optionalString(props, 'Name', path, ctx);
        config.trustStores.push({
          id,
          refs: [`<${id}>`, `<${id}.TrustStoreArn>`, ...(name ? [name] : [])],
          name,
          bundle: s3Location(props, ['CaCertificatesBundleS3Bucket', 'CaCertificatesBundleS3Key', 'CaCertificatesBundleS3ObjectVersion'], path, ctx),
          revocations: [],
          at: jsonPointer(['Resources', id]),
        } satisfies ImportedTrustStore);
        break;
      }
      case REVOCATION: {
        const contents = resolveIntrinsics(props.RevocationContents ?? [], [...path, 'RevocationContents'], ctx);
        const locations = (Array.isArray(contents) ? contents : []).map((c, i) =>
          s3Location(isRecord(c) ? c : {}, ['S3Bucket', 'S3Key', 'S3ObjectVersion'], [...path, 'RevocationContents', i], ctx),
        );
        revocations.push({ trustStore: resolveString(props.TrustStoreArn, [...path, 'TrustStoreArn'], ctx), locations });
        break;
      }
      case TARGET_GROUP:
        (config.targetGroups ??= []).push(targetGroupOf(id, props, path, ctx));
        break;
      case LOAD_BALANCER:
        if (props.Type !== undefined && resolveString(props.Type, [...path, 'Type'], ctx) !== 'application') {
          config.notes.push(`${id} is a ${String(props.Type)} load balancer; only application load balancers are emulated`);
        }
        loadBalancers.set(`<${id}>`, keyValueList(props.LoadBalancerAttributes, [...path, 'LoadBalancerAttributes'], ctx));
        break;
      default:
        if (!SILENT_TYPES.has(resource.Type)) ignored.push(`${id} (${resource.Type})`);
    }
  }
  for (const r of revocations) {
    const store = config.trustStores.find((s) => s.refs.includes(r.trustStore));
    if (store) store.revocations.push(...r.locations);
    else config.notes.push(`a TrustStoreRevocation names trust store ${r.trustStore}, which this template does not define; ignored`);
  }
  for (const listener of listeners) {
    const ref = listener.loadBalancer;
    listener.loadBalancerAttributes = (ref && loadBalancers.get(ref)) || {};
    // `<LogicalId>` of a balancer defined here is shown as its logical ID; anything else as resolved.
    if (ref !== undefined && loadBalancers.has(ref)) listener.loadBalancer = ref.slice(1, -1);
    config.listeners.push(listener);
  }
  if (ignored.length > 0) config.notes.push(`ignored ${ignored.length} resource(s) the ALB emulator does not model: ${ignored.join(', ')}`);
  return config;
}
