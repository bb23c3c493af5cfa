import { createHash } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:tls';
import { beforeAll, describe, expect, test } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbHandle } from '../../harness/alb/types.ts';
import { startLiveUi } from '../../harness/report/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../cli/capture-io.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

async function startVerifyAlb(targetUrl: string): Promise<AlbHandle> {
  return startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] } },
    targets: [targetUrl],
  });
}

/** One GET over mutual TLS with the given client; resolves with the status, or the error code when the ALB hangs up. */
function mtlsGet(alb: AlbHandle, client: { chainPem: string; keyPem: string }, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: alb.port, servername: 'localhost', ca: pki.root.certPem, cert: client.chainPem, key: client.keyPem });
    let data = '';
    socket.on('secureConnect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('end', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 'no status'));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Reads server-sent events until `until` accepts the list so far. */
function readEvents(url: string, until: (events: Array<{ name: string; data: Record<string, string> }>) => boolean) {
  return new Promise<{ events: Array<{ name: string; data: Record<string, string> }>; res: IncomingMessage }>((resolve, reject) => {
    get(url, (res) => {
      const events: Array<{ name: string; data: Record<string, string> }> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (name && data) events.push({ name, data: JSON.parse(data) });
        }
        if (until(events)) {
          res.destroy();
          resolve({ events, res });
        }
      });
    }).on('error', reject);
  });
}

function fetchText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('startLiveUi', () => {
  test('streams a card per connection: the verdict, the decoded chain, the explanation, then the request and the target\'s answer', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startVerifyAlb(target.url);
    await using ui = await startLiveUi({ alb });
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await mtlsGet(alb, pki.clients.good, '/orders?<b>')).toBe('200');
    await alb.accessLog.waitFor(() => true); // its access-log line is out before the next connection starts
    expect(await mtlsGet(alb, pki.clients.expired, '/orders')).toMatch(/^(ECONNRESET|no status)$/);
    await alb.connectionLog.waitFor((e) => e.tlsVerifyStatus === 'Failed:ClientCertExpired');

    // A page opened after the connections still gets them (replayed), in the order they happened.
    const { events } = await readEvents(`${ui.url}/events`, (ev) => ev.length >= 3);
    expect(events.map((e) => e.name)).toEqual(['connection', 'request', 'connection']);
    const [good, request, expired] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expect(good.data.verdict).toBe('Success');
    expect(good.data.html).toContain('data-verdict="Success"');
    expect(good.data.html).toContain('<text class="chain-cn" x="11" y="40">zuplo-gateway</text>');
    expect(good.data.html).toContain('data-certs="2"');
    expect(good.data.html).toContain('Reproduce it: <code>alb-mtls run url-forward-200</code>');
    expect(expired.data.verdict).toBe('Failed:ClientCertExpired');
    expect(expired.data.html).toContain('expired</text>'); // the leaf's validity, marked in the picture
    expect(expired.data.html).toContain("The certificate&#39;s notAfter date is in the past");
    expect(expired.data.html).toContain('None: the ALB closed the connection before any HTTP byte.');
    expect(request.data.cardId).toBe(good.data.id);
    // The request line is user data: escaped.
    expect(request.data.html).toMatch(/<span class="badge ok">200<\/span> <code>GET https:\/\/localhost:\d+\/orders\?&lt;b&gt; HTTP\/1\.1<\/code> <span class="muted">target answered 200<\/span>/);
  });

  test('serves its page under a policy that allows only its own script, style and event stream, and only to its own host name', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startVerifyAlb(target.url);
    await using ui = await startLiveUi({ alb });
    const page = await fetchText(`${ui.url}/`);
    expect(page.status).toBe(200);
    const hash = (body: string) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(page.body).toContain(`ALB emulator <code>${alb.url}</code>`);
    expect((await fetchText(`${ui.url}/`, { host: 'attacker.example' })).status).toBe(421);
    expect((await fetchText(`${ui.url}/nope`)).status).toBe(404);
  });

  test('close() ends open event streams and stops listening to the ALB', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startVerifyAlb(target.url);
    const ui = await startLiveUi({ alb });
    const ended = new Promise<void>((resolve) => {
      get(`${ui.url}/events`, (res) => {
        res.resume();
        res.on('close', () => resolve());
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    await ui.close();
    await ended;
    await ui.close(); // idempotent
  });
});

describe('alb-mtls serve --ui', () => {
  test('prints the page next to the ALB URL and stops it with the ALB', async () => {
    const io = captureIo();
    const exit = main(['serve', '--ui'], io);
    const page = await io.nextLine(/^Live page: /);
    expect(io.stdout[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(io.stdout[1]).toBe(page);
    const url = /^Live page: (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(page)![1]!;
    const body = (await fetchText(`${url}/`)).body;
    expect(body).toContain(`ALB emulator <code>${io.stdout[0]}</code> · mode verify`);
    io.interrupt();
    expect(await exit).toBe(0);
    await expect(fetchText(`${url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
