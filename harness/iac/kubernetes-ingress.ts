import type { ImportedListener, ImportedTargetGroup, ParsedConfiguration, TargetGroupHealthCheckSetting } from './model.ts';
import { iacError, isRecord } from './source-text.ts';

/**
 * A Kubernetes Ingress for the AWS Load Balancer Controller: `listen-ports`, `ssl-policy`,
 * `mutual-authentication` (JSON, one entry per port), `load-balancer-attributes` and
 * `listener-attributes.PROTOCOL-PORT` (k1=v1,k2=v2). The trust store is an ARN or name whose bundle the
 * Ingress does not locate: `--trust-store FILE` supplies it.
 */

const PREFIX = 'alb.ingress.kubernetes.io/';
/** The controller's default policy when `ssl-policy` is absent. */
const CONTROLLER_DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

export function isIngress(doc: unknown): boolean {
  return isRecord(doc) && doc.kind === 'Ingress';
}

function json(text: string, file: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw iacError(file, where, `not valid JSON (${(err as Error).message.replace(/ in JSON at position.*/, '')})`, 'Annotation values of this kind are JSON text');
  }
}

/** `k1=v1,k2=v2` (a value may itself hold `=`; entries split on `,` followed by a key). */
function stringMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/,(?=\s*[\w.-]+=)/)) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The controller's health check annotations -> the API's setting names. */
const HEALTH_CHECK_ANNOTATIONS: Readonly<Record<string, TargetGroupHealthCheckSetting>> = {
  'healthcheck-protocol': 'HealthCheckProtocol',
  'healthcheck-port': 'HealthCheckPort',
  'healthcheck-path': 'HealthCheckPath',
  'healthcheck-interval-seconds': 'HealthCheckIntervalSeconds',
  'healthcheck-timeout-seconds': 'HealthCheckTimeoutSeconds',
  'healthy-threshold-count': 'HealthyThresholdCount',
  'unhealthy-threshold-count': 'UnhealthyThresholdCount',
  'success-codes': 'Matcher',
};

/** What the controller sets when an annotation is absent, where it differs from the API's defaults. */
const CONTROLLER_HEALTH_CHECK_DEFAULTS: Partial<Record<TargetGroupHealthCheckSetting, string>> = {
  HealthCheckIntervalSeconds: '15',
  HealthyThresholdCount: '2',
  UnhealthyThresholdCount: '2',
};

/**
 * The target group the controller makes for the Ingress's backends, when its annotations set a health
 * check (only then is one emulated, as for the other formats), with the controller's defaults.
 */
function ingressTargetGroup(name: string, get: (key: string) => string | undefined, at: string): ImportedTargetGroup | undefined {
  const healthCheck: ImportedTargetGroup['healthCheck'] = {};
  for (const [annotation, key] of Object.entries(HEALTH_CHECK_ANNOTATIONS)) {
    const value = get(annotation);
    if (value !== undefined) healthCheck[key] = value;
  }
  if (Object.keys(healthCheck).length === 0) return undefined;
  return { id: `Ingress ${name}`, refs: [`Ingress ${name}`], healthCheck: { ...CONTROLLER_HEALTH_CHECK_DEFAULTS, ...healthCheck }, at };
}

interface MutualAuthenticationEntry {
  port?: number;
  mode?: string;
  trustStore?: string;
  ignoreClientCertificateExpiry?: boolean;
  advertiseTrustStoreCaNames?: string;
}

function ingressListeners(doc: Record<string, unknown>, index: number, file: string): { listeners: ImportedListener[]; targetGroup: ImportedTargetGroup | undefined } {
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  const name = `${String(meta.namespace ?? 'default')}/${String(meta.name ?? `ingress-${index}`)}`;
  const annotations = (isRecord(meta.annotations) ? meta.annotations : {}) as Record<string, unknown>;
  const at = (key: string) => `document ${index + 1} metadata.annotations["${PREFIX}${key}"]`;
  const get = (key: string) => (annotations[PREFIX + key] === undefined ? undefined : String(annotations[PREFIX + key]));
  const listenPorts = get('listen-ports');
  const ports = listenPorts === undefined ? [{ [get('certificate-arn') ? 'HTTPS' : 'HTTP']: get('certificate-arn') ? 443 : 80 }] : json(listenPorts, file, at('listen-ports'));
  if (!Array.isArray(ports)) throw iacError(file, at('listen-ports'), 'expected a JSON list such as [{"HTTPS": 443}]');
  const mutualText = get('mutual-authentication');
  const mutual = mutualText === undefined ? [] : json(mutualText, file, at('mutual-authentication'));
  if (!Array.isArray(mutual)) throw iacError(file, at('mutual-authentication'), 'expected a JSON list such as [{"port": 443, "mode": "verify", "trustStore": "arn:..."}]');
  const lbAttributes = stringMap(get('load-balancer-attributes') ?? '');
  // Ingresses of one IngressGroup share a load balancer; any other Ingress has its own.
  const group = get('group.name');
  const loadBalancer = group === undefined ? `Ingress ${name}` : `IngressGroup ${group}`;
  const targetGroup = ingressTargetGroup(name, get, `document ${index + 1} (Ingress ${name})`);
  const listeners = ports.flatMap((entry) =>
    Object.entries(isRecord(entry) ? entry : {}).map(([protocol, port]) => {
      const m = (mutual as MutualAuthenticationEntry[]).find((x) => Number(x.port) === Number(port));
      return {
        id: `${name}:${String(port)}`,
        protocol: protocol.toUpperCase(),
        port: Number(port),
        sslPolicy: protocol.toUpperCase() === 'HTTPS' ? (get('ssl-policy') ?? CONTROLLER_DEFAULT_SSL_POLICY) : undefined,
        mutualAuthentication: m
          ? {
              mode: m.mode,
              trustStore: m.trustStore,
              ignoreClientCertificateExpiry: m.ignoreClientCertificateExpiry,
              advertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames,
            }
          : undefined,
        listenerAttributes: stringMap(get(`listener-attributes.${protocol.toUpperCase()}-${String(port)}`) ?? ''),
        loadBalancerAttributes: lbAttributes,
        loadBalancer,
        ...(targetGroup ? { targetGroup: targetGroup.refs[0]! } : {}),
        at: `document ${index + 1} (Ingress ${name})`,
      } satisfies ImportedListener;
    }),
  );
  return { listeners, targetGroup };
}

/** Reads every Ingress of a YAML stream; other kinds are noted and ignored. */
export function readIngress(docs: unknown[], file: string): ParsedConfiguration {
  const config: ParsedConfiguration = { format: 'kubernetes-ingress', source: file, listeners: [], trustStores: [], uploads: [], notes: [] };
  docs.forEach((doc, i) => {
    if (!isIngress(doc)) {
      if (isRecord(doc)) config.notes.push(`ignored document ${i + 1} (kind ${String(doc.kind ?? 'unknown')})`);
      return;
    }
    const { listeners, targetGroup } = ingressListeners(doc as Record<string, unknown>, i, file);
    if (targetGroup) (config.targetGroups ??= []).push(targetGroup);
    for (const listener of listeners) {
      // The Ingresses of one group share each port's listener: the first one found defines it here.
      const same = config.listeners.find((l) => l.loadBalancer === listener.loadBalancer && l.protocol === listener.protocol && l.port === listener.port);
      if (same) config.notes.push(`${listener.id} shares the ${listener.protocol} ${listener.port} listener of ${same.id} (${listener.loadBalancer}); that one's settings are used`);
      else config.listeners.push(listener);
    }
  });
  return config;
}
