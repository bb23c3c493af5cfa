import type { ClientVariantId } from '../../certs/pki/types.ts';
import type { ExpectedHeaderValue } from '../types.ts';

/** The certificate name used when a scenario gives only `variant` (a valid JS identifier, as Zuplo asks). */
export const CERT_NAME = 'alb_cert';

/** The five headers an ALB in verify mode adds (lower-case, as targets see them). */
export const VERIFY_HEADERS = [
  'x-amzn-mtls-clientcert-serial-number',
  'x-amzn-mtls-clientcert-issuer',
  'x-amzn-mtls-clientcert-subject',
  'x-amzn-mtls-clientcert-validity',
  'x-amzn-mtls-clientcert-leaf',
] as const;

/** The one header an ALB in passthrough mode adds: the presented chain, URL-encoded. */
export const PASSTHROUGH_HEADER = 'x-amzn-mtls-clientcert';

export const ALL_MTLS_HEADERS = [...VERIFY_HEADERS, PASSTHROUGH_HEADER];

/** The five verify-mode headers with the values the given client certificate must produce. */
export function verifyHeadersOf(variant: ClientVariantId): Record<string, ExpectedHeaderValue> {
  return {
    'x-amzn-mtls-clientcert-serial-number': { fact: 'serialNumber', variant },
    'x-amzn-mtls-clientcert-issuer': { fact: 'issuer', variant },
    'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant },
    'x-amzn-mtls-clientcert-validity': { fact: 'validity', variant },
    'x-amzn-mtls-clientcert-leaf': { fact: 'leaf', variant },
  };
}

/** The ALB checks a verify-mode client certificate, then a URL Forward Handler presents `alb_cert`. */
export const VERIFY_ALB = { mode: 'verify' } as const;
export const FORWARD_WITH_CERT = { handler: 'url-forward', mtlsCertificate: CERT_NAME } as const;
