/** The gateway emulator: a Zuplo-like runtime in front of an mTLS origin. */
export { startGateway } from './start-gateway.ts';
export { CertificateStore } from './cert-store.ts';
export { BINDING_INVALID, BINDING_NOT_FOUND, UpstreamError } from './outbound.ts';
export { DEFAULT_COMPATIBILITY_DATE, compatFlags } from './compat.ts';
export type { CompatFlags } from './compat.ts';
export { EDGE_FAILURE_TITLE } from './failures.ts';
export { duplicateRouteMessage, noHandlerMessage } from './routes.ts';
export { ENV_NOT_EXPECTED, IMPORT_NOT_EXPECTED, envInTemplateWarning } from './env-selectors.ts';
export { requiredOptionMessage, timeoutDetail, timeoutOptionMessage } from './handlers/upstream-call.ts';
export { MTLS_UNSUPPORTED } from './gateway-context.ts';
export type * from './types.ts';
