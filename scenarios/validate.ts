import { isTlsVerifyStatus } from '../certs/alb-codes.ts';
import { CLIENT_VARIANTS } from '../certs/pki/variants.ts';
import { UserError } from '../harness/errors.ts';
import { MUTUAL_AUTHENTICATION_MODES as MODES } from '../harness/alb/types.ts';
import {
  CERTIFICATE_ENVIRONMENT_TYPES as CERT_ENV_TYPES, ENVIRONMENT_TYPES as ENV_TYPES, FAILURE_CLASSES, FAILURE_MODES, PROJECT_TYPES,
} from '../harness/gateway/types.ts';
import {
  HANDLER_KINDS as HANDLERS, HEADER_FACTS as FACTS, REVOCATION_CHOICES as REVOCATIONS, SCENARIO_CALLERS, SCENARIO_CLOCKS, SEED_SECTIONS,
  SERVER_CERTIFICATE_CHOICES as SERVER_CERTS, STEP_ACTIONS, STEP_CONNECTIONS, TARGET_CHOICES as TARGETS, TRUST_STORE_CHOICES as TRUST_STORES, type Scenario,
} from './types.ts';
import { stepName } from './steps.ts';
import { EXTRA_CHAINS, TRUST_STORE_FIXTURES } from './fixtures/extra-pki.ts';

const REFUSAL_CODES = ['HARNESS_ERR_TRUST_STORE', 'HARNESS_ERR_CRL'];
const VARIANTS = Object.keys(CLIENT_VARIANTS);
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Problems = string[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegExp);
const list = (values: readonly string[]) => values.join(', ');

/**
 * Checks scenario data when it is loaded, so a typo fails at once with the scenario id, the field
 * and the fix, instead of as a confusing run. Throws one UserError (HARNESS_ERR_SCENARIO_INVALID)
 * listing every problem, each line `scenario <id>: <field> ...`.
 */
export function validateScenarios(scenarios: readonly unknown[]): Scenario[] {
  const problems: Problems = [];
  const seen = new Map<string, number>();
  scenarios.forEach((raw, index) => {
    const id = isObj(raw) && typeof raw.id === 'string' && raw.id !== '' ? raw.id : `#${index}`;
    const at = (field: string, message: string) => problems.push(`scenario ${id}: ${field} ${message}`);
    if (!isObj(raw)) {
      at('(whole)', 'must be an object with id, title, group, seedSection, alb, gateway, expected, explanation and fix.');
      return;
    }
    if (typeof raw.id !== 'string' || !ID.test(raw.id)) {
      at('id', `must be a kebab-case string (e.g. "client-cert-expired"); got ${JSON.stringify(raw.id)}.`);
    } else if (seen.has(raw.id)) {
      at('id', `is not unique: scenario #${seen.get(raw.id)} has it too. Give each scenario its own id.`);
    } else {
      seen.set(raw.id, index);
    }
    for (const field of ['title', 'explanation', 'fix'] as const) {
      if (typeof raw[field] !== 'string' || (raw[field] as string).trim() === '') at(field, 'is required: a non-empty string written for the person who hit the problem.');
    }
    checkSection(raw, at);
    if (raw.variant !== undefined) checkVariant('variant', raw.variant, at);
    if (raw.source !== undefined && (typeof raw.source !== 'string' || raw.source.trim() === '')) at('source', 'must be a non-empty string: the AWS page or public issue this comes from.');
    checkBuiltFixtures(raw, at);
    checkCaller(raw, at);
    checkAlb(raw.alb, at);
    checkGateway(raw.gateway, raw.variant !== undefined, at);
    checkRequest(raw.request, at);
    checkExpected(raw.expected, at);
    checkSteps(raw, at);
  });
  if (problems.length > 0) {
    throw new UserError('HARNESS_ERR_SCENARIO_INVALID', problems.join('\n'));
  }
  return scenarios as Scenario[];
}

type At = (field: string, message: string) => void;

function checkSection(raw: Obj, at: At): void {
  const groups = Object.keys(SEED_SECTIONS);
  if (typeof raw.group !== 'string' || !groups.includes(raw.group)) {
    at('group', `must be one of ${list(groups)}; got ${JSON.stringify(raw.group)}.`);
    return;
  }
  const heading = SEED_SECTIONS[raw.group as keyof typeof SEED_SECTIONS];
  if (raw.seedSection !== heading) at('seedSection', `must be the seed heading of group ${raw.group}: "${heading}"; got ${JSON.stringify(raw.seedSection)}.`);
}

