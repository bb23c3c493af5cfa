import { currentGateway } from '../gateway-context.ts';
import { problemResponse } from '../problems.ts';
import type { HeadersInit } from '../fetch-types.ts';

type ProblemFn = (
  request: Request,
  context: { requestId: string },
  overrides?: Record<string, unknown>,
  additionalHeaders?: HeadersInit,
) => Response;

function problem(status: number): ProblemFn {
  return (request, context, overrides, additionalHeaders) =>
    problemResponse({
      status,
      url: request.url,
      requestId: context.requestId,
      buildId: currentGateway()?.buildId ?? 'local',
      rayId: request.headers.get('cf-ray'),
      overrides,
      headers: additionalHeaders,
    });
}

/** Zuplo's `HttpProblems`: problem+json responses in the runtime's field order; `overrides` may set `detail`, `title`, extensions. */
export const HttpProblems = {
  badRequest: problem(400),
  unauthorized: problem(401),
  forbidden: problem(403),
  notFound: problem(404),
  methodNotAllowed: problem(405),
  notAcceptable: problem(406),
  requestTimeout: problem(408),
  conflict: problem(409),
  tooManyRequests: problem(429),
  internalServerError: problem(500),
  notImplemented: problem(501),
  badGateway: problem(502),
  serviceUnavailable: problem(503),
  gatewayTimeout: problem(504),
  /** Any status, with its standard title. */
  getProblemFromStatus(
    status: number,
    request: Request,
    context: { requestId: string },
    overrides?: Record<string, unknown>,
    additionalHeaders?: HeadersInit,
  ): Response {
    return problem(status)(request, context, overrides, additionalHeaders);
  },
};
