import { isAbsolute, resolve } from 'node:path';
import { ALB_LISTENER_ATTRIBUTE_KEYS } from './aws-validation.ts';
import type { ImportedListener, ImportedTargetGroup, ParsedConfiguration, S3Location, TargetGroupHealthCheckSetting } from './model.ts';
import { isRecord } from './source-text.ts';

/**
 * The AWS provider's resources, as the HCL reader and `terraform show -json` both give them (argument
 * names, nested blocks as lists), mapped onto the shared model.
 */

export interface TerraformResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
  /** Strings other resources use to refer to this one: `<aws_lb.main>` in HCL, the ARN in show -json. */
  refs: string[];
}

/** `aws_lb` arguments -> load-balancer attribute keys. */
const LB_ARGUMENTS: Readonly<Record<string, string>> = {
  idle_timeout: 'idle_timeout.timeout_seconds',
  enable_http2: 'routing.http2.enabled',
  drop_invalid_header_fields: 'routing.http.drop_invalid_header_fields.enabled',
  desync_mitigation_mode: 'routing.http.desync_mitigation_mode',
  enable_tls_version_and_cipher_suite_headers: 'routing.http.x_amzn_tls_version_and_cipher_suite.enabled',
  enable_xff_client_port: 'routing.http.xff_client_port.enabled',
  xff_header_processing_mode: 'routing.http.xff_header_processing.mode',
  preserve_host_header: 'routing.http.preserve_host_header.enabled',
  enable_deletion_protection: 'deletion_protection.enabled',
  enable_waf_fail_open: 'waf.fail_open.enabled',
  client_keep_alive: 'client_keep_alive.seconds',
};

/** `aws_lb_listener` arguments are the listener attribute keys with `.` written `_`. */
const LISTENER_ARGUMENTS: Readonly<Record<string, string>> = Object.fromEntries(ALB_LISTENER_ATTRIBUTE_KEYS.map((k) => [k.replaceAll('.', '_'), k]));

/** `aws_lb_target_group` `health_check` arguments -> the API's setting names. */
const HEALTH_CHECK_ARGUMENTS: Readonly<Record<string, TargetGroupHealthCheckSetting>> = {
  enabled: 'HealthCheckEnabled',
  protocol: 'HealthCheckProtocol',
  port: 'HealthCheckPort',
  path: 'HealthCheckPath',
  interval: 'HealthCheckIntervalSeconds',
  timeout: 'HealthCheckTimeoutSeconds',
  healthy_threshold: 'HealthyThresholdCount',
  unhealthy_threshold: 'UnhealthyThresholdCount',
  matcher: 'Matcher',
};

/**
 * The AWS provider's own defaults for `health_check`, which it sends to AWS in place of the API's
 * (5 healthy, 2 unhealthy): a block that leaves the thresholds out gets 3 and 3.
 */
const PROVIDER_HEALTH_CHECK_DEFAULTS: Partial<Record<TargetGroupHealthCheckSetting, string>> = {
  HealthyThresholdCount: '3',
  UnhealthyThresholdCount: '3',
};

const LB = ['arn', 'load_balancer_type', ...Object.keys(LB_ARGUMENTS)];
const LISTENER = ['protocol', 'port', 'ssl_policy', 'load_balancer_arn', 'mutual_authentication', 'default_action', ...Object.keys(LISTENER_ARGUMENTS)];
const TARGET_GROUP = ['arn', 'health_check'];
const S3_OBJECT = ['bucket', 'key', 'source'];
/** The arguments the importer reads, by resource type; every other type is noted and ignored. */
export const TERRAFORM_READ_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws_lb: LB,
  aws_alb: LB,
  aws_lb_listener: LISTENER,
  aws_alb_listener: LISTENER,
  aws_lb_target_group: TARGET_GROUP,
  aws_alb_target_group: TARGET_GROUP,
  aws_lb_trust_store: ['arn', 'name', 'name_prefix', 'ca_certificates_bundle_s3_bucket', 'ca_certificates_bundle_s3_key', 'ca_certificates_bundle_s3_object_version'],
  aws_lb_trust_store_revocation: ['trust_store_arn', 'revocations_s3_bucket', 'revocations_s3_key', 'revocations_s3_object_version'],
  aws_s3_object: S3_OBJECT,
  aws_s3_bucket_object: S3_OBJECT,
  aws_s3_bucket: ['bucket', 'bucket_prefix'],
};

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
const block = (v: unknown): Record<string, unknown> | undefined => (Array.isArray(v) ? (isRecord(v[0]) ? v[0] : undefined) : isRecord(v) ? v : undefined);
function bool(v: unknown): boolean | undefined {
  return v === undefined || v === null ? undefined : v === true || v === 'true';
}

function s3(bucket: unknown, key: unknown, version: unknown, at: string): S3Location | undefined {
  const b = str(bucket);
  const k = str(key);
  return b && k ? { bucket: b, key: k, ...(str(version) ? { version: str(version)! } : {}), at } : undefined;
}

const blocks = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? [v] : []);

/** The target group of the first forward `default_action`: `target_group_arn`, or the first `forward { target_group { arn } }`. */
function forwardedTargetGroup(actions: unknown): string | undefined {
  for (const action of blocks(actions)) {
    const arn = str(action.target_group_arn) ?? str(block(block(action.forward)?.target_group)?.arn);
    if (arn !== undefined) return arn;
  }
  return undefined;
}

