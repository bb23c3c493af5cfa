import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { closeMatches } from '../cli/close-matches.ts';
import { CertificateStore } from '../gateway/cert-store.ts';
import { describeNameViolation, validateCertificateName } from '../gateway/cert-names.ts';
import { inspectCertificate } from '../gateway/cert-validate.ts';
import { emulatedRuntime } from '../gateway/emulated-runtime.ts';
import type { EnvironmentType, MtlsCertificateRecord, ProjectType } from '../gateway/types.ts';
import type { CertificateReference } from './route-certificates.ts';
import type { Finding, RouteCertificate } from './types.ts';

export interface StoreView {
  dir: string;
  records: MtlsCertificateRecord[];
}

/** Opens the store without its own warnings: doctor reports only on the certificates the project uses. */
export async function openStore(dir: string, at: Date): Promise<StoreView> {
  const store = await CertificateStore.open(dir, { now: () => at });
  return { dir, records: store.list() };
}

/**
 * Per route and environment type: does the name resolve, does the store hold it, is it enabled for
 * that environment type; per certificate used: does its name follow the rule, do its files load.
 */
export async function checkRouteCertificates(
  references: CertificateReference[],
  store: StoreView | undefined,
  environmentTypes: readonly EnvironmentType[],
  projectType: ProjectType | undefined,
  findings: Finding[],
): Promise<RouteCertificate[]> {
  const judgedNames = new Set<string>();
  const out: RouteCertificate[] = [];
  for (const ref of references) {
    const sends: RouteCertificate['sends'] = {};
    const where = { route: ref.route, file: ref.file, field: ref.field };
    if (ref.name === undefined) {
      for (const t of environmentTypes) sends[t] = false;
      findings.push({
        ...where, severity: 'error', check: 'certificate-name-unset',
        message: `mtlsCertificate is ${ref.written}, which resolves to nothing: no client certificate is sent, so an ALB in verify mode closes the connection (522).`,
        fix: `Set the variable ${variableOf(ref.written)} in .env (locally) and in the environment's variables (deployed) to the certificate's name.`,
      });
      out.push({ ...where, written: ref.written, sends, ...(ref.hostname ? { hostname: ref.hostname } : {}) });
      continue;
    }
    const name = ref.name;
    const record = store?.records.find((r) => r.name === name);
    if (!judgedNames.has(name)) {
      judgedNames.add(name);
      const check = validateCertificateName(name);
      if (!check.ok) {
        findings.push({
          ...where, severity: 'warning', check: 'certificate-name-invalid', message: describeNameViolation(name, check),
          fix: `Create the certificate under a valid name${check.suggestion ? ` ('${check.suggestion}')` : ''} and use that name here.`,
        });
      }
      if (store && !record) findings.push(await missingFinding(name, where, store));
    }
    for (const t of environmentTypes) {
      if (t === 'local') {
        // zuplo dev: a managed-dedicated project presents every stored certificate; a managed-edge one none.
        sends[t] = emulatedRuntime(t, projectType) === 'local-dedicated' && record !== undefined;
        continue;
      }
      sends[t] = !!record?.environments[t];
      if (record && !record.environments[t]) {
        const on = enabledTypes(record);
        findings.push({
          ...where, environmentType: t, severity: 'error', check: 'certificate-not-enabled',
          message: `'${name}' is ${on.length ? `enabled for ${on.join(', ')} only` : 'disabled'}: a ${t} deployment has no binding for it and the route answers 500.`,
          fix: `alb-mtls mtls-certificate update --cert-id ${record.id} ${[...new Set([...on, t])].map((x) => `--environment-type ${x}`).join(' ')}`,
        });
      }
    }
    out.push({ ...where, written: ref.written, name, sends, ...(ref.hostname ? { hostname: ref.hostname } : {}) });
  }
  return out;
}

async function missingFinding(name: string, where: { route: string; file: string; field: string }, store: StoreView): Promise<Finding> {
  const path = join(store.dir, name);
  if (await stat(path).then((s) => s.isDirectory(), () => false)) {
    // The store skipped it: say exactly why (a key that does not match, a file that is not PEM, a missing file).
    const read = (f: string) => readFile(join(path, f), 'utf8').catch(() => undefined);
    const [cert, key] = await Promise.all([read('tls.crt'), read('tls.key')]);
    let problem = `${path} lacks ${cert === undefined ? 'tls.crt' : 'tls.key'}`;
    if (cert !== undefined && key !== undefined) {
      try {
        inspectCertificate(cert, key, { certSource: join(path, 'tls.crt'), keySource: join(path, 'tls.key') }, new Date());
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    return {
      ...where, severity: 'error', check: 'certificate-unusable', message: `'${name}' is in the store but does not load: ${problem}`,
      fix: `Replace ${path}/tls.crt and tls.key with the certificate chain and the private key issued for it.`,
    };
  }
  const near = closeMatches(name, store.records.map((r) => r.name));
  return {
    ...where, severity: 'error', check: 'certificate-missing',
    message: `no certificate named '${name}' in ${store.dir}${near.length ? ` (it holds ${near.map((n) => `'${n}'`).join(', ')})` : ''}: the route answers 500 in every environment type.`,
    fix: near.length ? `Use the exact name '${near[0]}' here, or create '${name}' with alb-mtls mtls-certificate create.` : `Create it: alb-mtls mtls-certificate create --name ${name} --cert CHAIN --key KEY --environment-type ...`,
  };
}

function enabledTypes(record: MtlsCertificateRecord): string[] {
  return (Object.entries(record.environments) as [string, boolean][]).filter(([, on]) => on).map(([t]) => t);
}

function variableOf(written: string): string {
  return /\$env\(([^)]*)\)|environment(?:\.|\[\s*['"`])([\w$]+)/.exec(written)?.slice(1).find(Boolean) ?? 'it names';
}
