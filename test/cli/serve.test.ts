import { stat } from 'node:fs/promises';
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from './capture-io.ts';

interface Files { cacert: string; cert: string; key: string }

function get(url: string, files: Files): Promise<{ status: number; body: string }> {
  return Promise.all([readFile(files.cacert), readFile(files.cert), readFile(files.key)]).then(
    ([ca, cert, key]) =>
      new Promise((resolve, reject) => {
        const req = request(`${url}/hello`, { ca, cert, key, agent: false }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.end();
      }),
  );
}

const filesIn = (line: string): Files => {
  const m = /--cacert (\S+) --cert (\S+) --key (\S+) /.exec(line);
  if (!m) throw new Error(`no curl command in: ${line}`);
  return { cacert: m[1]!, cert: m[2]!, key: m[3]! };
};

describe('alb-mtls serve', () => {
  test('prints its URL first, accepts the good certificate, closes on a bad one, streams logs, stops on interrupt', async () => {
    const io = captureIo();
    const exit = main(['serve', '--port', '0'], io);
    const first = await io.nextLine(/./);
    expect(first).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(io.stdout[0]).toBe(first);
    const curls = io.stdout.filter((l) => l.trim().startsWith('curl '));
    expect(curls).toHaveLength(2);
    expect(curls[0]).toContain('/clients/client-good.chain.pem');
    expect(curls[1]).toContain('/clients/client-expired.chain.pem');
    const sClients = io.stdout.filter((l) => / \| openssl s_client -quiet -ign_eof -connect 127\.0\.0\.1:\d+ /.test(l));
    expect(sClients).toHaveLength(2);
    // The whole chain is presented: the leaf, then the chain file; the request goes through stdin.
    expect(sClients[0]).toMatch(/^ {2}printf 'GET \/hello HTTP\/1\.1\\r\\nHost: 127\.0\.0\.1:\d+\\r\\nConnection: close\\r\\n\\r\\n' \| /);
    expect(sClients[0]).toMatch(/ -cert \S+\/clients\/client-good\.crt -cert_chain \S+\/clients\/client-good\.chain\.pem -key /);
    expect(io.stdout).toContain('Good client certificate (good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; the connection log shows Success');
    expect(io.stdout).toContain('Expired client certificate (expired): expect no HTTP response (the ALB closes the connection); the connection log shows Failed:ClientCertExpired');

    const good = await get(first, filesIn(curls[0]!));
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body).headers['x-amzn-mtls-clientcert-subject']).toBe('CN=zuplo-gateway,O=alb-mtls-harness');
    expect(await io.nextLine(/^connection-log .* "CN=zuplo-gateway,O=alb-mtls-harness" .* Success TID_/)).toBeTruthy();
    expect(await io.nextLine(/^access-log https .* 200 200 /)).toBeTruthy();

    const bad = await get(first, filesIn(curls[1]!)).then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(bad).toBe('ECONNRESET');
    expect(await io.nextLine(/^connection-log .* "CN=client-expired,O=alb-mtls-harness" .* Failed:ClientCertExpired TID_/)).toBeTruthy();

    io.interrupt();
    expect(await exit).toBe(0);
    expect(io.stdout.at(-1)).toBe('Stopping.');
    // The temporary PKI is removed with the server.
    expect(await stat(filesIn(curls[0]!).cert).then(() => true, () => false)).toBe(false);
  });

  test('user errors exit 2 before anything listens', async () => {
    const io = captureIo();
    expect(await main(['serve', '--mode', 'passthrough', '--ignore-expiry'], io)).toBe(2);
    expect(io.stderr[0]).toBe('alb-mtls serve: --ignore-expiry applies to --mode verify only (AWS rejects it for passthrough). Remove it, or use --mode verify.');
    const io2 = captureIo();
    expect(await main(['serve', '--port', 'eighty'], io2)).toBe(2);
    expect(io2.stderr[0]).toBe('alb-mtls serve: --port "eighty" is not a port number. Use 0-65535 (0 = any free port).');
  });
});
