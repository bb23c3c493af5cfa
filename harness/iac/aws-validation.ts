/**
 * The Elastic Load Balancing API's own checks on a listener's mutual TLS settings, trust-store name,
 * security policy and attribute keys, with AWS's messages where they are public. The importer and
 * `startAlb` both call these, so a configuration the real API refuses is refused here too.
 *
 * Each check returns the problem as one sentence (AWS's words first), or null; the caller prefixes
 * where it found the value (a file and path, or an option name).
 */

/** `MutualAuthentication.Mode`. */
export const MUTUAL_AUTHENTICATION_MODES = ['off', 'passthrough', 'verify'] as const;

/** Listener attributes an Application Load Balancer has (ListenerAttribute in the ELB API reference). */
export const ALB_LISTENER_ATTRIBUTE_KEYS = [
  'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name',
  'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name',
  'routing.http.request.x_amzn_mtls_clientcert_subject.header_name',
  'routing.http.request.x_amzn_mtls_clientcert_validity.header_name',
  'routing.http.request.x_amzn_mtls_clientcert_leaf.header_name',
  'routing.http.request.x_amzn_mtls_clientcert.header_name',
  'routing.http.request.x_amzn_tls_version.header_name',
  'routing.http.request.x_amzn_tls_cipher_suite.header_name',
  'routing.http.response.server.enabled',
  'routing.http.response.strict_transport_security.header_value',
  'routing.http.response.access_control_allow_origin.header_value',
  'routing.http.response.access_control_allow_methods.header_value',
  'routing.http.response.access_control_allow_headers.header_value',
  'routing.http.response.access_control_allow_credentials.header_value',
  'routing.http.response.access_control_expose_headers.header_value',
  'routing.http.response.access_control_max_age.header_value',
  'routing.http.response.content_security_policy.header_value',
  'routing.http.response.x_content_type_options.header_value',
  'routing.http.response.x_frame_options.header_value',
] as const;

/** Load-balancer attributes an Application Load Balancer has (LoadBalancerAttribute in the ELB API reference). */
export const ALB_LOAD_BALANCER_ATTRIBUTE_KEYS = [
  'access_logs.s3.enabled',
  'access_logs.s3.bucket',
  'access_logs.s3.prefix',
  'connection_logs.s3.enabled',
  'connection_logs.s3.bucket',
  'connection_logs.s3.prefix',
  'health_check_logs.s3.enabled',
  'health_check_logs.s3.bucket',
  'health_check_logs.s3.prefix',
  'client_keep_alive.seconds',
  'deletion_protection.enabled',
  'idle_timeout.timeout_seconds',
  'ipv6.deny_all_igw_traffic',
  'load_balancing.cross_zone.enabled',
  'routing.http.desync_mitigation_mode',
  'routing.http.drop_invalid_header_fields.enabled',
  'routing.http.preserve_host_header.enabled',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled',
  'routing.http.xff_client_port.enabled',
  'routing.http.xff_header_processing.mode',
  'routing.http2.enabled',
  'waf.fail_open.enabled',
  'zonal_shift.config.enabled',
] as const;

/**
 * AWS's default values of the load-balancer attributes that have one. `describe-load-balancer-attributes`
 * and Terraform state list every attribute, set or not; a default value says nothing the user chose.
 */
export const ALB_LOAD_BALANCER_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  'access_logs.s3.enabled': 'false',
  'connection_logs.s3.enabled': 'false',
  'health_check_logs.s3.enabled': 'false',
  'client_keep_alive.seconds': '3600',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.preserve_host_header.enabled': 'false',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http2.enabled': 'true',
  'waf.fail_open.enabled': 'false',
  'zonal_shift.config.enabled': 'false',
};

/**
 * Security policies AWS offers that the emulator does not model, with the modelled policy closest to
 * each (same protocol versions; the post-quantum key exchange and FIPS ciphers are not emulated).
 */
export const NEAREST_MODELLED_POLICY: Readonly<Record<string, string>> = {
  'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09': 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-PQ-2025-09': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-PQ-2025-09': 'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS-1-2-2017-01': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS-1-2-Ext-2018-06': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-FS-1-2-Res-2020-10': 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-FS-1-2-Res-2019-08': 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
};

/** CreateTrustStore `Name`: 1-32 characters, letters and digits in groups joined by single hyphens. */
export const TRUST_STORE_NAME_PATTERN = /^([a-zA-Z0-9]+-)*[a-zA-Z0-9]+$/;
export const TRUST_STORE_NAME_MAX_LENGTH = 32;

