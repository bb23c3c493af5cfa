/**
 * alb-mtls-harness: the path "gateway -> AWS ALB with mutual TLS -> targets", local and testable.
 * Every server factory resolves to a started handle with `url`, `port`, `close()` and
 * `Symbol.asyncDispose`, so tests write `await using alb = await startAlb(...)`.
 */
import './harness/require-node.ts';

export { createPki } from './certs/index.ts';
export type * from './certs/pki/types.ts';
export { ALB_FAILURE_CODES } from './certs/alb-codes.ts';
export type { AlbFailureCode, TlsVerifyStatus } from './certs/alb-codes.ts';
export { startAlb } from './harness/alb/index.ts';
export type * from './harness/alb/types.ts';
export { importAlbConfig, importLoadBalancerConfig, describeImport, describeLoadBalancerImport } from './harness/iac/index.ts';
export type * from './harness/iac/types.ts';
export {
  startGateway,
  UpstreamError,
  isUpstreamError,
  localEdgeTrustFinding,
  formatUpstreamRecord,
  ENVIRONMENT_TYPES,
  PROJECT_TYPES,
  FAILURE_CLASSES,
  FAILURE_MODES,
} from './harness/gateway/index.ts';
export type * from './harness/gateway/types.ts';
export type { EmulatedRuntime, RuntimeFinding } from './harness/gateway/index.ts';
export type { CompatFlags } from './harness/gateway/compat.ts';
export { startTarget } from './harness/targets/index.ts';
export type { TargetKind, TargetOptions, TargetHandle, ReceivedRequest, ChainVerdict } from './harness/targets/index.ts';
export { scenarios, runScenario, runScenarios } from './scenarios/index.ts';
export type * from './scenarios/types.ts';
export { doctor, verifyChain, DOCTOR_CHECKS } from './harness/doctor/index.ts';
export type { DoctorOptions, DoctorReport, Finding, VerifyChainOptions, VerifyChainResult, PemInput } from './harness/doctor/index.ts';
export { HarnessError, UserError } from './harness/errors.ts';
export type { HarnessErrorCode } from './harness/errors.ts';
export { renderHtmlReport, writeHtmlReport, startLiveUi } from './harness/report/index.ts';
export type { HtmlReportOptions, LiveUiHandle, LiveUiOptions } from './harness/report/index.ts';
export type { ServerHandle } from './harness/server-handle.ts';
