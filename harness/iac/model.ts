/**
 * The one model every reader produces: the listeners of a configuration, its trust stores and
 * revocations, the load-balancer attributes, and the S3 objects the configuration itself uploads from
 * local files. Values are as AWS names them; references are already resolved to strings.
 */

/** The formats `importAlbConfig` reads. */
export const IAC_FORMATS = ['cloudformation', 'cdk', 'terraform', 'terraform-show-json', 'kubernetes-ingress', 'aws-cli'] as const;
export type IacFormat = (typeof IAC_FORMATS)[number];

/** An S3 object named by the configuration. `bucket` may be a placeholder such as `<aws_s3_bucket.ca>` for a name known only after deploy. */
export interface S3Location {
  bucket: string;
  key: string;
  version?: string;
  /** Where the configuration names it: a JSON pointer or resource address, for messages. */
  at: string;
}

/** An object the configuration uploads from a local file (Terraform `aws_s3_object.source`, a CDK asset). */
export interface S3Upload {
  bucket: string;
  key: string;
  path: string;
}

export interface ImportedMutualAuthentication {
  mode?: string;
  /** The trust store reference exactly as resolved (an ARN, a name, or a resource reference). */
  trustStore?: string;
  ignoreClientCertificateExpiry?: boolean;
  advertiseTrustStoreCaNames?: string;
}

export interface ImportedListener {
  /** Logical ID, resource address, ARN or `namespace/ingress:port`: what `--listener` matches. */
  id: string;
  protocol?: string;
  port?: number;
  sslPolicy?: string;
  mutualAuthentication?: ImportedMutualAuthentication;
  listenerAttributes: Record<string, string>;
  loadBalancerAttributes: Record<string, string>;
  /** The target group its default action forwards to (a reference, as resolved), when it says. */
  targetGroup?: string;
  /** The load balancer it belongs to, as the configuration names it (logical ID, address, ARN, Ingress group), when it says. */
  loadBalancer?: string;
  /** Where the listener is defined, for messages. */
  at: string;
}

export interface ImportedTrustStore {
  id: string;
  /** Every string that refers to this trust store in the configuration (ARN, name, reference tokens). */
  refs: string[];
  name?: string;
  /** Where its CA bundle lives; absent when the format does not say (Ingress, describe-* output). */
  bundle?: S3Location;
  revocations: S3Location[];
  at: string;
}

/**
 * A target group's health check settings, by AWS's names, as the configuration gives them (values
 * resolved to strings; settings left out are absent).
 */
export const TARGET_GROUP_HEALTH_CHECK_SETTINGS = [
  'HealthCheckEnabled',
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Matcher',
] as const;
export type TargetGroupHealthCheckSetting = (typeof TARGET_GROUP_HEALTH_CHECK_SETTINGS)[number];

export interface ImportedTargetGroup {
  id: string;
  /** Every string that refers to it (reference tokens, ARN). */
  refs: string[];
  healthCheck: Partial<Record<TargetGroupHealthCheckSetting, string>>;
  at: string;
}

/** What one reader found in one file or directory. */
export interface ParsedConfiguration {
  format: IacFormat;
  source: string;
  listeners: ImportedListener[];
  trustStores: ImportedTrustStore[];
  /** Target groups with their health checks (CloudFormation, CDK, Terraform, a Kubernetes Ingress's annotations); the AWS CLI reader has none. */
  targetGroups?: ImportedTargetGroup[];
  uploads: S3Upload[];
  /** Things ignored or assumed, each one sentence (e.g. "ignored resource Bucket (AWS::S3::BucketPolicy)"). */
  notes: string[];
  /** For YAML sources: the line of the value at a JSON pointer, so messages can name it. */
  lineOf?: (pointer: string) => number | undefined;
}
