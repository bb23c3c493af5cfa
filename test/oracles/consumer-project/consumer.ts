// Compiled by `tsc --strict` (module NodeNext, no DOM lib, skipLibCheck off): the package's
// declarations must type-check as a consumer sees them.
import {
  createPki,
  startAlb,
  startTarget,
  type AlbHandle,
  type AlbOptions,
  type ConnectionLogEntry,
  type AccessLogEntry,
  type Pki,
  type Scenario,
  type TargetHandle,
  type TargetOptions,
  type TlsVerifyStatus,
} from 'alb-mtls-harness';

export async function verifyModeStatus(): Promise<ConnectionLogEntry['tlsVerifyStatus'] | undefined> {
  const pki: Pki = await createPki({ keyType: 'ec' });
  const targetOptions: TargetOptions = { kind: 'echo' };
  await using target: TargetHandle = await startTarget(targetOptions);
  const options: AlbOptions = {
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
    targets: [target.url],
  };
  await using alb: AlbHandle = await startAlb(options);
  const last: ConnectionLogEntry | undefined = alb.connectionLog.entries.at(-1);
  const access: AccessLogEntry | undefined = alb.accessLog.entries.at(-1);
  void access;
  const success: TlsVerifyStatus = 'Success';
  void success;
  return last?.tlsVerifyStatus;
}

export const scenarioIds = (list: readonly Scenario[]): string[] => list.map((s) => s.id);
