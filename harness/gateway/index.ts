/** The gateway emulator: a Zuplo-like runtime in front of an mTLS origin. */
export { startGateway, LOCAL_MTLS_DIR } from './start-gateway.ts';
export { CertificateStore } from './cert-store.ts';
export { BINDING_INVALID, BINDING_NOT_FOUND, UpstreamError, isUpstreamError } from './upstream-error.ts';
export { DEFAULT_COMPATIBILITY_DATE, compatFlags } from './compat.ts';
export type { CompatFlags } from './compat.ts';
export { EDGE_FAILURE_TITLE, WORKERD_CONNECTION_LOST, WORKERD_INTERNAL_ERROR, statusFor } from './failure-answer.ts';
export { EMULATED_RUNTIMES, emulatedRuntime, localEdgeTrustFinding, runtimeBanner } from './emulated-runtime.ts';
export type { EmulatedRuntime, RuntimeFinding } from './emulated-runtime.ts';
export { checkOriginCa, parseResolve } from './start-options.ts';
export { formatUpstreamRecord } from './upstream-log.ts';
export { duplicateRouteMessage, noHandlerMessage } from './routes.ts';
export { ENV_NOT_EXPECTED, IMPORT_NOT_EXPECTED, envInTemplateWarning } from './env-selectors.ts';
export { forwardingLogLine, invalidUrlMessage, requiredOptionMessage, timeoutDetail, timeoutOptionMessage } from './handlers/upstream-call.ts';
export { BODY_USED_MESSAGE, handlerErrorLogLine } from './dispatch.ts';
export { MTLS_UNSUPPORTED } from './gateway-context.ts';
export * from './types.ts';
