import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import { validateAttributes } from '../alb/options.ts';
import { SSL_POLICIES } from '../alb/policies.ts';
import { loadTrustStore } from '../alb/trust-store.ts';
import { resolveHealthCheck } from '../alb/health-checks.ts';
import type { HealthCheckOptions, MutualAuthenticationMode, SslPolicyName, TrustStoreOptions } from '../alb/types.ts';
import { ALB_LOAD_BALANCER_ATTRIBUTE_DEFAULTS, attributeKeyProblem, mutualAuthenticationProblem, NEAREST_MODELLED_POLICY, sslPolicyProblem, trustStoreNameProblem } from './aws-validation.ts';
import type { ImportedListener, ImportedTrustStore, ParsedConfiguration } from './model.ts';
import { readS3Object, type S3Sources } from './s3-objects.ts';
import { awsRejects, iacError, locate } from './source-text.ts';
import { MAX_VERIFY_LISTENERS, verifyQuotaProblem } from '../alb/verify-quota.ts';
import type { ImportAlbConfigOptions, ImportedAlbConfig, ImportedListenerConfig, ImportedLoadBalancerConfig } from './types.ts';

/**
 * Imports the user's real ALB configuration: reads the file in whichever format it is, picks the HTTPS
 * listener, applies the ELB API's validation, reads the trust store's S3 objects from local files, and
 * returns `startAlb` options with a record of what they came from.
 *
 * ```ts
 * const imported = await importAlbConfig({ from: 'template.yaml', s3Root: './s3' });
 * await using alb = await startAlb({ ...imported.albOptions, certificate, targets: [target.url] });
 * ```
 * A load balancer with several HTTPS listeners needs `listener` (one of them) or
 * `importLoadBalancerConfig` (all of them). Every problem is a UserError (`HARNESS_ERR_IAC`, or
 * `HARNESS_ERR_ALB_CONFIG` for what AWS itself rejects) naming the file, the line or JSON pointer, and the fix.
 */
export async function importAlbConfig(options: ImportAlbConfigOptions): Promise<ImportedAlbConfig> {
  return asSingleListener(await importListeners(options, 'one'));
}

/** A load balancer imported with exactly one listener, in `importAlbConfig`'s form (its attributes merged over the load balancer's). */
export function asSingleListener(imported: ImportedLoadBalancerConfig): ImportedAlbConfig {
  const only = imported.listeners[0]!;
  const { sslPolicy, mutualAuthentication, attributes } = only.options;
  return {
    format: imported.format,
    source: imported.source,
    listener: only.listener,
    albOptions: {
      ...(sslPolicy ? { sslPolicy } : {}),
      mutualAuthentication,
      attributes: { ...imported.loadBalancerOptions.attributes, ...attributes },
      ...(imported.loadBalancerOptions.healthCheck ? { healthCheck: imported.loadBalancerOptions.healthCheck } : {}),
    },
    ...(only.trustStore ? { trustStore: only.trustStore } : {}),
    notes: imported.notes,
  };
}

/**
 * Imports every HTTPS listener of one load balancer (or the one `listener` names) as
 * `startAlb({ listeners })` options: each listener's mode, trust store, security policy and listener
 * attributes (its configured port is shown in `listeners[i].listener`, not bound), the load-balancer
 * attributes and the target group's health check shared. AWS's quota of 2 verify listeners per
 * load balancer is checked here, as AWS checks it when the listeners are created.
 *
 * ```ts
 * const imported = await importLoadBalancerConfig({ from: 'template.yaml', s3Root: './s3' });
 * await using alb = await startAlb({ ...imported.loadBalancerOptions, certificate, targets: [target.url] });
 * ```
 */
export async function importLoadBalancerConfig(options: ImportAlbConfigOptions): Promise<ImportedLoadBalancerConfig> {
  return importListeners(options, 'all');
}

