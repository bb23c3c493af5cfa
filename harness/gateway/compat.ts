import { UserError } from '../errors.ts';

/** The compatibility date a gateway uses when none is given: the default for projects created after 2025-03-27. */
export const DEFAULT_COMPATIBILITY_DATE = '2025-02-06';

/**
 * Behaviour switches that depend on the project's compatibility date (Zuplo's `compatibilityDate`
 * in zuplo.jsonc). Each flag is on for dates on or after the one in its comment.
 */
export interface CompatFlags {
  /** The date the flags were computed from. */
  readonly date: string;
  /** `2025-02-06`: open-api paths escape ``*+?()[].|^$\:`` before `{x}` → `:x`, so `{path}*` is a literal `*`. */
  readonly escapePathSpecialChars: boolean;
  /** `2025-02-06` (`useForwardRedirectsPropOnUrlForwardHandler`): the forward handler honours `followRedirects`. */
  readonly forwardHandlerHonoursFollowRedirects: boolean;
  /** `2024-01-15`: strip every `zp-*` / `cf-*` request header except `zp-rid`, `cf-ray`, `zp-body-removed`, and `x-real-ip`. */
  readonly stripAllInternalHeaders: boolean;
  /** `2026-03-01`: an unknown HTTP method answers 501 instead of 500. */
  readonly unknownMethodIs501: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Computes the flags for `date` (default {@link DEFAULT_COMPATIBILITY_DATE}); refuses text that is not `YYYY-MM-DD`. */
export function compatFlags(date: string = DEFAULT_COMPATIBILITY_DATE, source = 'compatibilityDate'): CompatFlags {
  // Round-trip through Date: Date.parse alone accepts days that do not exist (2025-02-30).
  const parsed = DATE.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${source}: "${date}" is not a date. Use the form YYYY-MM-DD, e.g. "${DEFAULT_COMPATIBILITY_DATE}".`,
    );
  }
  // ISO dates compare correctly as strings.
  return {
    date,
    escapePathSpecialChars: date >= '2025-02-06',
    forwardHandlerHonoursFollowRedirects: date >= '2025-02-06',
    stripAllInternalHeaders: date >= '2024-01-15',
    unknownMethodIs501: date >= '2026-03-01',
  };
}
