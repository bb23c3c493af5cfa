import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALB_LOAD_BALANCER_ATTRIBUTE_KEYS } from './aws-validation.ts';
import type { ImportedListener, ParsedConfiguration } from './model.ts';
import { iacError, isRecord, parseJsonText } from './source-text.ts';

/**
 * AWS CLI output: `describe-listeners` (required), `describe-listener-attributes`,
 * `describe-load-balancer-attributes` and `describe-trust-stores`, each the JSON the CLI prints, as one file or as the `*.json`
 * files of one directory. Attribute outputs carry no ARN: they apply to the listener chosen. The
 * trust store is an ARN whose bundle the output does not locate: `--trust-store FILE` supplies it.
 */

export function isDescribeListeners(doc: unknown): boolean {
  return isRecord(doc) && Array.isArray(doc.Listeners);
}

/** Whether an `{"Attributes": [...]}` output holds load-balancer attributes (else listener attributes). */
function isLoadBalancerAttributes(attributes: { Key?: string }[]): boolean {
  return attributes.some((a) => (ALB_LOAD_BALANCER_ATTRIBUTE_KEYS as readonly string[]).includes(String(a.Key)));
}

function keyValues(list: { Key?: string; Value?: string }[]): Record<string, string> {
  return Object.fromEntries(list.filter((a) => a.Key !== undefined).map((a) => [String(a.Key), String(a.Value ?? '')]));
}

export async function readAwsCliOutputs(paths: string[]): Promise<ParsedConfiguration> {
  const config: ParsedConfiguration = { format: 'aws-cli', source: paths.length === 1 ? paths[0]! : paths.join(', '), listeners: [], trustStores: [], uploads: [], notes: [] };
  const listenerAttributes: Record<string, string> = {};
  const loadBalancerAttributes: Record<string, string> = {};
  for (const path of paths) {
    const doc = parseJsonText(await readFile(path, 'utf8'), path);
    if (isDescribeListeners(doc)) {
      (doc as { Listeners: unknown[] }).Listeners.forEach((l, i) => {
        if (!isRecord(l)) throw iacError(path, `at /Listeners/${i}`, 'expected a listener object');
        const m = isRecord(l.MutualAuthentication) ? l.MutualAuthentication : undefined;
        config.listeners.push({
          id: String(l.ListenerArn ?? `listener-${i}`),
          protocol: l.Protocol === undefined ? undefined : String(l.Protocol),
          port: l.Port === undefined ? undefined : Number(l.Port),
          sslPolicy: l.SslPolicy === undefined ? undefined : String(l.SslPolicy),
          mutualAuthentication: m && {
            mode: m.Mode === undefined ? undefined : String(m.Mode),
            trustStore: m.TrustStoreArn === undefined ? undefined : String(m.TrustStoreArn),
            // describe-* reports IgnoreClientCertificateExpiry=false for every mode; only verify takes it.
            ignoreClientCertificateExpiry: m.Mode === 'verify' && typeof m.IgnoreClientCertificateExpiry === 'boolean' ? m.IgnoreClientCertificateExpiry : undefined,
            advertiseTrustStoreCaNames: m.Mode === 'verify' && m.AdvertiseTrustStoreCaNames !== undefined ? String(m.AdvertiseTrustStoreCaNames) : undefined,
          },
          listenerAttributes,
          loadBalancerAttributes,
          ...(l.LoadBalancerArn !== undefined ? { loadBalancer: String(l.LoadBalancerArn) } : {}),
          at: `${path} /Listeners/${i}`,
        } satisfies ImportedListener);
      });
    } else if (isRecord(doc) && Array.isArray(doc.TrustStores)) {
      // describe-trust-stores: names for the ARNs (the bundle's location is not in it).
      for (const t of doc.TrustStores as Record<string, unknown>[]) {
        const arn = String(t.TrustStoreArn ?? '');
        const name = t.Name === undefined ? undefined : String(t.Name);
        config.trustStores.push({ id: arn, refs: [arn, ...(name ? [name] : [])], ...(name ? { name } : {}), revocations: [], at: path });
      }
    } else if (isRecord(doc) && Array.isArray(doc.Attributes)) {
      const list = doc.Attributes as { Key?: string; Value?: string }[];
      Object.assign(isLoadBalancerAttributes(list) ? loadBalancerAttributes : listenerAttributes, keyValues(list));
    } else {
      config.notes.push(`ignored ${path}: neither describe-listeners nor describe-*-attributes output`);
    }
  }
  if (config.listeners.length === 0) throw iacError(config.source, '', 'no describe-listeners output (no "Listeners" list)', 'Save "aws elbv2 describe-listeners --load-balancer-arn ARN" beside the attribute outputs');
  return config;
}

/** The `*.json` files of a directory, sorted. */
export async function jsonFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}