/** The mutual-authentication fields as the API receives them; `undefined` = not sent. */
export interface MutualAuthenticationInput {
  mode?: string;
  trustStore?: unknown;
  ignoreClientCertificateExpiry?: boolean;
  advertiseTrustStoreCaNames?: string;
}

/**
 * The API's combination rules. AWS's public messages: passthrough with `IgnoreClientCertificateExpiry`
 * (even `false`: the Terraform provider once sent `false` and got this error) is "Mutual Authentication
 * mode passthrough does not support ignoring certificate expiry"; `off` with any other field is "Invalid
 * Attribute Combination". A trust store or `AdvertiseTrustStoreCaNames` with passthrough has no public
 * message: ours follows the same wording.
 */
export function mutualAuthenticationProblem(input: MutualAuthenticationInput): string | null {
  const mode = input.mode ?? 'off';
  if (!(MUTUAL_AUTHENTICATION_MODES as readonly string[]).includes(mode)) {
    return `Mode '${mode}' is not valid; use one of ${MUTUAL_AUTHENTICATION_MODES.join(', ')}`;
  }
  const others = [
    input.trustStore !== undefined ? 'TrustStoreArn' : null,
    input.ignoreClientCertificateExpiry !== undefined ? 'IgnoreClientCertificateExpiry' : null,
    input.advertiseTrustStoreCaNames !== undefined ? 'AdvertiseTrustStoreCaNames' : null,
  ].filter((x): x is string => x !== null);
  if (mode === 'off' && others.length > 0) {
    return `Invalid Attribute Combination: mode off takes no other mutual-authentication field (remove ${others.join(', ')})`;
  }
  if (mode === 'passthrough') {
    if (input.ignoreClientCertificateExpiry !== undefined) {
      return 'Mutual Authentication mode passthrough does not support ignoring certificate expiry (remove IgnoreClientCertificateExpiry)';
    }
    if (input.trustStore !== undefined) return 'Mutual Authentication mode passthrough does not support a trust store (remove TrustStoreArn, or use mode verify)';
    if (input.advertiseTrustStoreCaNames !== undefined) {
      return 'Mutual Authentication mode passthrough does not support advertising trust store CA names (remove AdvertiseTrustStoreCaNames)';
    }
  }
  if (mode === 'verify' && input.trustStore === undefined) return 'Mutual Authentication mode verify requires a trust store (set TrustStoreArn)';
  if (input.advertiseTrustStoreCaNames !== undefined && !['on', 'off'].includes(input.advertiseTrustStoreCaNames)) {
    return `AdvertiseTrustStoreCaNames '${input.advertiseTrustStoreCaNames}' is not valid; use on or off`;
  }
  return null;
}

/** CreateTrustStore's `Name` constraints, in the API's standard validation wording. */
export function trustStoreNameProblem(name: string): string | null {
  if (name.length < 1 || name.length > TRUST_STORE_NAME_MAX_LENGTH) {
    return `Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and ${TRUST_STORE_NAME_MAX_LENGTH}`;
  }
  if (!TRUST_STORE_NAME_PATTERN.test(name)) {
    return `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TRUST_STORE_NAME_PATTERN.source}`;
  }
  return null;
}

/** `SSLPolicyNotFound` for a name that is neither modelled nor a known AWS policy. */
export function sslPolicyProblem(name: string, modelled: readonly string[]): string | null {
  if (modelled.includes(name)) return null;
  const nearest = NEAREST_MODELLED_POLICY[name];
  if (nearest) return `security policy '${name}' exists in AWS but is not emulated; the nearest emulated policy is '${nearest}'`;
  return `SSLPolicyNotFound: The specified SSL policy does not exist ('${name}'); the emulator knows ${modelled.join(', ')}`;
}

/**
 * Whether an attribute key exists on an ALB at all. AWS's wording for load-balancer attributes is
 * "Load balancer attribute key '<key>' is not recognized"; the listener form follows it.
 */
export function attributeKeyProblem(key: string, kind: 'listener' | 'load balancer' | 'either'): string | null {
  const listener = (ALB_LISTENER_ATTRIBUTE_KEYS as readonly string[]).includes(key);
  const lb = (ALB_LOAD_BALANCER_ATTRIBUTE_KEYS as readonly string[]).includes(key);
  if (kind === 'listener' && !listener) return `Listener attribute key '${key}' is not recognized${lb ? ' (it is a load-balancer attribute)' : ''}`;
  if (kind === 'load balancer' && !lb) return `Load balancer attribute key '${key}' is not recognized${listener ? ' (it is a listener attribute)' : ''}`;
  if (kind === 'either' && !listener && !lb) return `Attribute key '${key}' is not recognized: it is neither an ALB listener attribute nor an ALB load-balancer attribute`;
  return null;
}