async function importListeners(options: ImportAlbConfigOptions, want: 'one' | 'all'): Promise<ImportedLoadBalancerConfig> {
  const from = resolve(options.from);
  // The readers (and the yaml and HCL parsers behind them) load only when something is imported.
  const { readConfiguration } = await import('./read-configuration.ts');
  const config = await readConfiguration(from, options.vars ?? {});
  const notes = [...config.notes];
  const { loadBalancer, siblings, chosen } = selectListeners(config, options, want);
  checkVerifyQuota(config, siblings);
  for (const l of siblings) {
    if (!isHttps(l) && !chosen.includes(l)) notes.push(`listener ${describeListener(l)} is not emulated: only HTTPS listeners are (a plain HTTP listener carries no client certificate)`);
  }
  if (config.format === 'aws-cli' && chosen.length > 1 && Object.keys(chosen[0]!.listenerAttributes).length > 0) {
    notes.push('describe-listener-attributes output names no listener: its attributes are applied to every listener');
  }
  const sources: S3Sources = { explicit: options.s3 ?? {}, uploads: config.uploads, root: options.s3Root ? resolve(options.s3Root) : undefined };
  // Listeners that share a trust store load it once.
  const stores = new Map<string, ReturnType<typeof trustStoreOf>>();
  const listeners: ImportedListenerConfig[] = [];
  for (const listener of chosen) {
    const rejects = (problem: string) => awsRejects(config.source, locate(listener.at, config.lineOf), problem);
    const sslPolicy = policyOf(listener, notes, rejects);
    const m = listener.mutualAuthentication ?? {};
    const problem = mutualAuthenticationProblem(m);
    if (problem) throw rejects(problem);
    for (const [key] of Object.entries(listener.listenerAttributes)) {
      const p = attributeKeyProblem(key, 'listener');
      if (p) throw rejects(p);
    }
    for (const [key] of Object.entries(listener.loadBalancerAttributes)) {
      const p = attributeKeyProblem(key, 'load balancer');
      if (p) throw rejects(p);
    }
    try {
      validateAttributes({ ...chosenAttributes(listener.loadBalancerAttributes), ...listener.listenerAttributes });
    } catch (err) {
      throw rejects((err as Error).message.replace(/^startAlb: /, ''));
    }
    const mode = (m.mode ?? 'off') as MutualAuthenticationMode;
    if (mode === 'verify' && !stores.has(m.trustStore!)) stores.set(m.trustStore!, trustStoreOf(config, m.trustStore!, sources, options, notes));
    const trust = mode === 'verify' ? await stores.get(m.trustStore!)! : undefined;
    listeners.push({
      listener: { id: listener.id, protocol: listener.protocol, port: listener.port },
      options: {
        ...(sslPolicy ? { sslPolicy } : {}),
        mutualAuthentication: {
          mode,
          ...(trust ? { trustStore: trust.options } : {}),
          ...(m.ignoreClientCertificateExpiry !== undefined ? { ignoreClientCertificateExpiry: m.ignoreClientCertificateExpiry } : {}),
          ...(m.advertiseTrustStoreCaNames !== undefined ? { advertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames as 'on' | 'off' } : {}),
        },
        ...(Object.keys(listener.listenerAttributes).length > 0 ? { attributes: { ...listener.listenerAttributes } } : {}),
      },
      ...(trust ? { trustStore: trust.summary } : {}),
    });
  }
  const healthCheck = healthCheckOf(config, chosen, notes);
  return {
    format: config.format,
    source: config.source,
    ...(loadBalancer !== undefined ? { loadBalancer } : {}),
    listeners,
    // One load balancer: every listener of it carries the same load-balancer attributes.
    loadBalancerOptions: { attributes: chosenAttributes(chosen[0]!.loadBalancerAttributes), ...(healthCheck ? { healthCheck } : {}), listeners: listeners.map((l) => l.options) },
    notes,
  };
}

/**
 * The health check of the target group the first listener forwards to (or of the only target group),
 * when it sets any: the emulator has one set of targets for all listeners. A target group without
 * health check settings adds none (the emulator's default: every target gets traffic).
 */
