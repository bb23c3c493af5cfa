import { connect as tcpConnect, type Socket } from 'node:net';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import type { RoutesDocument } from '../../harness/gateway/types.ts';
import { type Breaches, fdCount, settledFdCount, settledMemoryMb } from './measure.ts';
import { RawResponseReader } from './raw-http.ts';

/**
 * The full-path phase of the soak run: requests through the gateway (urlForwardHandler with
 * mtlsCertificate) -> ALB in verify mode -> echo target, on keep-alive client connections, mixed
 * with requests that fail on purpose so the error paths are soaked too:
 *   - a route whose certificate the ALB does not trust: handshake rejected, the gateway answers 522
 *     (each such request is a new TLS handshake at the ALB);
 *   - a route to an ALB in the http-403 model with an expired certificate: the ALB answers 403;
 *   - clients that abort mid-request: half a POST body then a hang-up, or a whole GET and a hang-up
 *     before the answer (the gateway must give up on the upstream call and free everything).
 * RSS after GC is taken after a warm-up, after half the requests and at the end; every request
 * that was not aborted must be answered with its route's status; the process must hold no more file
 * descriptors at the end than at the start (the ALB's pool to its target excepted, as in the
 * other phases; the gateway's keep-alive pool to the ALB closes after its idle timeout).
 */

export interface FullPathOptions {
  requests: number;
  /** Client connections at once. */
  concurrency: number;
  /** A client connection is closed (and another opened) after this many requests. */
  requestsPerConnection: number;
  rssBoundMb: number;
  rssGrowthMb: number;
  /** The JS heap in use after GC may grow this much over the second half: more sensitive to a leak than RSS. */
  heapGrowthMb: number;
  breaches: Breaches;
}

const KINDS = ['ok', 'post', 'untrusted', 'forbidden', 'abortBody', 'abortAnswer'] as const;
type Kind = (typeof KINDS)[number];
/** What the gateway answers each kind of request with; null: the client hangs up first. */
const EXPECTED: Record<Kind, number | null> = { ok: 200, post: 200, untrusted: 522, forbidden: 403, abortBody: null, abortAnswer: null };

/** The mix, by request number: 2% untrusted, 2% forbidden, 1% + 1% aborted, 10% POST with a 1 KB body, the rest GET. */
function kindOf(i: number): Kind {
  const m = i % 100;
  if (m === 7 || m === 57) return 'untrusted';
  if (m === 19 || m === 69) return 'forbidden';
  if (m === 33) return 'abortBody';
  if (m === 83) return 'abortAnswer';
  return m % 10 === 5 ? 'post' : 'ok';
}

