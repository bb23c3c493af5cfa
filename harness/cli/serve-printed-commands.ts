import type { WrittenPki } from '../../certs/pki/manifest.ts';
import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import type { MutualAuthenticationMode } from '../alb/types.ts';

export interface PrintedGroup {
  /** What the commands show, e.g. `Good client certificate (client-good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; the connection log shows Success`. */
  heading: string;
  /** The variant the commands present. */
  variant: string;
  /** What the output must show: an HTTP status line, or none (the ALB closed the connection). */
  expectStatus: number | 'no response';
  /** The connection log's tls_verify_status for these commands (verify mode), if any. */
  expectLog?: string;
  commands: string[];
}

/** The client variants whose commands serve prints: a good one, and a bad one per mode. */
export const PRINTED_VARIANTS = ['good', 'expired', 'untrusted-root'] as const;

/** Quotes a shell word only when it needs it. */
const sh = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The commands serve prints, each of which presents the whole client chain (leaf, then its
 * intermediate) and sends a request, so its output alone shows the outcome: curl with the chain
 * file (`--include` prints the status line), and openssl s_client with the leaf plus `-cert_chain`,
 * fed an HTTP request by printf (`-ign_eof` waits for the answer instead of quitting at end of input).
 */
export function serveCommandLines(input: {
  pki: WrittenPki;
  port: number;
  mode: MutualAuthenticationMode;
  verifyFailure: 'handshake' | 'http-403';
  /** `routing.http2.enabled`: curl then negotiates HTTP/2 (ALPN h2), openssl s_client offers no ALPN and gets HTTP/1.1. */
  http2: boolean;
  /** Verify mode: the verdict the listener gives each variant's chain (judged with its own trust store). */
  verdictOf(variant: string): TlsVerifyStatus | undefined;
}): PrintedGroup[] {
  const { pki, port, mode } = input;
  const url = `https://127.0.0.1:${port}`;
  const request = `GET /hello HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nConnection: close\\r\\n\\r\\n`;
  const groups: PrintedGroup[] = [];
  const add = (variant: string, title: string) => {
    const files = pki.client(variant);
    if (!files) return;
    const verdict = mode === 'verify' ? input.verdictOf(variant) : undefined;
    const expectStatus: PrintedGroup['expectStatus'] = verdict === undefined || verdict === 'Success' ? 200 : input.verifyFailure === 'http-403' ? 403 : 'no response';
    const outcome =
      expectStatus === 'no response'
        ? 'expect no HTTP response (the ALB closes the connection)'
        : input.http2
          ? `expect "HTTP/2 ${expectStatus}" from curl, "HTTP/1.1 ${expectStatus}" from openssl`
          : `expect "HTTP/1.1 ${expectStatus}"`;
    const log = verdict !== undefined ? `; the connection log shows ${verdict}` : mode === 'passthrough' ? '; forwarded unverified' : '';
    groups.push({
      heading: `${title} (${variant}): ${outcome}${log}`,
      variant,
      expectStatus,
      ...(verdict !== undefined ? { expectLog: verdict } : {}),
      commands: [
        `curl --cacert ${sh(pki.listener.serverCa)} --cert ${sh(files.chain)} --key ${sh(files.key)} --include --silent --show-error ${url}/hello`,
        `printf ${sh(request)} | openssl s_client -quiet -ign_eof -connect 127.0.0.1:${port} -CAfile ${sh(pki.listener.serverCa)} -verify_return_error ` +
          `-cert ${sh(files.cert)} -cert_chain ${sh(files.chain)} -key ${sh(files.key)}`,
      ],
    });
  };
  add('good', 'Good client certificate');
  if (mode === 'verify') add('expired', 'Expired client certificate');
  else add('untrusted-root', 'Untrusted client certificate');
  return groups;
}
