import type { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import type { AlbFailureCode } from '../../certs/alb-codes.ts';
import { UserError } from '../errors.ts';
import { loadProject } from '../gateway/project-loader.ts';
import type { EnvironmentType } from '../gateway/types.ts';
import { DEFAULT_STORE_DIR, readUserFile } from '../user-input.ts';
import { checkAlbServerCertificate, type HostUse } from './alb-server-certificate.ts';
import { caExpiryItems, checkExpiry, type ExpiryItem } from './expiry-check.ts';
import { checkLocalDevelopment } from './local-development.ts';
import { findRouteCertificates, type CertificateReference } from './route-certificates.ts';
import { checkRouteCertificates, openStore, type StoreView } from './store-checks.ts';
import { checkTrustStore } from './trust-store-check.ts';
import { SEVERITIES, type CertificateVerdict, type DoctorOptions, type DoctorReport, type Finding } from './types.ts';
import { VERDICT_FIXES } from './verdict-fixes.ts';
import { verifyChain } from './verify-chain.ts';

export type * from './types.ts';
export { DOCTOR_CHECKS, SEVERITIES } from './types.ts';
export { verifyChain, loadTrustStoreInputs } from './verify-chain.ts';
export type { VerifyChainOptions, VerifyChainResult, PemInput } from './verify-chain.ts';

const DEFAULT_ENVIRONMENT_TYPES: EnvironmentType[] = ['development', 'preview', 'production'];

/**
 * The seed's troubleshooting list, run over a real project: for every route and environment type,
 * the certificate it sends and whether the store has it enabled, the verdict an ALB in verify mode
 * gives its chain, expiring certificates, the trust store's bundle rules, and whether the gateway
 * trusts the ALB's server certificate. Unreadable inputs throw a UserError naming them (exit 2);
 * everything that would make a request fail is a finding with severity `error`.
 */
export async function doctor(options: DoctorOptions): Promise<DoctorReport> {
  // Names for sentences ("pass --trust-store"); file inputs are named by their path alone unless a label is given.
  const label = { projectDir: 'projectDir', certificatesDir: 'certificatesDir', trustStoreFile: 'trustStoreFile', crlFiles: 'crlFiles', albCertFile: 'albCertFile', albUrl: 'albUrl', originCaFile: 'originCaFile', ...options.labels };
  const fileLabel = (key: keyof typeof label) => options.labels?.[key];
  const at = options.at ?? new Date();
  const days = options.expiryDays ?? 30;
  if (!Number.isFinite(days) || days < 0) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `expiry days "${days}" must be a number of days, 0 or more.`);
  if (options.albCertFile !== undefined && options.albUrl !== undefined) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `give ${label.albCertFile} or ${label.albUrl}, not both.`);
  }
  const environmentTypes = [...new Set(options.environmentTypes?.length ? options.environmentTypes : DEFAULT_ENVIRONMENT_TYPES)];
  const projectDir = options.projectDir;
  const loaded = await loadProject(projectDir, label.projectDir);
  const project = { ...loaded, environment: { ...loaded.environment, ...options.environment } };
  const shown = (path: string) => {
    const rel = relative(projectDir, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const findings: Finding[] = [];

  const { references, unnamed } = await findRouteCertificates(project, findings);
  const store = await storeFor(options, label.certificatesDir, at);
  if (!store && references.some((r) => r.name)) {
    findings.push({
      severity: 'error', check: 'no-store', file: join(projectDir, DEFAULT_STORE_DIR), field: '',
      message: `routes name mTLS certificates but there is no certificate store (looked in ${shown(join(projectDir, DEFAULT_STORE_DIR))}): no binding exists, every such route answers 500.`,
      fix: `Create the certificates with alb-mtls mtls-certificate create --dir ${join(projectDir, DEFAULT_STORE_DIR)}, or pass ${label.certificatesDir}.`,
    });
  }
  const routes = await checkRouteCertificates(references, store, environmentTypes, project.projectType, findings);
  if (environmentTypes.includes('local')) checkLocalDevelopment(routes, project.projectType, options.originCaFile !== undefined, findings);

  const trustStore = options.trustStoreFile !== undefined
    ? await checkTrustStore(
        { file: options.trustStoreFile, label: fileLabel('trustStoreFile') },
        (options.crlFiles ?? []).map((file) => ({ file, label: fileLabel('crlFiles') })),
        findings,
      )
    : undefined;
  const verdicts: CertificateVerdict[] = [];
  const expiry: ExpiryItem[] = [];
  for (const name of [...new Set(routes.flatMap((r) => (r.name ? [r.name] : [])))]) {
    const record = store?.records.find((r) => r.name === name);
    if (!store || !record) continue;
    const firstUse = routes.find((r) => r.name === name)!;
    const certFile = join(store.dir, name, 'tls.crt');
    expiry.push({
      what: `the client certificate '${name}' (${record.certificateInfo.subject})`, validTo: new Date(record.certificateInfo.validTo),
      file: shown(certFile), field: 'notAfter', route: firstUse.route, expiredReportedElsewhere: trustStore !== undefined,
      fix: `Issue a new certificate and upload it before then (alb-mtls mtls-certificate create), then point the route at it.`,
    });
    if (!trustStore) continue;
    const result = await verifyChain({ chain: { pem: await readFile(certFile, 'utf8'), source: certFile }, trustStore, at });
    verdicts.push({ name, status: result.status, reason: result.reason });
    if (!result.ok) {
      findings.push({
        severity: 'error', check: 'alb-verdict', route: firstUse.route, file: shown(certFile), field: 'chain',
        message: `an ALB in verify mode answers ${result.status} for '${name}' (${result.reason}): it closes the connection and the gateway answers 522.`,
        fix: VERDICT_FIXES[result.status.slice('Failed:'.length) as AlbFailureCode],
      });
    }
  }
  if (options.trustStoreFile === undefined && routes.some((r) => r.name)) {
    findings.push({ severity: 'info', check: 'alb-verdict', file: '', field: '', message: `no ${label.trustStoreFile} given: the ALB's verdict on each certificate was not judged.`, fix: `Pass ${label.trustStoreFile} with the trust store's CA bundle.` });
  }
  if (trustStore && options.trustStoreFile) {
    expiry.push(...caExpiryItems(trustStore.certificates, options.trustStoreFile, 'the trust-store CA', 'Replace the CA in the bundle (and reissue what it signed) before then.'));
  }

  const hosts: HostUse[] = routes.flatMap((r) => (r.hostname ? [{ hostname: r.hostname, route: r.route, file: r.file, field: r.field }] : []));
  const albChain = await checkAlbServerCertificate({
    ...(options.albCertFile !== undefined ? { chain: { text: await readUserFile(label.albCertFile, options.albCertFile), source: options.albCertFile } } : {}),
    ...(options.albUrl !== undefined ? { url: { value: options.albUrl, label: label.albUrl } } : {}),
    ...(options.originCaFile !== undefined ? { originCa: { text: await readUserFile(label.originCaFile, options.originCaFile), source: options.originCaFile } } : {}),
    hosts: uniqueHosts(hosts),
    at,
  }, findings);
  if (albChain[0]) checkUnnamedCalls(unnamed, albChain[0], findings);
  if (albChain[0]) {
    expiry.push({ what: `the ALB's server certificate`, validTo: new Date(albChain[0].validTo), file: options.albCertFile ?? options.albUrl ?? '', field: 'notAfter', expiredReportedElsewhere: true, fix: 'Renew the ALB listener certificate (ACM renews public certificates it issued).' });
  }
  checkExpiry(expiry, at, days, findings);

  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const ordered = findings.map(({ severity, check, route, environmentType, file, field, message, fix }): Finding => ({
    severity, check, ...(route !== undefined ? { route } : {}), ...(environmentType !== undefined ? { environmentType } : {}), file, field, message, fix,
  }));
  return {
    version: 1,
    projectDir,
    environmentTypes,
    at: at.toISOString(),
    routes,
    verdicts,
    findings: ordered,
    ok: !findings.some((f) => f.severity === 'error'),
  };
}

/**
 * "No certificate appears to be sent": a route whose upstream is the ALB (its certificate covers the
 * host) but that names no mTLS certificate; an ALB in verify mode closes such a connection.
 */
function checkUnnamedCalls(unnamed: readonly CertificateReference[], albLeaf: X509Certificate, findings: Finding[]): void {
  for (const call of unnamed) {
    if (!call.hostname || checkServerIdentity(call.hostname, albLeaf.toLegacyObject()) !== undefined) continue;
    findings.push({
      severity: 'error', check: 'certificate-not-named', route: call.route, file: call.file, field: call.field,
      message: `the route calls the ALB (${call.hostname}) without naming an mTLS certificate: no client certificate is sent, so an ALB in verify mode closes the connection (522).`,
      fix: call.field === 'fetch'
        ? 'Pass { zuplo: { mtlsCertificate: environment.ALB_MTLS_CERT } } to fetch, with the variable set to the certificate\'s name.'
        : 'Add "mtlsCertificate": "$env(ALB_MTLS_CERT)" to the handler options, with the variable set to the certificate\'s name.',
    });
  }
}

async function storeFor(options: DoctorOptions, flag: string, at: Date): Promise<StoreView | undefined> {
  if (options.certificatesDir !== undefined) {
    if (!(await stat(options.certificatesDir).then((s) => s.isDirectory(), () => false))) {
      throw new UserError('HARNESS_ERR_FILE', `${flag} ${options.certificatesDir}: no such directory. Pass the store that holds <name>/tls.crt and <name>/tls.key.`);
    }
    return openStore(options.certificatesDir, at);
  }
  const fallback = join(options.projectDir, DEFAULT_STORE_DIR);
  return (await stat(fallback).then((s) => s.isDirectory(), () => false)) ? openStore(fallback, at) : undefined;
}

/** One check per host name (the first route using it names the place). */
function uniqueHosts(hosts: HostUse[]): HostUse[] {
  return hosts.filter((h, i) => hosts.findIndex((o) => o.hostname === h.hostname) === i);
}
