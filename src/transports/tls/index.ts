/**
 * TLS (`twisted.internet.ssl`) over `node:tls`: certificates and keys, the context factories
 * `listenSSL`, `connectSSL` and `startTLS` take.
 *
 * @module
 */
export { Certificate } from './certificate.ts';
export { CertificateOptions, type CertificateOptionsInit, type TLSOptions } from './certificate-options.ts';
export { ClientTLSOptions, optionsForClientTLS, type ClientTLSOptionsInit } from './client-tls-options.ts';
export { ClientContextFactory, DefaultOpenSSLContextFactory } from './context-factories.ts';
export { DistinguishedName, type DistinguishedNameFields } from './distinguished-name.ts';
export { KeyPair } from './key-pair.ts';
export { PrivateCertificate } from './private-certificate.ts';
export type { TLSMethod } from './tls-method.ts';
export { TLSVersion, type TLSVersionName } from './tls-version.ts';
export { TrustRoot, platformTrust, trustRootFromCertificates } from './trust-root.ts';
