/**
 * Fuzzed inputs for the soak run, from a seeded generator so a failing run can be replayed with
 * the same SOAK_SEED.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const bytes = (rand: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

/** The start of a TLS ClientHello record (handshake, TLS 1.0 record version): mutated, it reaches the TLS parser. */
const CLIENT_HELLO_PREFIX = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

/** Bytes a broken or hostile client sends instead of a TLS handshake. */
export function fuzzHandshakeBytes(rand: () => number): Buffer {
  switch (Math.floor(rand() * 4)) {
    case 0:
      return bytes(rand, 1 + Math.floor(rand() * 300));
    case 1: {
      const hello = Buffer.concat([CLIENT_HELLO_PREFIX, bytes(rand, Math.floor(rand() * 200))]);
      hello[Math.floor(rand() * hello.length)] = Math.floor(rand() * 256);
      return hello;
    }
    case 2:
      return Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'); // plain HTTP to a TLS port
    default:
      return Buffer.alloc(0); // connect and say nothing
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'];
const PATHS = ['/', '/a/b', '/%E0%A4%A', '/%', '/..%2f..%2fetc/passwd', '/?q=%ff', '/a?b=c&b=d', '//x', '/a%00b', '/~user/./x/../y'];
const HEADER_NAMES = ['X-Forwarded-For', 'X-Amzn-Mtls-Clientcert', 'X-Amzn-Mtls-Clientcert-Subject', 'X-Amzn-Trace-Id', 'User-Agent', 'X-A', 'Connection', 'Cookie'];
/** Request lines and header lines no HTTP parser accepts: the server answers 400 and closes. */
const MALFORMED = ['BREW / HTTP/1.1', 'G ET / HTTP/1.1', ' / HTTP/1.1', 'GET * HTTP/1.1', 'GET /\u00e9 HTTP/1.1', 'GET / HTTP/9.9', 'GET / HTTP/1.1\r\nX A: b', 'GET / HTTP/1.1\r\nno colon', 'GET / HTTP/1.1\r\n: empty name'];

function headerValue(rand: () => number): string {
  switch (Math.floor(rand() * 6)) {
    case 0:
      return Array.from({ length: Math.floor(rand() * 40) }, (_, i) => `10.0.${i}.1`).join(', '); // over 30 addresses: 463
    case 1:
      // Now and then over ALB's 16 KB single-header limit (400); mostly a few hundred bytes.
      return 'x'.repeat(rand() < 0.05 ? 16_400 : Math.floor(rand() * 600));
    case 2:
      return bytes(rand, 20).toString('base64');
    case 3:
      return String(Math.floor(rand() * 100) - 5);
    case 4:
      return 'Root=1-00000000-000000000000000000000000;Self=x';
    default:
      return 'keep-alive';
  }
}

/**
 * One HTTP/1.1 request, never with a body the server would wait for. Most are well formed with odd
 * content (bad percent-encoding, forged mTLS headers, long or many X-Forwarded-For addresses); a few
 * (`malformedShare`) break the syntax, which makes the server answer 400 and close.
 */
export function fuzzRequest(rand: () => number, malformedShare = 0.03): Buffer {
  if (rand() < malformedShare) return Buffer.from(`${pick(rand, MALFORMED)}\r\nHost: localhost\r\n\r\n`, 'latin1');
  const lines = [`${pick(rand, METHODS)} ${pick(rand, PATHS)} HTTP/1.1`, 'Host: localhost'];
  const headerCount = Math.floor(rand() * 4);
  for (let i = 0; i < headerCount; i++) lines.push(`${pick(rand, HEADER_NAMES)}: ${headerValue(rand)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
