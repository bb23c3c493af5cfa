import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { parseAccessLogLine, parseConnectionLogLine, startAlb } from '../../harness/alb/index.ts';
import { createLogStream } from '../../harness/alb/log-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { albRequest, type AlbRequestError } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';
import { startTarget } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const ELB = 'app/my-alb/50dc6c495c0c9188';
const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z';

/** Two pipelined requests over one TLS connection; resolves with the client's local port. */
function twoRequestsOneConnection(port: number, context: tls.SecureContext): Promise<{ localPort: number; statuses: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: context }, () => {
      socket.write('GET /one HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('close', () => resolve({ localPort: socket.localPort ?? 0, statuses: text.match(/HTTP\/1\.1 \d{3}/g) ?? [] }));
    socket.on('error', reject);
  });
}

describe('connection log', () => {
  it('one line per connection in the 15-field format, and the access lines share its conn_trace_id', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const good = pki.clients.good.facts;
    const { statuses } = await twoRequestsOneConnection(alb.port, clientContext(pki, 'good', 'TLSv1.2'));
    expect(statuses).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    await alb.accessLog.waitFor(() => alb.accessLog.entries.length >= 2);
    expect(alb.connectionLog.entries).toHaveLength(1);
    const conn = alb.connectionLog.entries[0]!;
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
    expect(conn.raw).toMatch(
      new RegExp(
        `^${TS} 127\\.0\\.0\\.1 ${conn.clientPort} ${alb.port} TLSv1\\.2 ECDHE-ECDSA-AES128-GCM-SHA256 \\d+\\.\\d{3} ` +
          `"${good.subject}" NotBefore=${iso(good.notBefore)};NotAfter=${iso(good.notAfter)} ${good.serialNumber} Success ` +
          `TID_[0-9a-f]{32} - ${ELB} 127\\.0\\.0\\.1$`,
      ),
    );
    expect(conn.raw.split(' ')).toHaveLength(15);
    // The raw line parses back to the entry (minus the two fields that are not in AWS's format).
    const { reason: _reason, opensslAuthorizationError: _openssl, ...inFormat } = conn;
    expect(parseConnectionLogLine(conn.raw)).toEqual(inFormat);
    expect(conn.leafClientCertSubject).toBe(good.subject);

    const access = alb.accessLog.entries;
    expect(access.map((a) => a.connTraceId)).toEqual([conn.connTraceId, conn.connTraceId]);
    expect(access.map((a) => a.fields.request)).toEqual([
      `GET https://localhost:${alb.port}/one HTTP/1.1`,
      `GET https://localhost:${alb.port}/two HTTP/1.1`,
    ]);
  });

  it('a subject with RFC 2253 escapes (\\" \\, spaces) stays one quoted field and parses back', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const client = pki.clients['escaped-subject'];
    expect(client.facts.subject).toContain('\\"');
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'escaped-subject') });
    const conn = await alb.connectionLog.waitFor((c) => c.clientPort === res.localPort);
    expect(conn.raw).toContain(` "${client.facts.subject}" NotBefore=`);
    const parsed = parseConnectionLogLine(conn.raw);
    expect([parsed.leafClientCertSubject, parsed.leafClientCertSerialNumber, parsed.tlsVerifyStatus, parsed.connTraceId]).toEqual([
      client.facts.subject,
      client.facts.serialNumber,
      'Success',
      conn.connTraceId,
    ]);
  });

  it('rejected connections are logged too, with no access line', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    const err = await albRequest(alb.port, { secureContext: clientContext(pki, 'revoked') }).catch((e: AlbRequestError) => e);
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === (err as AlbRequestError).localPort);
    expect(entry.raw).toMatch(new RegExp(`^${TS} 127\\.0\\.0\\.1 \\d+ ${alb.port} TLSv1\\.3 TLS_AES_128_GCM_SHA256 - ".+" NotBefore=\\S+ [0-9A-F]+ Failed:ClientCertCrlHit TID_[0-9a-f]{32} - `));
    expect(alb.accessLog.entries).toHaveLength(0);
  });

  it('a connection that never completes TLS is logged as Failed:UnmappedConnectionError', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: { mode: 'passthrough' } });
    const localPort = await new Promise<number>((resolve) => {
      const socket = net.connect(alb.port, '127.0.0.1', () => {
        const port = socket.localPort ?? 0;
        socket.end('not a TLS ClientHello\r\n\r\n');
        socket.on('close', () => resolve(port));
        socket.resume();
      });
    });
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === localPort);
    expect(entry.tlsVerifyStatus).toBe('Failed:UnmappedConnectionError');
    expect(entry.raw).toMatch(new RegExp(`^${TS} 127\\.0\\.0\\.1 ${localPort} ${alb.port} - - - - - - Failed:UnmappedConnectionError TID_[0-9a-f]{32} - ${ELB} 127\\.0\\.0\\.1$`));
  });
});

