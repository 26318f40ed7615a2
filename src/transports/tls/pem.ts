/**
 * Turning what users give for keys and certificates (PEM text, Buffers, Node's objects, ours)
 * into Node's objects, with errors that name the argument.
 *
 * @internal
 */
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { invalidArgType, invalidArgValue } from '../../validate.ts';

/** The PEM blocks of `text` of the given label (`CERTIFICATE`), in order. */
export function pemBlocks(text: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return text.match(re) ?? [];
}

/** Text from a string or bytes. */
export function asText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
}

/** Something that holds an X509Certificate (our `Certificate`). */
interface HoldsCertificate {
  original: X509Certificate;
}

/** Something that holds a private KeyObject (our `KeyPair`, or a `PrivateCertificate`'s `privateKey`). */
interface HoldsKey {
  original: KeyObject;
}

/** One certificate: PEM (string or bytes), DER bytes, Node's X509Certificate, or one of ours. */
export function toX509(value: unknown, name: string): X509Certificate {
  if (value instanceof X509Certificate) return value;
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as HoldsCertificate).original instanceof X509Certificate
  ) {
    return (value as HoldsCertificate).original;
  }
  if (typeof value === 'string' || value instanceof Uint8Array) {
    try {
      return new X509Certificate(typeof value === 'string' ? value : Buffer.from(value));
    } catch (e) {
      throw Object.assign(
        invalidArgValue(name, `It is not a certificate in PEM or DER form: ${(e as Error).message}.`),
        { cause: e },
      );
    }
  }
  throw invalidArgType(name, 'a certificate (PEM text or bytes, an X509Certificate or a Certificate)', value);
}

/** Every certificate of a PEM bundle, or of a list of certificates. */
export function toX509List(value: unknown, name: string): X509Certificate[] {
  if (Array.isArray(value)) return value.map((v, i) => toX509(v, `${name}[${i}]`));
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const blocks = pemBlocks(asText(value), 'CERTIFICATE');
    if (blocks.length > 1) return blocks.map((b, i) => toX509(b, `${name}[${i}]`));
  }
  return [toX509(value, name)];
}

/** A private key: PEM (string or bytes), Node's KeyObject, or one of ours. */
export function toPrivateKey(value: unknown, name: string): KeyObject {
  if (value instanceof KeyObject) {
    if (value.type !== 'private')
      throw invalidArgValue(name, `It must be a private key; this is a ${value.type} key.`);
    return value;
  }
  if (value !== null && typeof value === 'object' && (value as HoldsKey).original instanceof KeyObject) {
    return toPrivateKey((value as HoldsKey).original, name);
  }
  if (typeof value === 'string' || value instanceof Uint8Array) {
    try {
      return createPrivateKey(typeof value === 'string' ? value : Buffer.from(value));
    } catch (e) {
      throw Object.assign(
        invalidArgValue(name, `It is not a private key in PEM form: ${(e as Error).message}.`),
        {
          cause: e,
        },
      );
    }
  }
  throw invalidArgType(name, 'a private key (PEM text or bytes, a KeyObject or a KeyPair)', value);
}

/** The PEM text of a private key (PKCS#8). */
export function keyPEM(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
