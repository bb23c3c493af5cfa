import { execFile } from 'node:child_process';

export interface OpensslResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real OpenSSL CLI (the oracle) with no shell; `timeoutMs` bounds slow work such as RSA key generation on a loaded machine. */
export function openssl(args: string[], input?: string, timeoutMs = 15_000): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return reject(new Error('openssl is not installed: apt-get install openssl (the OpenSSL CLI is the oracle; .ci/run installs it)'));
      if (typeof code === 'string') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    // OpenSSL may exit before reading its stdin (s_client on a refused handshake, a bad flag): the
    // write then fails with EPIPE, which is no failure of the test, and the exit code above says all.
    child.stdin?.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin?.end(input ?? '');
  });
}

/** The certificates of a chain PEM after the leaf (what `openssl verify -untrusted` wants). */
export function chainAfterLeaf(chainPem: string): string {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
  return blocks.slice(1).join('');
}