/** `chain`, `alb.trustStoreFixture`, `alb.clock`, `alb.attributes` and `expected.albRefuses`. */
function checkBuiltFixtures(raw: Obj, at: At): void {
  checkChoice('chain', raw.chain, EXTRA_CHAINS, at);
  if (raw.chain !== undefined && (raw.variant !== undefined || (isObj(raw.gateway) && raw.gateway.certificates !== undefined))) {
    at('chain', 'cannot be combined with variant or gateway.certificates: it is the one certificate alb_cert; keep one of them.');
  }
  const alb = isObj(raw.alb) ? raw.alb : {};
  checkChoice('alb.trustStoreFixture', alb.trustStoreFixture, TRUST_STORE_FIXTURES, at);
  checkChoice('alb.clock', alb.clock, SCENARIO_CLOCKS, at);
  if (alb.clock !== undefined && raw.variant === undefined) at('alb.clock', 'is relative to the presented leaf: set variant too.');
  if (alb.attributes !== undefined && !(isObj(alb.attributes) && Object.values(alb.attributes).every((v) => typeof v === 'string'))) {
    at('alb.attributes', 'must be an object of string values (attribute key -> value), e.g. {"routing.http.drop_invalid_header_fields.enabled": "true"}.');
  }
  const refuses = isObj(raw.expected) ? raw.expected.albRefuses : undefined;
  if (refuses === undefined) return;
  if (!isObj(refuses) || typeof refuses.includes !== 'string') at('expected.albRefuses', `must be {code, includes}: code one of ${list(REFUSAL_CODES)}, includes a substring of the message.`);
  else checkChoice('expected.albRefuses.code', refuses.code, REFUSAL_CODES, at);
  if (typeof alb.trustStoreFixture !== 'string' || !alb.trustStoreFixture.startsWith('refused-')) {
    at('expected.albRefuses', 'needs alb.trustStoreFixture set to one of the refused-* stores (the run loads it, then the fixed store).');
  }
}

/** `caller`: an HTTP/2 client presents `variant` itself, so it needs one. */
function checkCaller(raw: Obj, at: At): void {
  checkChoice('caller', raw.caller, SCENARIO_CALLERS, at);
  if (raw.caller === 'h2-client' && raw.variant === undefined) {
    at('caller', 'h2-client presents the scenario\'s certificate to the ALB itself: set variant (a PKI client variant).');
  }
}

function checkVariant(field: string, value: unknown, at: At): void {
  if (typeof value !== 'string' || !VARIANTS.includes(value)) {
    at(field, `is not a PKI client variant: ${JSON.stringify(value)}. Use one of: ${list(VARIANTS)}.`);
  }
}

function checkChoice(field: string, value: unknown, choices: readonly string[], at: At): void {
  if (value !== undefined && (typeof value !== 'string' || !choices.includes(value))) {
    at(field, `must be one of ${list(choices)}; got ${JSON.stringify(value)}.`);
  }
}

function checkAlb(alb: unknown, at: At): void {
  if (!isObj(alb)) {
    at('alb', 'is required: an object with at least mode ("off", "passthrough" or "verify").');
    return;
  }
  if (alb.mode === undefined) at('alb.mode', `is required: one of ${list(MODES)}.`);
  checkChoice('alb.mode', alb.mode, MODES, at);
  checkChoice('alb.trustStore', alb.trustStore, TRUST_STORES, at);
  checkChoice('alb.serverCertificate', alb.serverCertificate, SERVER_CERTS, at);
  checkChoice('alb.target', alb.target, TARGETS, at);
  checkChoice('alb.verifyFailure', alb.verifyFailure, ['handshake', 'http-403'], at);
  if (alb.revocations !== undefined) {
    if (!Array.isArray(alb.revocations)) at('alb.revocations', `must be an array of ${list(REVOCATIONS)}.`);
    else alb.revocations.forEach((r, i) => checkChoice(`alb.revocations[${i}]`, r, REVOCATIONS, at));
  }
  for (const flag of ['ignoreClientCertificateExpiry', 'partialChain', 'down'] as const) {
    if (alb[flag] !== undefined && typeof alb[flag] !== 'boolean') at(`alb.${flag}`, `must be true or false; got ${JSON.stringify(alb[flag])}.`);
  }
  if (alb.targetDelayMs !== undefined && !(typeof alb.targetDelayMs === 'number' && alb.targetDelayMs >= 0)) {
    at('alb.targetDelayMs', 'must be a number of milliseconds >= 0.');
  }
  if (alb.mode !== 'verify') {
    for (const field of ['trustStore', 'revocations', 'ignoreClientCertificateExpiry', 'partialChain', 'verifyFailure', 'trustStoreFixture'] as const) {
      if (alb[field] !== undefined) at(`alb.${field}`, `applies to verify mode only (AWS rejects it for ${String(alb.mode)}); remove it or set alb.mode to "verify".`);
    }
  }
}