function healthCheckOf(config: ParsedConfiguration, chosen: readonly ImportedListener[], notes: string[]): HealthCheckOptions | undefined {
  const groups = config.targetGroups ?? [];
  const groupOf = (ref: string) => groups.find((g) => g.refs.includes(ref));
  const refs = chosen.flatMap((l) => (l.targetGroup !== undefined ? [l.targetGroup] : []));
  // Said whether or not health checks follow: a user expects each listener to reach its own group.
  const names = [...new Set(refs.map((r) => groupOf(r)?.id ?? r))];
  if (names.length > 1) notes.push(`the listeners forward to ${names.length} target groups (${names.join(', ')}); the emulator sends every listener's requests to the same targets`);
  const group = refs.length > 0 ? groupOf(refs[0]!) : groups.length === 1 ? groups[0] : undefined;
  if (!group || Object.keys(group.healthCheck).length === 0) return undefined;
  if (names.length > 1) notes.push(`those targets are health-checked with the settings of target group ${group.id} (the first listener's)`);
  const h = group.healthCheck;
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const options: HealthCheckOptions = Object.fromEntries(
    Object.entries({
      enabled: h.HealthCheckEnabled === undefined ? undefined : h.HealthCheckEnabled === 'true',
      protocol: h.HealthCheckProtocol?.toUpperCase(),
      port: h.HealthCheckPort === undefined || h.HealthCheckPort === 'traffic-port' ? undefined : Number(h.HealthCheckPort),
      path: h.HealthCheckPath,
      intervalSeconds: number(h.HealthCheckIntervalSeconds),
      timeoutSeconds: number(h.HealthCheckTimeoutSeconds),
      healthyThresholdCount: number(h.HealthyThresholdCount),
      unhealthyThresholdCount: number(h.UnhealthyThresholdCount),
      matcher: h.Matcher,
    }).filter(([, v]) => v !== undefined),
  );
  try {
    if (!resolveHealthCheck(options)) {
      notes.push(`target group ${group.id} has health checks disabled: every target gets traffic`);
      return undefined;
    }
  } catch (err) {
    throw awsRejects(config.source, locate(group.at, config.lineOf), (err as Error).message.replace(/^startAlb: healthCheck\.?/, 'health check '));
  }
  notes.push(`health checks of target group ${group.id} are emulated, over HTTP or HTTPS without a client certificate (an ALB never presents one to a target)`);
  return options;
}

/** Load-balancer attributes minus those at AWS's default (state and describe-* output list them all). */
function chosenAttributes(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([k, v]) => v !== '' && ALB_LOAD_BALANCER_ATTRIBUTE_DEFAULTS[k] !== v));
}

const isHttps = (l: ImportedListener) => (l.protocol ?? 'HTTPS').toUpperCase() === 'HTTPS';

const describeListener = (l: ImportedListener) => `${l.id} (${l.protocol ?? '?'}${l.port === undefined ? '' : ` port ${l.port}`})`;

/** Matches an ID exactly, or by its last part (`HttpsListener`, `https`). */
const named = (id: string, wanted: string) => id === wanted || id.endsWith(`/${wanted}`) || id.endsWith(`.${wanted}`);

/** Listeners whose configuration names no load balancer are taken as one. */
const balancerOf = (l: ImportedListener) => l.loadBalancer ?? '';

/**
 * The listeners to emulate (the one asked for, or every HTTPS listener of one load balancer) and
 * their siblings: every listener of that load balancer, for the quota and the notes.
 */
function selectListeners(config: ParsedConfiguration, options: ImportAlbConfigOptions, want: 'one' | 'all') {
  const all = config.listeners;
  const listing = all.length === 0 ? 'it defines no listener' : `its listeners: ${all.map(describeListener).join(', ')}`;
  const result = (chosen: ImportedListener[]) => {
    const lb = chosen[0]!.loadBalancer;
    return { loadBalancer: lb, siblings: all.filter((l) => balancerOf(l) === balancerOf(chosen[0]!)), chosen };
  };
  if (options.listener !== undefined) {
    const wanted = options.listener;
    // An exact ID, its last part, or a CDK stack name with one HTTPS listener.
    const byName = all.filter((l) => named(l.id, wanted));
    const inStack = all.filter((l) => l.id.startsWith(`${wanted}/`) && isHttps(l));
    const found = byName.length > 0 ? byName : inStack;
    if (found.length === 1) return result(found);
    throw iacError(config.source, '', `--listener ${wanted} matches ${found.length === 0 ? 'no' : 'more than one'} listener (${listing})`, 'Pass one of those IDs');
  }
  let https = all.filter(isHttps);
  const balancers = [...new Set(https.map(balancerOf))];
  const listingBalancers = () => balancers.map((b) => `${b || '(not named)'}: ${https.filter((l) => balancerOf(l) === b).map((l) => l.id).join(', ')}`).join('; ');
  if (options.loadBalancer !== undefined) {
    const wanted = options.loadBalancer;
    const matching = balancers.filter((b) => named(b, wanted));
    if (matching.length !== 1) {
      throw iacError(config.source, '', `--load-balancer ${wanted} matches ${matching.length === 0 ? 'no' : 'more than one'} load balancer with an HTTPS listener (${balancers.length === 0 ? listing : listingBalancers()})`, 'Pass one of those IDs');
    }
    https = https.filter((l) => balancerOf(l) === matching[0]);
  } else if (balancers.length > 1) {
    throw iacError(config.source, '', `HTTPS listeners on ${balancers.length} load balancers (${listingBalancers()})`, 'Choose one with --load-balancer ID, or one listener with --listener ID');
  }
  if (https.length === 0) throw iacError(config.source, '', `no HTTPS listener to emulate (${listing})`, 'Point --from at the configuration of the mTLS listener');
  if (want === 'one' && https.length > 1) {
    throw iacError(config.source, '', `${https.length} HTTPS listeners (${https.map(describeListener).join(', ')})`, 'Choose one with --listener ID, or import them all with importLoadBalancerConfig');
  }
  return result(https);
}

