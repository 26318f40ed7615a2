/**
 * Twisted's `ssl.KeyPair`.
 *
 * @module
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { invalidArgValue, validateInteger } from '../../validate.ts';
import { keyPEM, toPrivateKey } from './pem.ts';

/** A private key (and so its public half): Twisted's `KeyPair`, over Node's `KeyObject`. */
export class KeyPair {
  /** Node's private `KeyObject`. */
  readonly original: KeyObject;

  /** @param original - a private `KeyObject`. */
  constructor(original: KeyObject) {
    this.original = toPrivateKey(original, 'original');
  }

  /** Loads a PEM private key (Twisted's `KeyPair.load(data, FILETYPE_PEM)`). */
  static load(data: string | Uint8Array): KeyPair {
    return new KeyPair(toPrivateKey(data, 'data'));
  }

  /**
   * Makes a new key: `'rsa'` of `size` bits (Twisted's `KeyPair.generate(TYPE_RSA, 2048)`), or
   * `'ec'` on the P-256 curve.
   */
  static generate(kind: 'rsa' | 'ec' = 'rsa', size = 2048): KeyPair {
    if (kind === 'ec') return new KeyPair(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    if (kind !== 'rsa') throw invalidArgValue('kind', `It must be 'rsa' or 'ec'. Received ${String(kind)}.`);
    validateInteger(size, 'size', 1024, 16384);
    return new KeyPair(generateKeyPairSync('rsa', { modulusLength: size }).privateKey);
  }

  /** The public half, as Node's `KeyObject`. */
  publicKey(): KeyObject {
    return createPublicKey(this.original);
  }

  /** The key as PEM text (PKCS#8). */
  dump(): string {
    return keyPEM(this.original);
  }

  /** `'rsa'`, `'ec'`, `'ed25519'`… */
  keyType(): string | undefined {
    return this.original.asymmetricKeyType;
  }
}