function listenerOf(r: TerraformResource, balancers: TerraformResource[]): ImportedListener {
  const v = r.values;
  const m = block(v.mutual_authentication);
  const listenerAttributes: Record<string, string> = {};
  for (const [arg, key] of Object.entries(LISTENER_ARGUMENTS)) if (str(v[arg]) !== undefined) listenerAttributes[key] = String(v[arg]);
  const lb = balancers.find((b) => b.refs.includes(String(v.load_balancer_arn)));
  const loadBalancerAttributes: Record<string, string> = {};
  for (const [arg, key] of Object.entries(LB_ARGUMENTS)) if (lb && str(lb.values[arg]) !== undefined) loadBalancerAttributes[key] = String(lb.values[arg]);
  const mode = str(m?.mode);
  const targetGroup = forwardedTargetGroup(v.default_action);
  return {
    id: r.address,
    protocol: str(v.protocol),
    port: v.port === undefined || v.port === null ? undefined : Number(v.port),
    sslPolicy: str(v.ssl_policy),
    mutualAuthentication: m
      ? {
          mode,
          trustStore: str(m.trust_store_arn),
          // The provider leaves ignore_client_certificate_expiry out for passthrough; state shows it as false.
          ignoreClientCertificateExpiry: mode === 'verify' ? bool(m.ignore_client_certificate_expiry) : m.ignore_client_certificate_expiry === true ? true : undefined,
          advertiseTrustStoreCaNames: str(m.advertise_trust_store_ca_names),
        }
      : undefined,
    listenerAttributes,
    loadBalancerAttributes,
    ...(targetGroup !== undefined ? { targetGroup } : {}),
    ...(lb ? { loadBalancer: lb.address } : str(v.load_balancer_arn) !== undefined ? { loadBalancer: String(v.load_balancer_arn) } : {}),
    at: r.address,
  };
}

/** Maps the resources of one configuration onto the shared model. `baseDir` resolves `aws_s3_object.source`. */
export function terraformModel(resources: TerraformResource[], format: 'terraform' | 'terraform-show-json', source: string, baseDir: string): ParsedConfiguration {
  const config: ParsedConfiguration = { format, source, listeners: [], trustStores: [], uploads: [], notes: [] };
  const byType = (...types: string[]) => resources.filter((r) => types.includes(r.type));
  const balancers = byType('aws_lb', 'aws_alb');
  for (const lb of balancers) {
    const kind = str(lb.values.load_balancer_type);
    if (kind && kind !== 'application') config.notes.push(`${lb.address} is a ${kind} load balancer; only application load balancers are emulated`);
  }
  config.listeners = byType('aws_lb_listener', 'aws_alb_listener').map((r) => listenerOf(r, balancers));
  config.targetGroups = byType('aws_lb_target_group', 'aws_alb_target_group').map((r): ImportedTargetGroup => {
    const check = block(r.values.health_check) ?? {};
    const healthCheck: ImportedTargetGroup['healthCheck'] = {};
    for (const [arg, key] of Object.entries(HEALTH_CHECK_ARGUMENTS)) if (str(check[arg]) !== undefined) healthCheck[key] = String(check[arg]);
    // Only a block that sets something is emulated (see healthCheckOf); it then has the provider's thresholds.
    return { id: r.address, refs: r.refs, healthCheck: Object.keys(healthCheck).length > 0 ? { ...PROVIDER_HEALTH_CHECK_DEFAULTS, ...healthCheck } : healthCheck, at: r.address };
  });
  for (const r of byType('aws_lb_trust_store')) {
    const v = r.values;
    const name = str(v.name);
    if (name === undefined && str(v.name_prefix)) config.notes.push(`${r.address}: its name is generated from name_prefix '${String(v.name_prefix)}' at apply`);
    config.trustStores.push({
      id: r.address,
      refs: [...r.refs, ...(name ? [name] : [])],
      ...(name ? { name } : {}),
      bundle: s3(v.ca_certificates_bundle_s3_bucket, v.ca_certificates_bundle_s3_key, v.ca_certificates_bundle_s3_object_version, r.address),
      revocations: [],
      at: r.address,
    });
  }
  for (const r of byType('aws_lb_trust_store_revocation')) {
    const v = r.values;
    const store = config.trustStores.find((s) => s.refs.includes(String(v.trust_store_arn)));
    const loc = s3(v.revocations_s3_bucket, v.revocations_s3_key, v.revocations_s3_object_version, r.address);
    if (store && loc) store.revocations.push(loc);
    else config.notes.push(`${r.address} names trust store ${String(v.trust_store_arn)}, which is not defined here; ignored`);
  }
  for (const r of byType('aws_s3_object', 'aws_s3_bucket_object')) {
    const { bucket, key, source: file } = r.values;
    if (str(bucket) && str(key) && str(file)) {
      config.uploads.push({ bucket: String(bucket), key: String(key), path: isAbsolute(String(file)) ? String(file) : resolve(baseDir, String(file)) });
    } else if (str(bucket) && str(key)) {
      config.notes.push(`${r.address} has no source file; supply s3://${String(bucket)}/${String(key)} with --s3 or --s3-root if the listener needs it`);
    }
  }
  const ignored = resources.filter((r) => !(r.type in TERRAFORM_READ_ARGUMENTS)).map((r) => r.address);
  if (ignored.length > 0) config.notes.push(`ignored ${ignored.length} resource(s) the ALB emulator does not model: ${ignored.join(', ')}`);
  return config;
}
