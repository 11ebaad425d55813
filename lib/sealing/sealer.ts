import { digestFor, ISealCache } from './cache';
import { SealingKey, sealValue } from './seal';

// Apart from cache.ts, whose declarations are public and must not need Node's typings (Buffer, node:crypto).
/**
 * A function that seals values under `key` and `label` like kubeseal, looking each up in `cache` first by its
 * {@link digestFor} digest and storing what it sealed, so unchanged input keeps its ciphertext.
 * @param key the controller's public key
 * @param label the OAEP label (the scope's namespace and name)
 * @param sealingCertificatePem the controller's certificate, PEM text (part of the digest)
 * @param cache where earlier ciphertext is kept; without one every call seals anew
 */
export function cachedSealer(key: SealingKey, label: string, sealingCertificatePem: string, cache: ISealCache | undefined): (plaintext: Buffer) => string {
  return (plaintext) => {
    if (!cache) return sealValue(plaintext, key, label);
    const digest = digestFor(plaintext, label, sealingCertificatePem);
    const cached = cache.get(digest);
    if (cached !== undefined) return cached;
    const sealed = sealValue(plaintext, key, label);
    cache.set(digest, sealed);
    return sealed;
  };
}
