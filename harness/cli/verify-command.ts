import { X509Certificate } from 'node:crypto';
import { subjectRfc2253 } from '../../certs/x509/dn.ts';
import { certificateBlocks } from '../../certs/x509/pem.ts';
import { DEFAULT_MTLS_HEADER_NAMES, verifyModeHeaders } from '../alb/headers.ts';
import { loadTrustStore } from '../alb/trust-store.ts';
import { verifyClientChain } from '../alb/verify.ts';
import { UserError } from '../errors.ts';
import { parseDateFlag, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { readUserFile } from './mtls-certificate-command.ts';

export const verifyHelp = `Usage: alb-mtls verify --cert CHAIN --trust-store BUNDLE [options]

Answers "would an ALB in verify mode accept this client certificate?" offline, with AWS's
tls_verify_status and the reason, and checks the CA bundle against ALB's bundle rules first.
On Success it prints the X-Amzn-Mtls-* headers your targets would receive.

Options:
  --cert FILE          The chain the client presents, leaf first (PEM)
  --trust-store FILE   The trust store's CA bundle (the S3 object), PEM
  --crl FILE           A revocation list added to the trust store (PEM); repeatable
  --at DATE            Judge as of this date (default: now)
  --ignore-expiry      IgnoreClientCertificateExpiry=true
  --partial-chain      Let any CA in the bundle anchor a chain (default: only a self-signed root, as AWS
                       documents full chains); --no-partial-chain is the default and still accepted

Exit codes: 0 Success, 1 Failed:<code>, 2 bad input (a file that breaks ALB's bundle rules, say).`;

export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('verify', argv, {
    cert: { type: 'string' },
    'trust-store': { type: 'string' },
    crl: { type: 'string', multiple: true },
    at: { type: 'string' },
    'ignore-expiry': { type: 'boolean' },
    'partial-chain': { type: 'boolean' },
    'no-partial-chain': { type: 'boolean' },
  });
  if (values.help) {
    io.out(verifyHelp);
    return 0;
  }
  const certFile = values.cert ?? missing('--cert CHAIN');
  const bundleFile = values['trust-store'] ?? missing('--trust-store BUNDLE');
  const trustStore = loadTrustStore({
    caCertificatesBundle: await readUserFile('--trust-store', bundleFile),
    revocations: await Promise.all((values.crl ?? []).map((f) => readUserFile('--crl', f))),
    source: bundleFile,
    onWarning: (m) => io.err(paint(io, 'yellow', `warning: ${m}`)),
  });
  const presented = certificateBlocks(await readUserFile('--cert', certFile), certFile).map((block, i) => {
    try {
      return new X509Certificate(block.der);
    } catch (err) {
      throw new UserError('HARNESS_ERR_PEM', `${certFile} line ${block.line}: certificate ${i + 1} does not parse (${(err as Error).message}).`);
    }
  });
  const now = values.at ? parseDateFlag('--at', values.at) : new Date();
  const result = verifyClientChain({
    presented,
    trustStore,
    now,
    ignoreClientCertificateExpiry: values['ignore-expiry'],
    partialChain: values['partial-chain'] === true && !values['no-partial-chain'],
  });
  const ok = result.status === 'Success';
  io.out(`tls_verify_status=${paint(io, ok ? 'green' : 'red', result.status)}`);
  io.out(result.reason);
  io.out(`path: ${result.path.map((c) => subjectRfc2253(c)).join('  ->  ') || '(none)'}`);
  if (ok) {
    io.out('Headers an ALB in verify mode adds for your targets:');
    for (const [name, value] of Object.entries(verifyModeHeaders(presented[0]!, DEFAULT_MTLS_HEADER_NAMES))) io.out(`  ${name}: ${value}`);
  }
  return ok ? 0 : 1;
}

function missing(flag: string): never {
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${flag} is required. Run "alb-mtls verify --help".`);
}
