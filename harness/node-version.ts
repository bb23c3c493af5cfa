/**
 * The oldest Node this package runs on (package.json `engines` says the same; a test keeps them
 * equal). Checked first by the library entry and the CLI so that an older Node gets one clear
 * message instead of whatever API it lacks failing somewhere later.
 */
export const MINIMUM_NODE = '20.18.0';

/** The message for `version` (e.g. `process.versions.node`), or undefined when it is new enough. */
export function unsupportedNodeMessage(version: string, minimum: string = MINIMUM_NODE): string | undefined {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) > need[i]!) return undefined;
    if ((have[i] ?? 0) < need[i]!) {
      return `alb-mtls-harness needs Node.js ${minimum} or newer; this is Node.js ${version}. Install a current Node (https://nodejs.org) and run again.`;
    }
  }
  return undefined;
}
