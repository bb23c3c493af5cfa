import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startGateway } from '../../harness/gateway/index.ts';
import { listenWithHandle, type ServerHandle } from '../../harness/server-handle.ts';
import { forward, routesDoc } from './gateway-helpers.ts';

/**
 * A urlForwardHandler route with a constant baseUrl is forwarded without the runtime's Request and
 * Response objects; one whose baseUrl is a `${env...}` template runs the handler as written. Both
 * must look the same to the client, byte for byte (apart from the Date line and the route's path).
 */

/** Raw HTTP/1.1 answers by the last path segment, written exactly as given (then the socket closes). */
const ANSWERS: Record<string, string> = {
  headers:
    'HTTP/1.1 200 Fine Thanks\r\nX-B: 1\r\nContent-Type: text/plain\r\nx-b: 2\r\nSet-Cookie: a=1\r\nZed: last\r\n' +
    'Set-Cookie: b=2\r\nKeep-Alive: timeout=5\r\nA-Latin: caf\xe9\r\nEmpty:\r\nContent-Length: 5\r\n\r\nhello',
  chunked: 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Up: 1\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
  'no-content': 'HTTP/1.1 204 No Content\r\nX-Up: 1\r\n\r\n',
  redirect: 'HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n',
  'own-rid': 'HTTP/1.1 200 OK\r\nzp-rid: from-origin\r\nContent-Length: 2\r\n\r\nok',
  'odd-reason': 'HTTP/1.1 200 Odd\x7fReason\r\nContent-Length: 2\r\n\r\nok',
  'bad-gateway': 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad',
  'cut-body': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part',
};

async function startRawOrigin(): Promise<ServerHandle> {
  const server = createServer((socket: Socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      const answer = ANSWERS[path.split('/').pop()!] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
      socket.end(Buffer.from(answer, 'latin1'));
    });
    socket.on('error', () => {});
  });
  return listenWithHandle(server as unknown as import('node:http').Server, { protocol: 'http' });
}

/** Sends `request` on a fresh connection and returns every byte of the answer. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

const comparable = (raw: string, path: string) =>
  raw
    .replace(/\r\ndate: [^\r]*/i, '\r\ndate: <date>')
    .replace(/"timestamp": "[^"]*"/, '"timestamp": "<time>"')
    .replaceAll(path, '<path>');

describe('urlForwardHandler fast path', () => {
  test('answers exactly as the handler path: status line, header order and case, cookies, bodies, records', async () => {
    await using origin = await startRawOrigin();
    const logs: string[] = [];
    await using gw = await startGateway({
      routes: routesDoc([
        { path: '/fast/{case}', method: 'get,head', handler: forward({ baseUrl: origin.url }) },
        { path: '/slow/{case}', method: 'get,head', handler: forward({ baseUrl: '${env.ORIGIN}' }) },
      ]),
      environment: { ORIGIN: origin.url },
      onLog: (line) => logs.push(line),
    });
    const cases = [...Object.keys(ANSWERS), 'missing'];
    for (const method of ['GET', 'HEAD']) {
      for (const name of cases) {
        const request = (kind: string) =>
          `${method} /${kind}/${name}?q=1 HTTP/1.1\r\nHost: gw\r\nzp-rid: rid-${name}\r\nX-Client: c\r\nConnection: close\r\n\r\n`;
        logs.length = 0;
        const fast = comparable(await rawExchange(gw.port, request('fast')), '/fast/');
        const fastLogs = logs.map((l) => l.replaceAll('/fast/', '<path>').replace(/ \d+ms$/, ''));
        logs.length = 0;
        const slow = comparable(await rawExchange(gw.port, request('slow')), '/slow/');
        const slowLogs = logs.map((l) => l.replaceAll('/slow/', '<path>').replace(/ \d+ms$/, ''));
        expect(fast, `${method} ${name}`).toBe(slow);
        expect(fastLogs, `${method} ${name}`).toEqual(slowLogs);
      }
    }
    // An absolute-form request target with credentials: new Request refuses it, and so must the fast path.
    const withCredentials = (kind: string) => `GET http://user:pw@gw/${kind}/headers HTTP/1.1\r\nHost: gw\r\nzp-rid: rid-c\r\nConnection: close\r\n\r\n`;
    const fastCredentials = comparable(await rawExchange(gw.port, withCredentials('fast')), '/fast/');
    expect(fastCredentials).toBe(comparable(await rawExchange(gw.port, withCredentials('slow')), '/slow/'));
    expect(fastCredentials).toMatch(/^HTTP\/1\.1 500 /);
    // The cases above did reach the origin and came back as written (not both failing alike).
    const headers = comparable(await rawExchange(gw.port, 'GET /fast/headers HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n'), '/fast/');
    expect(headers).toMatch(/^HTTP\/1\.1 200 Fine Thanks\r\nset-cookie: a=1\r\nset-cookie: b=2\r\na-latin: caf\xe9\r\ncontent-length: 5\r\ncontent-type: text\/plain\r\nempty: \r\nx-b: 1, 2\r\nzed: last\r\nzp-rid: [0-9a-f-]{36}\r\n/);
    expect(headers.endsWith('\r\n\r\nhello')).toBe(true);
  });

  test('an origin that is not there: the same failure answer and log lines on both paths', async () => {
    const origin = await startRawOrigin();
    const gone = origin.url;
    await origin.close();
    const logs: string[] = [];
    await using gw = await startGateway({
      routes: routesDoc([
        { path: '/fast', handler: forward({ baseUrl: gone }) },
        { path: '/slow', handler: forward({ baseUrl: '${env.ORIGIN}' }) },
      ]),
      environment: { ORIGIN: gone },
      environmentType: 'production',
      onLog: (line) => logs.push(line),
    });
    const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gw\r\nzp-rid: rid-1\r\nConnection: close\r\n\r\n`;
    const fast = comparable(await rawExchange(gw.port, request('/fast')), '/fast');
    const fastLogs = logs.splice(0).map((l) => l.replaceAll('/fast', '<path>').replace(/ \d+ms$/, ''));
    const slow = comparable(await rawExchange(gw.port, request('/slow')), '/slow');
    const slowLogs = logs.splice(0).map((l) => l.replaceAll('/slow', '<path>').replace(/ \d+ms$/, ''));
    expect(fast).toMatch(/^HTTP\/1\.1 5\d\d /);
    expect(fast).toBe(slow);
    expect(fastLogs).toEqual(slowLogs);
  });

  test.each([
    ['fast path (constant baseUrl)', false],
    ['handler path (template baseUrl)', true],
  ])('the client going away cancels the upstream request: %s', async (_name, template) => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    await using slow = await listenWithHandle(
      createHttpServer((req) => {
        arrived();
        req.socket.once('close', () => upstreamClosed()); // never answers
      }),
      { protocol: 'http' },
    );
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/slow', handler: forward({ baseUrl: template ? '${env.SLOW}' : slow.url }) }]),
      environment: { SLOW: slow.url },
    });
    const client = new AbortController();
    const pending = fetch(`${gw.url}/slow`, { signal: client.signal }).catch(() => undefined);
    await requestArrived;
    client.abort();
    await pending;
    await closed; // resolves only if the gateway cancelled its upstream request
    expect(gw.upstream.at(-1)).toMatchObject({ failureClass: 'upstream-timeout', errorCode: 'AbortError' });
  });
});
