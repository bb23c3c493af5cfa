import type { Express } from 'express';

/**
 * What a target app is built from: the kinds and their options. Kept apart from index.ts so the
 * apps and the module that starts them do not import each other.
 */
export const TARGET_KINDS = ['echo', 'verifying', 'reset', 'slow', 'malformed', 'close'] as const;
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
  /** How many received requests `requests` keeps (the newest). Default 10_000. */
  maxRequests?: number;
}

/** Builds the per-kind routes; returns a cleanup run on close (timers of the slow target). */
export type TargetApp = (app: Express, options: TargetOptions) => (() => void) | void;
