import forge from 'node-forge';

/**
 * PKCS#12 bundle (key + leaf + chain) for Postman, browsers and curl's `--cert-type P12`.
 * node-forge is the well-kept tool for this, but it only understands RSA: callers check first.
 */
export function toPkcs12(options: { keyPem: string; chainPem: string; password: string; friendlyName: string }): Buffer {
  const key = forge.pki.privateKeyFromPem(options.keyPem);
  const certs = options.chainPem
    .split(/(?<=-----END CERTIFICATE-----\n?)/)
    .filter((block) => block.includes('BEGIN CERTIFICATE'))
    .map((block) => forge.pki.certificateFromPem(block));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, options.password, {
    algorithm: '3des', // the widest-compatible choice (macOS keychain and older Java reject AES-encrypted .p12)
    friendlyName: options.friendlyName,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