const BODY = 'x'.repeat(1024);
const request = (kind: Kind, i: number): string => {
  const path = { ok: '/ok', post: '/ok', untrusted: '/untrusted', forbidden: '/forbidden', abortBody: '/ok', abortAnswer: '/ok' }[kind];
  if (kind === 'post') return `POST ${path}?n=${i} HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
  // Announces 4 KB and sends 1 KB: the gateway is mid-body when the client goes.
  if (kind === 'abortBody') return `POST ${path}?n=${i} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 4096\r\n\r\n${BODY}`;
  return `GET ${path}?n=${i} HTTP/1.1\r\nHost: gateway\r\n\r\n`;
};

function forwardRoute(baseUrl: string, mtlsCertificate: string, methods: string[]): Record<string, unknown> {
  const route = { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl, mtlsCertificate } } } };
  return Object.fromEntries(methods.map((m) => [m, route]));
}

export interface FullPathSummary {
  requests: number;
  warmUpRequests: number;
  answered: number;
  aborted: number;
  unanswered: number;
  clientConnections: number;
  statuses: Record<string, Record<string, number>>;
  rssMb: { start: number; half: number; end: number; boundMb: number; steadyGrowthBoundMb: number };
  heapUsedMb: { start: number; half: number; end: number; steadyGrowthBoundMb: number };
  fds: { start: number; end: number };
  seconds: number;
  /** CPU time of the whole process (client, gateway, ALBs and target share it): on an idle machine, about the phase's wall time. */
  cpuSeconds: number;
  requestsPerSecond: number;
}

export async function fullPathPhase(pki: Pki, targetUrl: string, options: FullPathOptions): Promise<FullPathSummary> {
  const { breaches } = options;
  const targetPort = Number(new URL(targetUrl).port);
  const verify: AlbOptions = {
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] } },
    targets: [targetUrl],
  };
  await using alb = await startAlb(verify);
  await using alb403 = await startAlb({ ...verify, verifyFailure: 'http-403' });
  const routes: RoutesDocument = {
    openapi: '3.1.0',
    paths: {
      '/ok': forwardRoute(alb.url, 'good', ['get', 'post']),
      '/untrusted': forwardRoute(alb.url, 'untrusted', ['get']),
      '/forbidden': forwardRoute(alb403.url, 'expired', ['get']),
    },
  };
  const certificate = (name: string, variant: 'good' | 'untrusted-root' | 'expired') => ({
    name,
    cert: pki.clients[variant].chainPem,
    key: pki.clients[variant].keyPem,
    environmentTypes: ['production' as const],
  });
  await using gateway = await startGateway({
    routes,
    environmentType: 'production',
    certificates: [certificate('good', 'good'), certificate('untrusted', 'untrusted-root'), certificate('expired', 'expired')],
    originCa: pki.root.certPem,
  });
  const gatewayPort = Number(new URL(gateway.url).port);

  const statuses = new Map<Kind, Map<string, number>>(KINDS.map((k) => [k, new Map()]));
  let answered = 0;
  let aborted = 0;
  let unanswered = 0;
  let clientConnections = 0;

  /** Sends requests `from`..`to` (exclusive) over `concurrency` keep-alive connections. */
  const run = async (from: number, to: number) => {
    let next = from;
    const client = async () => {
      while (next < to) {
        clientConnections++;
        const socket = tcpConnect(gatewayPort, '127.0.0.1');
        socket.setNoDelay(true);
        socket.on('error', () => undefined);
        const reader = new RawResponseReader(socket);
        await new Promise<void>((resolve) => {
          socket.once('connect', () => resolve());
          socket.once('close', () => resolve());
        });
        for (let sent = 0; sent < options.requestsPerConnection && next < to && !socket.destroyed; sent++) {
          const i = next++;
          const kind = kindOf(i);
          socket.write(request(kind, i));
          if (EXPECTED[kind] === null) {
            // Long enough for the gateway to have started its upstream call, then gone.
            await new Promise((resolve) => setTimeout(resolve, kind === 'abortBody' ? 5 : 1));
            aborted++;
            break;
          }
          const response = await reader.next();
          const got = response ? String(response.status) : 'none';
          const counts = statuses.get(kind)!;
          counts.set(got, (counts.get(got) ?? 0) + 1);
          if (!response) {
            unanswered++;
            breaches.add(`full path request ${i} (${kind}): no answer, expected ${EXPECTED[kind]}`);
            break;
          }
          answered++;
          if (response.status !== EXPECTED[kind]) breaches.add(`full path request ${i} (${kind}): HTTP ${response.status}, expected ${EXPECTED[kind]}`);
          if (response.closeAfter) break;
        }
        socket.destroy();
        await closed(socket);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, client));
  };

  // Warm-up: JIT, the gateway's and the ALB's pools, every in-memory log towards its capacity.
  const warmUp = Math.min(2_000, options.requests);
  await run(0, warmUp);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the gateway's idle pool closes (1 s), as at the end
  const startFds = fdCount([targetPort]);
  const startMemory = await settledMemoryMb();
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const half = Math.floor(options.requests / 2);
  await run(warmUp, warmUp + half);
  const halfMemory = await settledMemoryMb();
  await run(warmUp + half, warmUp + options.requests);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const endMemory = await settledMemoryMb();
  const [startRss, halfRss, endRss] = [startMemory.rss, halfMemory.rss, endMemory.rss];
  // The gateway's idle connections to the ALBs close after its keep-alive timeout (1 s).
  const endFds = await settledFdCount([targetPort], startFds, 5_000);

  const total = options.requests + warmUp;
  if (answered + aborted + unanswered !== total) breaches.add(`full path: ${answered} answered + ${aborted} aborted + ${unanswered} unanswered, ${total} sent`);
  if (endFds > startFds) breaches.add(`full path: file descriptors: ${startFds} after the warm-up, ${endFds} at the end`);
  if (endRss - startRss > options.rssBoundMb) breaches.add(`full path: RSS grew ${(endRss - startRss).toFixed(1)} MB over ${options.requests} requests, bound ${options.rssBoundMb} MB`);
  if (endRss - halfRss > options.rssGrowthMb) breaches.add(`full path: RSS grew ${(endRss - halfRss).toFixed(1)} MB over the second half, bound ${options.rssGrowthMb} MB`);
  const heapGrowth = endMemory.heapUsed - halfMemory.heapUsed;
  if (heapGrowth > options.heapGrowthMb) breaches.add(`full path: the JS heap in use grew ${heapGrowth.toFixed(1)} MB over the second half, bound ${options.heapGrowthMb} MB`);

  return {
    requests: options.requests,
    warmUpRequests: warmUp,
    answered,
    aborted,
    unanswered,
    clientConnections,
    statuses: Object.fromEntries([...statuses].map(([kind, counts]) => [kind, Object.fromEntries(counts)])),
    rssMb: { start: +startRss.toFixed(1), half: +halfRss.toFixed(1), end: +endRss.toFixed(1), boundMb: options.rssBoundMb, steadyGrowthBoundMb: options.rssGrowthMb },
    heapUsedMb: { start: +startMemory.heapUsed.toFixed(1), half: +halfMemory.heapUsed.toFixed(1), end: +endMemory.heapUsed.toFixed(1), steadyGrowthBoundMb: options.heapGrowthMb },
    fds: { start: startFds, end: endFds },
    seconds: +seconds.toFixed(1),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    requestsPerSecond: Math.round(options.requests / seconds),
  };
}

const closed = (socket: Socket) => new Promise((done) => (socket.closed ? done(null) : socket.once('close', done)));
