import { X509Certificate } from 'node:crypto';
import type { TargetApp } from './target-app.ts';

const PASSTHROUGH_HEADER = 'x-amzn-mtls-clientcert';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * An app behind an ALB in passthrough mode that decodes `X-Amzn-Mtls-Clientcert` as form data
 * (`+` read as a space, as Go's url.QueryUnescape or a query-string parser does). The ALB leaves
 * `+` unescaped, so any `+` in the base64 becomes a space and the PEM no longer parses: 400 JSON
 * `{error, reason}`. A chain that parses gets 200 JSON `{subject}`.
 */
export const formDecodingApp: TargetApp = (app) => {
  app.all('/{*path}', (req, res) => {
    const raw = req.headers[PASSTHROUGH_HEADER];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) {
      res.status(401).json({ error: 'no client certificate', reason: `header ${PASSTHROUGH_HEADER} is missing` });
      return;
    }
    const decoded = new URLSearchParams(`c=${value}`).get('c') ?? '';
    const blocks = decoded.match(PEM_BLOCK) ?? [];
    try {
      if (blocks.length === 0) throw new Error('no PEM block');
      const leaf = new X509Certificate(blocks[0]!);
      res.status(200).json({ subject: leaf.subject });
    } catch (err) {
      res.status(400).json({ error: 'client certificate header is not a valid PEM certificate', reason: (err as Error).message });
    }
  });
};

/** nginx's default `large_client_header_buffers 4 8k`: one header line may hold at most 8 KB. */
export const HEADER_LINE_LIMIT_BYTES = 8 * 1024;

/**
 * An app with an 8 KB limit per header line, as nginx (default `large_client_header_buffers 4 8k`),
 * gunicorn (`limit_request_field_size` 8190) and many app servers have. A longer line gets nginx's
 * 400 page "Request Header Or Cookie Too Large"; anything else is echoed as JSON `{headers}`.
 */
export const headerLimitApp: TargetApp = (app) => {
  app.all('/{*path}', (req, res) => {
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const line = Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      if (line > HEADER_LINE_LIMIT_BYTES) {
        res.status(400).type('html').send(
          '<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n' +
            '<center>Request Header Or Cookie Too Large</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
        );
        return;
      }
    }
    res.status(200).json({ headers: req.headers });
  });
};

/** The kinds this file adds to `startTarget`. */
export const ALB_CONSUMER_APPS = { 'form-decoding': formDecodingApp, 'header-limit-8k': headerLimitApp } as const;