describe('access log', () => {
  it('AWS field order, type https, target and status fields; parses back', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki), path: '/p?q=1', headers: { 'User-Agent': 'probe "x"/1' } });
    const entry = await alb.accessLog.waitFor(() => true);
    const targetHostPort = new URL(target.url).host;
    expect(entry.raw).toMatch(
      new RegExp(
        `^https ${TS} ${ELB} 127\\.0\\.0\\.1:${res.localPort} ${targetHostPort} \\d+\\.\\d{3} \\d+\\.\\d{3} \\d+\\.\\d{3} 200 200 \\d+ \\d+ ` +
          `"GET https://127\\.0\\.0\\.1:${alb.port}/p\\?q=1 HTTP/1\\.1" "probe \\\\"x\\\\"/1" TLS_AES_128_GCM_SHA256 TLSv1\\.3 - "Root=1-[0-9a-f]{8}-[0-9a-f]{24}" ` +
          `"localhost" "-" 0 ${TS} "forward" "-" "-" "${targetHostPort}" "200" "-" "-" TID_[0-9a-f]{32} "-" "-" "-"$`,
      ),
    );
    const parsed = parseAccessLogLine(entry.raw);
    expect(parsed).toEqual(entry);
    expect(parsed.fields.user_agent).toBe('probe "x"/1');
  });
});

describe('log files and streams', () => {
  it('appends raw lines to AWS-named files in logDirectory', async () => {
    await using dir = await tempDir('alb-logs-');
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], logDirectory: dir.path });
    await albRequest(alb.port, { secureContext: clientContext(pki) });
    await alb.accessLog.waitFor(() => true);
    const files = (await readdir(dir.path)).sort();
    const stem = '123456789012_elasticloadbalancing_us-east-1_app\\.my-alb\\.50dc6c495c0c9188_\\d{8}T\\d{4}Z_127\\.0\\.0\\.1_[0-9a-f]{8}\\.log';
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(new RegExp(`^${stem}$`));
    expect(files[1]).toMatch(new RegExp(`^conn_log_${stem}$`));
    expect(await readFile(`${dir.path}/${files[1]}`, 'utf8')).toBe(alb.connectionLog.entries.map((e) => `${e.raw}\n`).join(''));
    expect(await readFile(`${dir.path}/${files[0]}`, 'utf8')).toBe(alb.accessLog.entries.map((e) => `${e.raw}\n`).join(''));
  });

  it('subscribe sees new entries until unsubscribed; waitFor resolves past and future entries, and times out', async () => {
    const stream = createLogStream<number>('numbers');
    const seen: number[] = [];
    const unsubscribe = stream.subscribe((n) => seen.push(n));
    stream.push(1);
    unsubscribe();
    stream.push(2);
    expect(seen).toEqual([1]);
    expect(await stream.waitFor((n) => n === 2)).toBe(2);
    const future = stream.waitFor((n) => n === 3);
    stream.push(3);
    expect(await future).toBe(3);
    expect([...stream]).toEqual([1, 2, 3]);
    await expect(stream.waitFor((n) => n === 4, 10)).rejects.toMatchObject({ code: 'HARNESS_ERR_TIMEOUT' });
  });
});
