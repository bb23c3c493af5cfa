import type { SecureVersion } from 'node:tls';
import { UserError } from '../errors.ts';
import type { SslPolicyName } from './types.ts';

/** What a security policy means to Node's TLS server. */
export interface SslPolicy {
  name: SslPolicyName;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** TLS 1.3 suite names (IANA, as OpenSSL names them). */
  tls13Suites: readonly string[];
  /** TLS 1.0-1.2 ciphers, OpenSSL names, in the policy's (server-preferred) order. */
  tls12Ciphers: readonly string[];
}

const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

const TLS13_1_2_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
] as const;

// The 18 suites of ELBSecurityPolicy-2016-08 (describe-ssl-policies), in AWS's order.
const POLICY_2016_08_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES128-SHA256',
  'AES128-SHA',
  'AES256-GCM-SHA384',
  'AES256-SHA256',
  'AES256-SHA',
] as const;

/** The four ALB security policies the emulator knows (describe-ssl-policies; cross-checked with moto). */
export const SSL_POLICIES: Readonly<Record<SslPolicyName, SslPolicy>> = {
  'ELBSecurityPolicy-TLS13-1-2-2021-06': {
    name: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    tls13Suites: TLS13_SUITES,
    tls12Ciphers: TLS13_1_2_CIPHERS,
  },
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06': {
    name: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    tls13Suites: TLS13_SUITES,
    tls12Ciphers: TLS13_1_2_CIPHERS.filter((c) => c.includes('GCM')),
  },
  'ELBSecurityPolicy-TLS13-1-3-2021-06': {
    name: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    tls13Suites: TLS13_SUITES,
    tls12Ciphers: [],
  },
  'ELBSecurityPolicy-2016-08': {
    name: 'ELBSecurityPolicy-2016-08',
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.2',
    tls13Suites: [],
    tls12Ciphers: POLICY_2016_08_CIPHERS,
  },
};

/** The policy used when `sslPolicy` is not given. */
export const DEFAULT_SSL_POLICY: SslPolicyName = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Looks a policy up by name; an unknown name is a UserError listing the known ones. */
export function resolveSslPolicy(name: string | undefined): SslPolicy {
  const policy = SSL_POLICIES[(name ?? DEFAULT_SSL_POLICY) as SslPolicyName];
  if (!policy) {
    throw new UserError(
      'HARNESS_ERR_ALB_CONFIG',
      `startAlb: sslPolicy '${name}' is not a policy the emulator knows; use one of ${Object.keys(SSL_POLICIES).join(', ')}`,
    );
  }
  return policy;
}

/**
 * Node's `ciphers` string for a policy. Node routes `TLS_*` names to TLS 1.3 ciphersuites and the rest to
 * the TLS 1.2 cipher list. Policies that allow TLS 1.0/1.1 need OpenSSL security level 0 (SHA-1 in the
 * handshake), as ALB's legacy policies do.
 */
export function nodeCipherString(policy: SslPolicy): string {
  const parts = [...policy.tls13Suites, ...policy.tls12Ciphers];
  if (policy.minVersion === 'TLSv1' || policy.minVersion === 'TLSv1.1') parts.push('@SECLEVEL=0');
  return parts.join(':');
}
