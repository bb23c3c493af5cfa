import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { Pki } from '../certs/pki/types.ts';
import { splitPemBlocks } from '../certs/x509/pem.ts';
import type { AccessLogEntry } from '../harness/alb/types.ts';
import { http2Request } from './http2-client.ts';
import { summarizeCertificate } from './trace.ts';
import type { Scenario, ScenarioTrace, TlsVersion, TraceStep } from './types.ts';

/** What the caller got: a status and body, or the error that ended its connection. */
export interface CallerResponse {
  status: number | null;
  body: string;
  error?: string;
}

const DEFAULT_PATH = '/api/orders';

/** The scenario's certificate (`variant`) as an HTTP/2 client presents it, TLS version pinned as the gateway's is. */
function clientContext(scenario: Scenario, pki: Pki, version: TlsVersion): tls.SecureContext {
  const client = pki.clients[scenario.variant!];
  const pinned = `TLSv${version}` as const;
  return tls.createSecureContext({ cert: client.chainPem, key: client.keyPem, ca: pki.root.certPem, minVersion: pinned, maxVersion: pinned });
}

/** `caller: 'h2-client'`: one request over HTTP/2 straight to the ALB, verifying it as curl --http2 does. */
export async function callOverHttp2(albPort: number, scenario: Scenario, pki: Pki, version: TlsVersion): Promise<CallerResponse> {
  const request = scenario.request;
  try {
    const res = await http2Request('127.0.0.1', albPort, {
      secureContext: clientContext(scenario, pki, version),
      method: request?.method ?? 'GET',
      path: request?.path ?? DEFAULT_PATH,
      ...(request?.headers ? { headers: request.headers } : {}),
    });
    return { status: res.status, body: res.body };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { status: null, body: '', error: `${e.code ?? ''} ${e.message}`.trim() };
  }
}

/** An answered HTTP/2 request must be in the ALB's access log as type `h2`. */
export function http2CallerMismatches(accessLog: readonly AccessLogEntry[], response: CallerResponse): string[] {
  if (response.status === null) return [];
  const types = accessLog.map((e) => e.fields.type);
  return types.includes('h2') ? [] : [`caller h2-client: expected an access-log line of type h2, got ${types.length ? types.join(', ') : 'none'}`];
}

/**
 * The trace of a direct HTTP/2 caller: the ALB's own steps (verdict, target) as buildTrace drew
 * them, between the client's handshake and the ALB's answer; the gateway's steps do not apply.
 */
export function http2CallerTrace(trace: ScenarioTrace, scenario: Scenario, pki: Pki, version: TlsVersion, handshaken: boolean, response: CallerResponse): ScenarioTrace {
  const client = pki.clients[scenario.variant!];
  const albSteps = trace.steps.filter((s) => s.from !== 'client' && s.from !== 'gateway' && s.to !== 'gateway');
  const handshake: TraceStep = {
    from: 'client',
    to: 'alb',
    label: `HTTP/2 client (ALPN h2), TLSv${version} handshake, client certificate ${client.facts.subject}`,
    outcome: handshaken ? 'ok' : 'failed',
  };
  const answer: TraceStep = {
    from: 'alb',
    to: 'client',
    label: response.status === null ? `no response (${response.error ?? 'unknown error'})` : `HTTP/2 ${response.status}`,
    outcome: response.status === null ? 'failed' : 'ok',
  };
  return {
    ...trace,
    steps: [handshake, ...albSteps, answer],
    presentedChain: splitPemBlocks(client.chainPem).map((block) => summarizeCertificate(new X509Certificate(block.der))),
    certificateName: null,
  };
}
