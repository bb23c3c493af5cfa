import type { CertificateSummary } from '../../scenarios/types.ts';
import { escapeHtml } from './escape.ts';
import { charsFitting, clip } from './text-layout.ts';

const BOX = { width: 270, height: 96, gap: 40 };
const PAD = 10;

export type Validity = 'valid' | 'expired' | 'not yet valid';

/** Whether a certificate is inside its validity period at `now`. */
export function validityAt(cert: CertificateSummary, now: Date): Validity {
  if (Date.parse(cert.notAfter) < now.getTime()) return 'expired';
  if (Date.parse(cert.notBefore) > now.getTime()) return 'not yet valid';
  return 'valid';
}

/** `CN=x,O=y` -> `x`; a DN without a CN stays whole. */
export function commonName(dn: string): string {
  const match = /(?:^|,)CN=((?:\\.|[^,])*)/.exec(dn);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : dn;
}

/** What a certificate is in the presented chain: the leaf, a CA in between, or a self-signed root. */
export function chainRole(cert: CertificateSummary, index: number): string {
  if (index === 0) return cert.selfSigned ? 'leaf (self-signed)' : 'leaf';
  return cert.selfSigned ? 'root (self-signed)' : 'intermediate CA';
}

const day = (iso: string) => iso.slice(0, 10);

/** One line per certificate, the same facts as the picture (text alternative and visible list). */
export function chainText(cert: CertificateSummary, index: number, now: Date): string {
  const validity = validityAt(cert, now);
  return (
    `${index + 1}. ${chainRole(cert, index)}: subject ${cert.subject}, issuer ${cert.issuer}, ` +
    `valid ${day(cert.notBefore)} to ${day(cert.notAfter)}${validity === 'valid' ? '' : ` (${validity})`}, serial ${cert.serialNumber}`
  );
}

/**
 * The presented chain as a row of cards, leaf first, each pointing at the next with "issued by":
 * role, subject CN, issuer CN and validity (in the failure colour when outside it at `now`).
 */
export function chainSvg(chain: readonly CertificateSummary[], idPrefix: string, now: Date): string {
  const width = chain.length * BOX.width + (chain.length - 1) * BOX.gap + 2;
  const height = BOX.height + 4;
  const fit = charsFitting(BOX.width - 2 * PAD);
  const cards = chain.map((cert, i) => {
    const x = 1 + i * (BOX.width + BOX.gap);
    const validity = validityAt(cert, now);
    const lines = [
      `<text class="chain-role" x="${x + PAD}" y="20">${escapeHtml(chainRole(cert, i))}</text>`,
      `<text class="chain-cn" x="${x + PAD}" y="40">${escapeHtml(clip(commonName(cert.subject), fit - 2))}</text>`,
      `<text class="chain-small" x="${x + PAD}" y="59">${escapeHtml(clip(`issuer ${commonName(cert.issuer)}`, fit + 4))}</text>`,
      `<text class="chain-small${validity === 'valid' ? '' : ' bad'}" x="${x + PAD}" y="78">${escapeHtml(
        `${day(cert.notBefore)} → ${day(cert.notAfter)}${validity === 'valid' ? '' : ` ${validity}`}`,
      )}</text>`,
    ];
    const arrow =
      i < chain.length - 1
        ? `<line class="chain-link" x1="${x + BOX.width}" y1="${BOX.height / 2}" x2="${x + BOX.width + BOX.gap - 8}" y2="${BOX.height / 2}"/>` +
          `<path class="chain-head" d="M${x + BOX.width + BOX.gap} ${BOX.height / 2} l-9 -5 v10 z"/>` +
          `<text class="chain-small" x="${x + BOX.width + BOX.gap / 2}" y="${BOX.height / 2 - 7}" text-anchor="middle">by</text>`
        : '';
    return (
      `<rect class="chain-card${validity === 'valid' ? '' : ' bad'}" x="${x}" y="1" width="${BOX.width}" height="${BOX.height}" rx="8"/>` +
      `${lines.join('')}${arrow}`
    );
  });
  const description = chain.map((c, i) => chainText(c, i, now)).join(' ');
  return (
    `<svg class="chain" role="img" aria-labelledby="${idPrefix}-t" aria-describedby="${idPrefix}-d" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `xmlns="http://www.w3.org/2000/svg" data-certs="${chain.length}">` +
    `<title id="${idPrefix}-t">The certificate chain presented, leaf first (${chain.length} certificate${chain.length === 1 ? '' : 's'})</title>` +
    `<desc id="${idPrefix}-d">${escapeHtml(description)}</desc>${cards.join('')}</svg>`
  );
}