/** AWS refuses a third verify listener on one load balancer; so does the import, naming it. */
function checkVerifyQuota(config: ParsedConfiguration, siblings: readonly ImportedListener[]): void {
  const verify = siblings.filter((l) => l.mutualAuthentication?.mode === 'verify');
  if (verify.length <= MAX_VERIFY_LISTENERS) return;
  const over = verify[MAX_VERIFY_LISTENERS]!;
  throw awsRejects(config.source, locate(over.at, config.lineOf), `listener ${over.id} ${verifyQuotaProblem(MAX_VERIFY_LISTENERS + 1)}`);
}

function policyOf(listener: ImportedListener, notes: string[], rejects: (p: string) => Error): SslPolicyName | undefined {
  const name = listener.sslPolicy;
  if (name === undefined) return undefined;
  const nearest = NEAREST_MODELLED_POLICY[name];
  if (nearest) {
    notes.push(`security policy ${name} is not emulated; using the nearest, ${nearest}`);
    return nearest as SslPolicyName;
  }
  const problem = sslPolicyProblem(name, Object.keys(SSL_POLICIES));
  if (problem) throw rejects(problem);
  return name as SslPolicyName;
}

async function readLocal(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw iacError(flag, path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'Check the path');
  }
}

async function trustStoreOf(config: ParsedConfiguration, ref: string, sources: S3Sources, options: ImportAlbConfigOptions, notes: string[]) {
  const defined: ImportedTrustStore | undefined = config.trustStores.find((s) => s.refs.includes(ref));
  // A trust store known only by its ARN (`...:truststore/NAME/ID`) still has a name to show and check.
  const arnName = /:truststore\/([^/]+)\//.exec(ref)?.[1];
  const store: ImportedTrustStore = defined ?? { id: ref, refs: [ref], ...(arnName ? { name: arnName } : {}), revocations: [], at: '' };
  if (store.name !== undefined) {
    const p = trustStoreNameProblem(store.name);
    if (p) throw awsRejects(config.source, locate(store.at, config.lineOf), p);
  }
  let bundle: { path: string; text: string };
  if (options.trustStoreBundle) {
    const path = resolve(options.trustStoreBundle);
    bundle = { path, text: await readLocal(path, '--trust-store') };
    if (store.bundle) notes.push(`--trust-store ${path} replaces the bundle the configuration names (s3://${store.bundle.bucket}/${store.bundle.key})`);
  } else if (store.bundle) {
    bundle = await readS3Object(store.bundle, sources, config.source, config.lineOf);
  } else {
    throw iacError(config.source, '', `the listener's trust store ${ref} is not defined here, so its CA bundle's location is unknown`, 'Pass --trust-store FILE with the CA bundle (and --crl FILE for each revocation list)');
  }
  for (const loc of [store.bundle, ...store.revocations]) {
    if (loc?.version) notes.push(`s3://${loc.bucket}/${loc.key} names object version ${loc.version}; the local file is read whatever its version`);
  }
  const crls = [
    ...(await Promise.all(store.revocations.map((loc) => readS3Object(loc, sources, config.source, config.lineOf)))),
    ...(await Promise.all((options.revocations ?? []).map(async (p) => ({ path: resolve(p), text: await readLocal(resolve(p), '--crl') })))),
  ];
  const trustStoreOptions: TrustStoreOptions = { caCertificatesBundle: bundle.text, revocations: crls.map((c) => c.text), source: bundle.path };
  // Loaded now so a bundle ALB would refuse fails at import, and the summary can show what it holds.
  const loaded = loadTrustStore(trustStoreOptions);
  return {
    options: trustStoreOptions,
    summary: {
      id: store.id,
      ...(store.name !== undefined ? { name: store.name } : {}),
      bundlePath: bundle.path,
      caSubjects: loaded.certificates.map((c) => subjectRfc2253(c)),
      revocations: loaded.crls.map((crl, i) => ({ path: crls[i]?.path ?? '', issuer: crl.issuer, revokedSerials: crl.revokedSerials.size })),
    },
  };
}
