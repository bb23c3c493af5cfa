import type { webcrypto } from 'node:crypto';

// The WebCrypto types under their usual names, from Node's typings rather than the DOM lib, so the
// published declarations compile in a project without "DOM" in its `lib`.
export type Crypto = webcrypto.Crypto;
export type SubtleCrypto = webcrypto.SubtleCrypto;
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type EcKeyAlgorithm = webcrypto.EcKeyAlgorithm;
export type Algorithm = webcrypto.Algorithm;
