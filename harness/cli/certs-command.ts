import { createPki } from '../../certs/index.ts';
import { PKI_KEY_FAMILIES } from '../../certs/pki/types.ts';
import { UserError } from '../errors.ts';
import { parseChoice, parseDateFlag, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';

export const certsHelp = `Usage: alb-mtls certs --out DIR [--key-type ec|rsa] [--at ISO-DATE] [--force]

Writes a whole test PKI: root and intermediate CAs, the ALB server certificate, a good client
certificate, every bad variant (each labelled with the ALB verdict it gets), CRLs, a trust-store
bundle and manifest.json.

Options:
  --out DIR        Directory to write (created; must be empty unless --force)
  --key-type T     ec (P-256, default) or rsa (RSA 2048; also writes client-good.p12)
  --at DATE        Build the set as of this date (validity windows are computed from it)
  --force          Overwrite files in a non-empty DIR`;

export async function certsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('certs', argv, {
    out: { type: 'string' },
    'key-type': { type: 'string' },
    at: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help) {
    io.out(certsHelp);
    return 0;
  }
  if (!values.out) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', '--out DIR is required (the directory to write the PKI into).');
  const keyType = parseChoice('--key-type', values['key-type'] ?? 'ec', PKI_KEY_FAMILIES);
  const now = values.at ? parseDateFlag('--at', values.at) : undefined;
  const pki = await createPki({ keyType, now });
  const result = await pki.writeTo(values.out, { force: values.force });
  const rows = result.files.filter((f) => !f.path.endsWith('.key'));
  const width = Math.max(...rows.map((r) => r.path.length));
  io.out(`Wrote ${result.files.length} files to ${result.dir} (key type ${keyType}, as of ${pki.now.toISOString()}):`);
  for (const file of rows) {
    const verdict = file.expectedVerdict === undefined ? '' : file.expectedVerdict === null ? 'n/a' : file.expectedVerdict;
    const shown = verdict === 'Success' ? paint(io, 'green', verdict) : verdict ? paint(io, 'yellow', verdict) : '';
    io.out(`  ${file.path.padEnd(width)}  ${shown}`);
  }
  io.out(`(private keys: one .key beside each certificate; manifest.json describes every file)`);
  return 0;
}