function checkGateway(gateway: unknown, hasVariant: boolean, at: At): void {
  if (!isObj(gateway)) {
    at('gateway', `is required: an object with handler (${list(HANDLERS)}).`);
    return;
  }
  if (gateway.handler === undefined) at('gateway.handler', `is required: one of ${list(HANDLERS)}.`);
  checkChoice('gateway.handler', gateway.handler, HANDLERS, at);
  checkChoice('gateway.environmentType', gateway.environmentType, ENV_TYPES, at);
  checkChoice('gateway.failureMode', gateway.failureMode, FAILURE_MODES, at);
  checkChoice('gateway.projectType', gateway.projectType, PROJECT_TYPES, at);
  if (gateway.mtlsCertificate !== undefined && gateway.handler !== 'url-forward') {
    at('gateway.mtlsCertificate', 'is used by the url-forward handler only; env-selected and function read $env(ALB_MTLS_CERT) (set gateway.environment.ALB_MTLS_CERT).');
  }
  if (gateway.mtlsCertificate !== undefined && typeof gateway.mtlsCertificate !== 'string') at('gateway.mtlsCertificate', 'must be a string (a certificate name).');
  if (gateway.requestTimeoutSeconds !== undefined && !(typeof gateway.requestTimeoutSeconds === 'number' && gateway.requestTimeoutSeconds > 0)) {
    at('gateway.requestTimeoutSeconds', 'must be a number of seconds > 0.');
  }
  if (gateway.environment !== undefined) {
    if (!isObj(gateway.environment)) at('gateway.environment', 'must be an object of string values.');
    else for (const [k, v] of Object.entries(gateway.environment)) if (typeof v !== 'string') at(`gateway.environment.${k}`, 'must be a string.');
  }
  if (gateway.certificates !== undefined) {
    if (hasVariant) at('gateway.certificates', 'cannot be combined with variant (variant is shorthand for one certificate named alb_cert); keep one of them.');
    if (!Array.isArray(gateway.certificates)) {
      at('gateway.certificates', 'must be an array of {name, variant, environmentTypes}.');
      return;
    }
    const names = new Set<string>();
    gateway.certificates.forEach((cert, i) => {
      const field = `gateway.certificates[${i}]`;
      if (!isObj(cert)) return at(field, 'must be an object {name, variant, environmentTypes}.');
      if (typeof cert.name !== 'string' || cert.name === '') at(`${field}.name`, 'is required: the name used in zuplo mtls-certificate create.');
      else if (names.has(cert.name)) at(`${field}.name`, `"${cert.name}" is uploaded twice; names are unique in a project.`);
      else names.add(cert.name);
      if ((cert.variant === undefined) === (cert.chain === undefined)) {
        at(field, `needs exactly one of variant (a PKI client variant) or chain (one of ${list(EXTRA_CHAINS)}).`);
      } else if (cert.variant !== undefined) {
        checkVariant(`${field}.variant`, cert.variant, at);
      } else {
        checkChoice(`${field}.chain`, cert.chain, EXTRA_CHAINS, at);
      }
      if (!Array.isArray(cert.environmentTypes) || cert.environmentTypes.length === 0) {
        at(`${field}.environmentTypes`, `is required: a non-empty array of ${list(CERT_ENV_TYPES)}.`);
      } else {
        cert.environmentTypes.forEach((t, j) => checkChoice(`${field}.environmentTypes[${j}]`, t, CERT_ENV_TYPES, at));
      }
    });
  }
}

function checkRequest(request: unknown, at: At): void {
  if (request === undefined) return;
  if (!isObj(request)) return at('request', 'must be an object {method?, path?, headers?}.');
  if (request.method !== undefined && (typeof request.method !== 'string' || !/^[A-Z]+$/.test(request.method))) at('request.method', 'must be an upper-case HTTP method, e.g. "GET".');
  if (request.path !== undefined && (typeof request.path !== 'string' || !request.path.startsWith('/'))) at('request.path', 'must start with "/", e.g. "/api/orders".');
  if (request.headers !== undefined) {
    if (!isObj(request.headers)) at('request.headers', 'must be an object of string values.');
    else for (const [k, v] of Object.entries(request.headers)) if (typeof v !== 'string') at(`request.headers.${k}`, 'must be a string.');
  }
}

