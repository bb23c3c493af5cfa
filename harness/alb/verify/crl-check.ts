import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { verifySignedDer } from '../../../certs/x509/algorithms.ts';
import { crlModel, type CrlModel } from '../../../certs/x509/crl-model.ts';
import type { CertView } from '../../../certs/x509/model.ts';
import { splitPemBlocks } from '../../../certs/x509/pem.ts';
import type { LoadedCrl } from '../types.ts';
import { fail, iso, q, type PathContext, type RuleFailure } from './context.ts';

const models = new WeakMap<LoadedCrl, CrlModel>();

/** The parsed form of a loaded CRL (parsed once per CRL object). */
export function modelOf(crl: LoadedCrl): CrlModel {
  let model = models.get(crl);
  if (!model) {
    model = crlModel(splitPemBlocks(crl.pem)[0]?.der ?? Buffer.alloc(0));
    models.set(crl, model);
  }
  return model;
}

/**
 * Revocation, leaf first, every certificate but the anchor (intermediates included). A CRL covers
 * a certificate when its issuer name equals the certificate's issuer name (RFC 4518 comparison),
 * its authorityKeyIdentifier (if any) names the issuer's key, and its issuingDistributionPoint scope
 * includes the certificate (user or CA certificates). It is usable when it parses strictly, has no
 * unsupported critical extension, its issuer's keyUsage (if any) has cRLSign, and its signature
 * verifies with the key of the issuer in the path; otherwise `ClientCertCrlProcessingError`.
 * Delta CRLs are not applied (no base-plus-delta processing).
 */
export function revocation(ctx: PathContext): RuleFailure | undefined {
  const { path, store, now } = ctx;
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const covering = store.crls.filter((crl) => covers(modelOf(crl), cert, issuer));
    for (const crl of covering) {
      const problem = crlProblem(crl, issuer);
      if (problem) {
        return fail('ClientCertCrlProcessingError', i, `the CRL of ${JSON.stringify(crl.issuer)} that covers certificate ${q(cert)} could not be processed: ${problem}`);
      }
    }
    const hit = covering.find((crl) => modelOf(crl).revokedSerials.has(cert.serial));
    if (hit) {
      const next = modelOf(hit).nextUpdate;
      const stale = next && next.getTime() < now.getTime() ? ` (the CRL is stale since ${iso(next)}; it still applies)` : '';
      return fail('ClientCertCrlHit', i, `certificate ${q(cert)} (serial ${cert.serialHex}) is revoked by the CRL of ${JSON.stringify(hit.issuer)}${stale}`);
    }
  }
  return undefined;
}

function covers(model: CrlModel, cert: CertView, issuer: CertView): boolean {
  if (model.structureError || model.issuerKey !== cert.issuerKey || model.delta) return false;
  const ski = issuer.extensions.subjectKeyId?.hex;
  if (model.authorityKeyIdHex && ski && model.authorityKeyIdHex !== ski) return false;
  if (model.scope.onlyAttribute || (model.scope.onlyUser && cert.isCa) || (model.scope.onlyCa && !cert.isCa)) return false;
  return true;
}

const signatureChecks = new WeakMap<LoadedCrl, Map<string, boolean>>();

function crlProblem(crl: LoadedCrl, issuer: CertView): string | undefined {
  if (crl.processingError) return crl.processingError;
  const model = modelOf(crl);
  if (model.problems.length > 0) return model.problems.join('; ');
  const ku = issuer.extensions.keyUsage;
  if (ku && (ku.flags & KeyUsageFlags.cRLSign) === 0) return `its issuer ${q(issuer)} has a keyUsage without cRLSign (${ku.names.join(', ') || 'none'})`;
  let checks = signatureChecks.get(crl);
  if (!checks) signatureChecks.set(crl, (checks = new Map()));
  let ok = checks.get(issuer.fingerprint256);
  if (ok === undefined) {
    ok = issuer.publicKey !== undefined && verifySignedDer(model.der, issuer.publicKey);
    checks.set(issuer.fingerprint256, ok);
  }
  return ok ? undefined : `its signature does not verify with the public key of ${q(issuer)}`;
}
