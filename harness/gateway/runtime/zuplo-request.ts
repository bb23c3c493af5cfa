/** A user on a request (set by auth policies; the emulator runs none, so it stays undefined). */
export interface RequestUser {
  sub: string;
  data?: Record<string, unknown>;
}

export interface ZuploRequestInit extends RequestInit {
  /** Path parameters from the matched route. */
  params?: Record<string, string>;
  user?: RequestUser;
}

/** `ZuploRequest`: a WHATWG Request plus the route's `params`, the parsed `query`, and `user`. */
export class ZuploRequest extends Request {
  readonly params: Record<string, string>;
  user: RequestUser | undefined;

  constructor(input: string | URL | Request, init: ZuploRequestInit = {}) {
    const { params, user, ...rest } = init;
    super(input, rest);
    this.params = params ?? (input instanceof ZuploRequest ? input.params : {});
    this.user = user ?? (input instanceof ZuploRequest ? input.user : undefined);
  }

  /** The query string as a plain object; for a repeated key the last value wins (use `new URL(request.url).searchParams` for all). */
  get query(): Record<string, string> {
    return Object.fromEntries(new URL(this.url).searchParams);
  }
}
