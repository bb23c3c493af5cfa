/**
 * What a target app is built from: the kinds and their options. Kept apart from index.ts so the
 * apps and the module that starts them do not import each other, and apart from express's types so
 * the published declarations of the public options do not need @types/express.
 */
export const TARGET_KINDS = ['echo', 'verifying', 'reset', 'slow', 'malformed', 'close', 'form-decoding', 'header-limit-8k'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * The largest request header block a target accepts, in bytes. ALB forwards client header blocks of
 * up to 64 KB and adds its own (X-Forwarded-*, the X-Amzn-Mtls-* certificate headers), so a target
 * behind it must take more than Node's default 16 KB.
 */
export const TARGET_MAX_HEADER_BYTES = 128 * 1024;

export interface TargetOptions {
  kind: TargetKind;
  /** `verifying`: the CA(s) the target trusts for the forwarded client chain (PEM). Required for `verifying`. */
  trustedCa?: string;
  /** `slow`: how long to wait before answering, ms. Default 1_000. */
  delayMs?: number;
  /** `verifying`: the header carrying the URL-encoded PEM chain. Default `x-amzn-mtls-clientcert` (ALB passthrough). */
  headerName?: string;
  /** `verifying`: the clock for validity checks. Default: the current time. */
  now?: () => Date;
  /** `echo`: a name returned in the body and the `x-target` header (tells round-robin targets apart). Default `echo`. */
  name?: string;
  /** How many received requests `requests` keeps (the newest). Default 1_000. */
  maxRequests?: number;
}

/** What the echo target answers: what it received, as JSON. */
export interface EchoBody {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The request target exactly as received (path and query). */
  url: string;
  query: Record<string, unknown>;
  /** Lower-cased header names, as Node joins them. */
  headers: Record<string, string | string[] | undefined>;
  /** Header names exactly as sent, in order. */
  rawHeaderNames: string[];
  /** The request body, as UTF-8 text. */
  body: string;
  /** The target's `name` option (round-robin checks). */
  name: string;
}
