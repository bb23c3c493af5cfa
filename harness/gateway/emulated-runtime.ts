import type { EnvironmentType, FailureMode, ProjectType } from './types.ts';

/**
 * Which real runtime the gateway answers as. A deployed environment (development, preview,
 * production) runs on the managed edge with certificate bindings. Local development (`zuplo dev`)
 * runs workerd for a managed-edge project and Deno for a managed-dedicated one, and the two differ
 * in certificates, trusted CAs and failure texts.
 */
export const EMULATED_RUNTIMES = ['deployed', 'local-edge', 'local-dedicated'] as const;
export type EmulatedRuntime = (typeof EMULATED_RUNTIMES)[number];

export const DEFAULT_PROJECT_TYPE: ProjectType = 'managed-edge';

export function emulatedRuntime(environmentType: EnvironmentType, projectType: ProjectType = DEFAULT_PROJECT_TYPE): EmulatedRuntime {
  if (environmentType !== 'local') return 'deployed';
  return projectType === 'managed-dedicated' ? 'local-dedicated' : 'local-edge';
}

/** Whether `originCa` is honoured: workerd in local development trusts only the public web CAs. */
export function honoursOriginCa(runtime: EmulatedRuntime): boolean {
  return runtime !== 'local-edge';
}

/** The gateway's first line: which runtime it answers as, and what that means for certificates and failures. */
export function runtimeBanner(environmentType: EnvironmentType, projectType: ProjectType, failureMode?: FailureMode): string {
  const runtime = emulatedRuntime(environmentType, projectType);
  const override =
    failureMode === 'edge'
      ? ' The failure mode is set to edge: connection failures answer 522 here too.'
      : failureMode === 'runtime'
        ? " The failure mode is set to runtime: connection failures answer 500 with Node's own message."
        : '';
  switch (runtime) {
    case 'deployed':
      return (
        `Emulating a deployed Zuplo ${environmentType} environment (${projectType}): certificates enabled for ${environmentType} ` +
        'are bound by name, and a connection that fails before any HTTP response answers 522.' +
        override
      );
    case 'local-edge':
      return (
        'Emulating zuplo dev for a managed-edge project (workerd): no mTLS certificate bindings, only public web CAs are trusted ' +
        '(--origin-ca has no effect), and a failed connection answers 500 "Network connection lost." ' +
        '(an origin certificate it does not trust: 500 "internal error").' +
        override
      );
    case 'local-dedicated':
      return (
        'Emulating zuplo dev for a managed-dedicated project (Deno): certificates from .zuplo-local/mtls are presented, as ' +
        "zuplo dev --mtls-certs does, and a failed connection answers 500 with Deno's error text." +
        override
      );
  }
}

/** One finding about a configuration the real runtime cannot serve as the user expects. */
export interface RuntimeFinding {
  severity: 'warning';
  message: string;
  fix: string;
}

/**
 * Explains, for a start-up warning or a `doctor` finding, why local development on a managed-edge
 * project cannot reach an origin whose certificate comes from a private CA. `undefined` when the
 * limit does not apply (a deployed environment, a managed-dedicated project, or no private CA given).
 */
export function localEdgeTrustFinding(options: {
  environmentType: EnvironmentType;
  projectType?: ProjectType;
  /** Whether the user gave a private CA for the origin (`--origin-ca` / `originCa`). */
  originCaGiven: boolean;
}): RuntimeFinding | undefined {
  if (emulatedRuntime(options.environmentType, options.projectType) !== 'local-edge' || !options.originCaGiven) return undefined;
  return {
    severity: 'warning',
    message:
      'zuplo dev on a managed-edge project (workerd) trusts only the public web CAs, so the origin CA given has no effect: ' +
      'an origin whose certificate comes from a private CA (an ALB with a private server certificate) answers 500 "internal error" ' +
      'whatever you configure.',
    fix:
      'Test in a deployed environment (--env-type development, preview or production), or use a managed-dedicated project ' +
      '(projectType in zuplo.jsonc) with zuplo dev --mtls-certs.',
  };
}
