import { doctor, type DoctorReport, type Finding } from '../doctor/index.ts';
import { ENVIRONMENT_TYPES, type EnvironmentType } from '../gateway/types.ts';
import { UserError } from '../errors.ts';
import { parseChoice, parseDateFlag, parseEnvFlags, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';

export const doctorHelp = `Usage: alb-mtls doctor --project DIR [options]

The troubleshooting checklist, run over your own files. For every route and environment type:
the certificate name it resolves to (through $env(), .env, .env.zuplo), whether the store holds
it and has it enabled, the verdict an ALB in verify mode gives its chain, certificates about to
expire, the trust store's bundle rules, and whether the gateway trusts the ALB's server certificate
for the route's host name.

Options:
  --project DIR          The Zuplo project (required)
  --env-type T           development, preview, production or local; repeatable
                         (default: development, preview and production)
  --certs DIR            Certificate store (default: DIR/.zuplo-local/mtls if it exists)
  --trust-store BUNDLE   The ALB trust store's CA bundle, to judge each certificate's chain
  --crl FILE             A CRL of that trust store (PEM); repeatable
  --alb-cert CHAIN       The ALB's server certificate chain (PEM), judged offline
  --alb-url URL          Or: connect to the ALB and judge the certificate it serves
  --origin-ca FILE       CA(s) the gateway trusts for the ALB (default: public roots, as deployed)
  --env NAME=VALUE       A variable as the environment you judge has it (repeatable; overrides .env)
  --at DATE              Judge as of this date (default: now)
  --expiry-days N        Warn about certificates expiring within N days (default 30)
  --json                 Print the report as JSON (the format is documented in the README)

Exit codes: 0 nothing would fail, 1 something would (a finding of severity error), 2 bad input.`;

export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('doctor', argv, {
    project: { type: 'string' },
    'env-type': { type: 'string', multiple: true },
    certs: { type: 'string' },
    'trust-store': { type: 'string' },
    crl: { type: 'string', multiple: true },
    'alb-cert': { type: 'string' },
    'alb-url': { type: 'string' },
    'origin-ca': { type: 'string' },
    env: { type: 'string', multiple: true },
    at: { type: 'string' },
    'expiry-days': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(doctorHelp);
    return 0;
  }
  if (values.project === undefined) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', '--project DIR is required (your Zuplo project). Run "alb-mtls doctor --help".');
  const environmentTypes = (values['env-type'] ?? []).map((t) => parseChoice('--env-type', t, ENVIRONMENT_TYPES)) as EnvironmentType[];
  const expiryDays = values['expiry-days'] === undefined ? undefined : Number(values['expiry-days']);
  if (expiryDays !== undefined && !/^\d+$/.test(values['expiry-days']!)) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--expiry-days "${values['expiry-days']}" is not a number of days. Use e.g. --expiry-days 30.`);
  }
  const report = await doctor({
    projectDir: values.project,
    environmentTypes,
    ...(values.certs !== undefined ? { certificatesDir: values.certs } : {}),
    ...(values['trust-store'] !== undefined ? { trustStoreFile: values['trust-store'] } : {}),
    ...(values.crl !== undefined ? { crlFiles: values.crl } : {}),
    ...(values['alb-cert'] !== undefined ? { albCertFile: values['alb-cert'] } : {}),
    ...(values['alb-url'] !== undefined ? { albUrl: values['alb-url'] } : {}),
    ...(values['origin-ca'] !== undefined ? { originCaFile: values['origin-ca'] } : {}),
    environment: parseEnvFlags(values.env),
    ...(values.at !== undefined ? { at: parseDateFlag('--at', values.at) } : {}),
    ...(expiryDays !== undefined ? { expiryDays } : {}),
    labels: {
      projectDir: '--project', certificatesDir: '--certs', trustStoreFile: '--trust-store', crlFiles: '--crl',
      albCertFile: '--alb-cert', albUrl: '--alb-url', originCaFile: '--origin-ca',
    },
  });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else printReport(io, report);
  return report.ok ? 0 : 1;
}

const COLORS = { error: 'red', warning: 'yellow', info: 'dim' } as const;

function printReport(io: CliIo, report: DoctorReport): void {
  io.out(`Routes of ${report.projectDir} (${report.environmentTypes.join(', ')}):`);
  if (report.routes.length === 0) io.out('  (no route names an mTLS certificate)');
  for (const r of report.routes) {
    const sends = report.environmentTypes.map((t) => `${t} ${r.sends[t] ? 'yes' : 'no'}`).join(', ');
    io.out(`  ${r.route.padEnd(24)} ${r.written} -> ${r.name ? `'${r.name}'` : '(nothing)'}  sends: ${sends}`);
  }
  for (const v of report.verdicts) io.out(`  ALB verdict for '${v.name}': ${paint(io, v.status === 'Success' ? 'green' : 'red', v.status)}`);
  io.out('');
  if (report.findings.length === 0) io.out(paint(io, 'green', 'No findings: nothing would fail.'));
  for (const f of report.findings) io.out(formatFinding(io, f));
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  io.out('');
  io.out(report.ok ? paint(io, 'green', `OK: nothing would fail (${warnings} warning(s)).`) : paint(io, 'red', `${errors} error(s), ${warnings} warning(s): requests would fail.`));
}

function formatFinding(io: CliIo, f: Finding): string {
  const scope = [f.route, f.environmentType].filter(Boolean).join(' @ ');
  const where = [f.file, f.field].filter(Boolean).join(' ');
  const head = `${paint(io, COLORS[f.severity], f.severity.toUpperCase().padEnd(7))} ${f.check.padEnd(24)} ${scope ? `[${scope}] ` : ''}${where}`;
  return `${head}\n        ${f.message}${f.fix ? `\n        fix: ${f.fix}` : ''}`;
}
