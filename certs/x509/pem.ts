import { UserError } from '../../harness/errors.ts';

export interface PemBlock {
  /** e.g. `CERTIFICATE`, `X509 CRL`, `PRIVATE KEY` */
  label: string;
  /** The whole block, BEGIN to END, newline-terminated. */
  pem: string;
  der: Buffer;
  /** 1-based line of the BEGIN marker in the source text. */
  line: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Text between blocks is ignored (callers that care check it). */
export function splitPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [whole, label, body] = match as unknown as [string, string, string];
    const line = text.slice(0, match.index).split('\n').length;
    blocks.push({ label, pem: ensureTrailingNewline(whole), der: Buffer.from(body.replace(/\s+/g, ''), 'base64'), line });
  }
  return blocks;
}

/** @peculiar/x509 writes PEM without a final newline; concatenating such blocks breaks OpenSSL. */
export function ensureTrailingNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** DER -> PEM with 64-column lines and a trailing newline. */
export function derToPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The certificates in a PEM text, or a UserError naming `source` when there are none. */
export function certificateBlocks(text: string, source: string): PemBlock[] {
  const blocks = splitPemBlocks(text).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) {
    throw new UserError(
      'HARNESS_ERR_PEM',
      `${source}: no PEM certificate found (expected a "-----BEGIN CERTIFICATE-----" block). Convert DER with: openssl x509 -inform der -in FILE -out FILE.pem`,
    );
  }
  return blocks;
}