/**
 * `steps`: each an action (`action` one of STEP_ACTIONS, with that action's fields) or a request
 * (`expected`, optional `request` and `connection`). Problems name the step by its index.
 */
function checkSteps(raw: Obj, at: At): void {
  const steps = raw.steps;
  if (steps === undefined) return;
  if (!Array.isArray(steps) || steps.length === 0) return at('steps', 'must be a non-empty array of actions ({action, ...}) and requests ({expected, request?, connection?}); remove it for a one-request scenario.');
  if (raw.expected !== undefined && isObj(raw.expected) && raw.expected.albRefuses !== undefined) at('steps', 'cannot follow expected.albRefuses (that run restarts the ALB with the fixed store); keep one of them.');
  if (raw.caller === 'h2-client') at('steps', 'need the gateway (they redeploy it and send through it); an h2-client scenario has one request. Remove caller or steps.');
  const alb = isObj(raw.alb) ? raw.alb : {};
  const gateway = isObj(raw.gateway) ? raw.gateway : {};
  steps.forEach((step, i) => {
    const name = stepName(i);
    if (!isObj(step)) return at(name, 'must be an object: an action {action, ...} or a request {expected, request?, connection?}.');
    if (step.action === undefined) checkRequestStep(step, name, at);
    else checkActionStep(step, name, { albMode: alb.mode, handler: gateway.handler }, at);
  });
}

/** The fields each action takes (beside `action`). */
const ACTION_FIELDS: Record<(typeof STEP_ACTIONS)[number], readonly string[]> = {
  'modify-trust-store': ['trustStore', 'trustStoreFixture'],
  'add-revocations': ['revocations'],
  'remove-revocations': ['revocations'],
  'redeploy-gateway': ['environment', 'mtlsCertificate'],
};

function checkActionStep(step: Obj, name: string, scenario: { albMode: unknown; handler: unknown }, at: At): void {
  if (!STEP_ACTIONS.includes(step.action as never)) return at(`${name}.action`, `must be one of ${list(STEP_ACTIONS)} (or absent for a request); got ${JSON.stringify(step.action)}.`);
  const fields = ACTION_FIELDS[step.action as keyof typeof ACTION_FIELDS];
  for (const key of Object.keys(step)) {
    if (key !== 'action' && !fields.includes(key)) at(`${name}.${key}`, `does not apply to action ${String(step.action)} (its fields: ${list(fields)}).`);
  }
  if (step.action !== 'redeploy-gateway' && scenario.albMode !== 'verify') at(`${name}.action`, `${String(step.action)} changes a trust store, which exists in verify mode only; set alb.mode to "verify".`);
  switch (step.action) {
    case 'modify-trust-store':
      if ((step.trustStore === undefined) === (step.trustStoreFixture === undefined)) at(name, 'modify-trust-store needs exactly one of trustStore or trustStoreFixture (the new CA bundle).');
      checkChoice(`${name}.trustStore`, step.trustStore, TRUST_STORES, at);
      checkChoice(`${name}.trustStoreFixture`, step.trustStoreFixture, TRUST_STORE_FIXTURES, at);
      break;
    case 'add-revocations':
    case 'remove-revocations':
      if (!Array.isArray(step.revocations) || step.revocations.length === 0) at(`${name}.revocations`, `is required: a non-empty array of ${list(REVOCATIONS)}.`);
      else step.revocations.forEach((r, j) => checkChoice(`${name}.revocations[${j}]`, r, REVOCATIONS, at));
      break;
    case 'redeploy-gateway':
      if (step.environment === undefined && step.mtlsCertificate === undefined) at(name, 'redeploy-gateway needs environment or mtlsCertificate: what the new deployment changes.');
      if (step.environment !== undefined && !(isObj(step.environment) && Object.values(step.environment).every((v) => typeof v === 'string'))) {
        at(`${name}.environment`, 'must be an object of string values (variable -> value), e.g. {"ALB_MTLS_CERT": "alb_cert_g2"}.');
      }
      if (step.mtlsCertificate !== undefined && (typeof step.mtlsCertificate !== 'string' || scenario.handler !== 'url-forward')) {
        at(`${name}.mtlsCertificate`, 'is a certificate name (a string) for the url-forward handler; env-selected and function read $env(ALB_MTLS_CERT): set environment instead.');
      }
      break;
  }
}

