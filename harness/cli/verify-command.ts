import { UserError } from '../errors.ts';
import { verifyChain } from '../doctor/verify-chain.ts';
import { parseDateFlag, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';

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
  const result = await verifyChain({
    chain: { file: values.cert ?? missing('--cert CHAIN'), label: '--cert' },
    trustStore: { file: values['trust-store'] ?? missing('--trust-store BUNDLE'), label: '--trust-store' },
    crls: (values.crl ?? []).map((file) => ({ file, label: '--crl' })),
    ...(values.at ? { at: parseDateFlag('--at', values.at) } : {}),
    ignoreClientCertificateExpiry: !!values['ignore-expiry'],
    ...(values['no-partial-chain'] ? { partialChain: false } : values['partial-chain'] ? { partialChain: true } : {}),
    onWarning: (m) => io.err(paint(io, 'yellow', `warning: ${m}`)),
  });
  io.out(`tls_verify_status=${paint(io, result.ok ? 'green' : 'red', result.status)}`);
  io.out(result.reason);
  io.out(`path: ${result.path.join('  ->  ') || '(none)'}`);
  if (result.ok) {
    io.out('Headers an ALB in verify mode adds for your targets:');
    for (const [name, value] of Object.entries(result.headers)) io.out(`  ${name}: ${value}`);
  }
  return result.ok ? 0 : 1;
}

function missing(flag: string): never {
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${flag} is required. Run "alb-mtls verify --help".`);
}
