import { X509Certificate } from 'node:crypto';
import { splitPemBlocks } from '../../certs/x509/pem.ts';
import { UserError } from '../errors.ts';
import { verifyPresentedChain } from './chain-verdict.ts';
import type { TargetApp } from './target-app.ts';

/** 200 JSON `{subject, issuer, serialNumber}` for a trusted forwarded chain, else 403 JSON `{error, reason}`. */
export const verifyingApp: TargetApp = (app, options) => {
  if (!options.trustedCa) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', "startTarget({kind: 'verifying'}) needs trustedCa: the PEM CA(s) to verify forwarded client chains against.");
  }
  const trusted = splitPemBlocks(options.trustedCa)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => new X509Certificate(b.der));
  if (trusted.length === 0) {
    throw new UserError('HARNESS_ERR_PEM', 'startTarget: trustedCa holds no "-----BEGIN CERTIFICATE-----" block. Pass the CA certificate PEM.');
  }
  const headerName = (options.headerName ?? 'x-amzn-mtls-clientcert').toLowerCase();
  const now = options.now ?? (() => new Date());
  app.all('/{*path}', (req, res) => {
    const raw = req.headers[headerName];
    const verdict = verifyPresentedChain(Array.isArray(raw) ? raw[0] : raw, trusted, now());
    if (!verdict.ok) {
      res.status(403).json({ error: verdict.error, reason: verdict.reason });
      return;
    }
    res.status(200).json({ subject: verdict.subject, issuer: verdict.issuer, serialNumber: verdict.serialNumber });
  });
};