function checkRequestStep(step: Obj, name: string, at: At): void {
  for (const key of Object.keys(step)) {
    if (!['action', 'request', 'connection', 'expected'].includes(key)) at(`${name}.${key}`, 'is not a request-step field (request, connection, expected); an action step needs "action".');
  }
  checkChoice(`${name}.connection`, step.connection, STEP_CONNECTIONS, at);
  checkRequest(step.request, (field, message) => at(`${name}.${field}`, message));
  if (!isObj(step.expected)) return at(`${name}.expected`, 'is required for a request step: {status, tlsVerifyStatus, failureClass}; an action step needs "action".');
  for (const field of ['albRefuses', 'gatewayWarnings']) {
    if (step.expected[field] !== undefined) at(`${name}.expected.${field}`, 'applies to the scenario start only; move it to the scenario\'s expected.');
  }
  checkExpected(step.expected, (field, message) => at(`${name}.${field}`, message));
}

function checkExpected(expected: unknown, at: At): void {
  if (!isObj(expected)) return at('expected', 'is required: {status, tlsVerifyStatus, failureClass, targetHeaders?}.');
  if (!(typeof expected.status === 'number' && Number.isInteger(expected.status) && expected.status >= 100 && expected.status <= 599)) {
    at('expected.status', `is required: the HTTP status the client gets from the gateway (100-599); got ${JSON.stringify(expected.status)}.`);
  }
  if (!('tlsVerifyStatus' in expected)) at('expected.tlsVerifyStatus', 'is required: "Success", "Failed:<code>", or null when no handshake reaches the ALB.');
  else if (expected.tlsVerifyStatus !== null && !(typeof expected.tlsVerifyStatus === 'string' && isTlsVerifyStatus(expected.tlsVerifyStatus))) {
    at('expected.tlsVerifyStatus', `is not an ALB tls_verify_status: ${JSON.stringify(expected.tlsVerifyStatus)}. Use "Success" or "Failed:<code>" with a code from the AWS connection-log docs (e.g. Failed:ClientCertUntrusted).`);
  }
  if (!('failureClass' in expected)) at('expected.failureClass', `is required: one of ${list(FAILURE_CLASSES)}, or null.`);
  else if (expected.failureClass !== null) checkChoice('expected.failureClass', expected.failureClass, FAILURE_CLASSES, at);
  const headers = expected.targetHeaders;
  if (headers !== undefined) {
    if (!isObj(headers)) return at('expected.targetHeaders', 'must be {present?, absent?}.');
    if (headers.present !== undefined) {
      if (!isObj(headers.present)) at('expected.targetHeaders.present', 'must be an object: header name -> value.');
      else for (const [name, value] of Object.entries(headers.present)) checkHeader(`expected.targetHeaders.present.${name}`, name, value, at);
    }
    if (headers.absent !== undefined) {
      if (!Array.isArray(headers.absent)) at('expected.targetHeaders.absent', 'must be an array of header names.');
      else headers.absent.forEach((n, i) => {
        if (typeof n !== 'string' || n !== n.toLowerCase()) at(`expected.targetHeaders.absent[${i}]`, 'must be a lower-case header name (targets see lower-case names).');
      });
    }
  }
  if (expected.bodyIncludes !== undefined && !(Array.isArray(expected.bodyIncludes) && expected.bodyIncludes.every((s) => typeof s === 'string'))) {
    at('expected.bodyIncludes', 'must be an array of strings.');
  }
  if (expected.gatewayWarnings !== undefined && !(Array.isArray(expected.gatewayWarnings) && expected.gatewayWarnings.every((s) => s instanceof RegExp))) {
    at('expected.gatewayWarnings', 'must be an array of regular expressions.');
  }
  if (expected.reachesTarget !== undefined && typeof expected.reachesTarget !== 'boolean') at('expected.reachesTarget', 'must be true or false.');
}

function checkHeader(field: string, name: string, value: unknown, at: At): void {
  if (name !== name.toLowerCase()) at(field, 'must use a lower-case header name (targets see lower-case names).');
  if (typeof value === 'string' || value instanceof RegExp) return;
  if (!isObj(value)) return at(field, 'must be a string, a RegExp, or {fact, variant}.');
  checkChoice(`${field}.fact`, value.fact, FACTS, at);
  if (value.fact === undefined) at(`${field}.fact`, `is required: one of ${list(FACTS)}.`);
  checkVariant(`${field}.variant`, value.variant, at);
}
