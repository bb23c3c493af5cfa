import type { FailureClass } from '../../harness/gateway/types.ts';
import type { Scenario, ScenarioExpected } from '../types.ts';
import { fails522 } from './fails-522.ts';

/**
 * The seed's "522" troubleshooting scenarios seen from local development (`zuplo dev`), so a user
 * who compares both sees why they differ. The deployed edge answers 522 when the connection fails
 * before any HTTP response; `zuplo dev` never does: its fetch throws and the runtime answers 500
 * with the engine's message. On a managed-edge project (workerd, the seed's kind) there are no
 * certificate bindings and only public CAs are trusted, so every one of these stops before the
 * ALB judges a certificate. On a managed-dedicated project (Deno, `zuplo dev --mtls-certs`) the
 * certificate is presented and the ALB gives the same verdict as deployed; only the answer differs.
 */

const CONNECTION_LOST = 'Network connection lost.';
const INTERNAL_ERROR = 'internal error';

/** zuplo dev on a managed-edge project: what stops the call first, and what it answers. */
function edgeOutcome(deployed: Scenario): { expected: ScenarioExpected; why: string } {
  const names = deployed.gateway.handler === 'url-forward' && deployed.gateway.mtlsCertificate !== undefined;
  if (names) {
    const name = deployed.gateway.mtlsCertificate!;
    return {
      expected: {
        status: 500,
        tlsVerifyStatus: null,
        failureClass: 'binding-missing',
        reachesTarget: false,
        bodyIncludes: [`mTLS certificate binding '${name}' not found. Ensure the certificate is uploaded and properly configured.`],
      },
      why: `zuplo dev on a managed-edge project has no certificate bindings, so the runtime throws "binding '${name}' not found" before connecting`,
    };
  }
  if (deployed.alb.down) {
    return {
      expected: { status: 500, tlsVerifyStatus: null, failureClass: 'connect-refused', reachesTarget: false, bodyIncludes: [CONNECTION_LOST] },
      why: `workerd's fetch fails with "${CONNECTION_LOST}"`,
    };
  }
  return {
    expected: { status: 500, tlsVerifyStatus: null, failureClass: 'origin-untrusted', reachesTarget: false, bodyIncludes: [`"detail": "${INTERNAL_ERROR}"`] },
    why: `workerd trusts only the public web CAs, so it refuses the ALB's private server certificate with "${INTERNAL_ERROR}" before the ALB judges anything`,
  };
}

/** zuplo dev on a managed-dedicated project: the same failure as deployed, answered as Deno's fetch error. */
function dedicatedOutcome(deployed: Scenario): { expected: ScenarioExpected; why: string } {
  const failureClass = deployed.expected.failureClass as FailureClass | null;
  if (failureClass === 'binding-missing') return { expected: deployed.expected, why: 'the name matches no certificate in .zuplo-local/mtls either' };
  return {
    expected: { ...deployed.expected, status: 500, bodyIncludes: ['error sending request for url ('] },
    why: "the failure is the same as deployed, but Deno's fetch throws and the runtime answers 500 with its message",
  };
}

function localVariant(deployed: Scenario, projectType: 'managed-edge' | 'managed-dedicated'): Scenario {
  const { expected, why } = projectType === 'managed-edge' ? edgeOutcome(deployed) : dedicatedOutcome(deployed);
  const where = projectType === 'managed-edge' ? 'zuplo dev, managed-edge project' : 'zuplo dev --mtls-certs, managed-dedicated project';
  return {
    ...deployed,
    id: `${deployed.id}-zuplo-dev${projectType === 'managed-dedicated' ? '-dedicated' : ''}`,
    title: `${deployed.title} (${where})`,
    gateway: { ...deployed.gateway, environmentType: 'local', projectType },
    expected,
    explanation:
      `Deployed: ${deployed.expected.status}. Local development (${where}): ${expected.status}, because ${why}. ` +
      `What happened deployed: ${deployed.explanation}`,
    fix:
      projectType === 'managed-edge'
        ? 'Reproduce this in a deployed (preview) environment, or locally with a managed-dedicated project and zuplo dev --mtls-certs; ' +
          `zuplo dev on a managed-edge project cannot present a certificate or reach a private-CA origin. ${deployed.fix}`
        : deployed.fix,
  };
}

/** Each 522-section scenario once per local project type, in the order of the deployed ones. */
export const fails522Local: Scenario[] = fails522.flatMap((s) => [localVariant(s, 'managed-edge'), localVariant(s, 'managed-dedicated')]);
