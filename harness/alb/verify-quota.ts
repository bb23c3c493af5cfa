/** The AWS quota "Listeners using mTLS in verify mode per load balancer" (the ALB guide's quotas page, "Trust stores" table): 2. */
export const MAX_VERIFY_LISTENERS = 2;

/**
 * The refusal of a listener beyond the quota, after the name of the listener (`listeners[2]`, a
 * logical ID): `position` is its number among the load balancer's verify listeners.
 */
export function verifyQuotaProblem(position: number): string {
  return `is listener number ${position} in verify mode; AWS allows ${MAX_VERIFY_LISTENERS} per load balancer (quota "Listeners using mTLS in verify mode per load balancer"). Use mode 'passthrough' or 'off' for it, or start another load balancer`;
}
