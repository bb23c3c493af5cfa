import { randomUUID } from 'node:crypto';
import { currentGateway, type LogLevel } from '../gateway-context.ts';

/** The route a request matched, as handlers see it in `context.route`. */
export interface RouteConfiguration {
  /** The path as written in routes.oas.json. */
  path: string;
  pathMode: 'open-api' | 'url-pattern';
  methods: string[];
  handler: {
    export: string;
    /** The module specifier, without `$import(...)`, e.g. `@zuplo/runtime` or `./modules/hello`. */
    module: string;
    /** Options after `$env()` resolution; `baseUrl` / `rewritePattern` stay template text. */
    options: Record<string, unknown>;
  };
  policies?: { inbound?: string[]; outbound?: string[] };
  corsPolicy?: string;
  /** The file the route came from, relative to the project (e.g. `config/routes.oas.json`). */
  file: string;
}

export interface ZuploLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** The per-request context passed to handlers: `requestId`, `route`, `custom`, `waitUntil`, `log`. */
export class ZuploContext {
  readonly requestId: string;
  readonly contextId: string = randomUUID();
  readonly route: RouteConfiguration;
  /** Free-form per-request storage for user code. */
  readonly custom: Record<string, unknown> = {};
  readonly log: ZuploLogger;
  readonly #waitUntil: (promise: Promise<unknown>) => void;

  constructor(init: {
    requestId: string;
    route: RouteConfiguration;
    waitUntil?: (promise: Promise<unknown>) => void;
    log?: (level: LogLevel, args: unknown[]) => void;
  }) {
    this.requestId = init.requestId;
    this.route = init.route;
    this.#waitUntil = init.waitUntil ?? ((p) => void p.catch(() => {}));
    const write = init.log ?? ((level: LogLevel, args: unknown[]) => currentGateway()?.log(level, init.requestId, args));
    this.log = {
      debug: (...args) => write('debug', args),
      info: (...args) => write('info', args),
      log: (...args) => write('log', args),
      warn: (...args) => write('warn', args),
      error: (...args) => write('error', args),
    };
  }

  /** Keeps work alive after the response is sent; the gateway's close() waits for it. */
  waitUntil(promise: Promise<unknown>): void {
    this.#waitUntil(promise);
  }
}
