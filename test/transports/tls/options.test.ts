/**
 * The TLS settings objects without a connection: what CertificateOptions, optionsForClientTLS
 * and the context factories give node:tls, the checks Twisted makes on their arguments, and the
 * certificate and key classes (Twisted's test_sslverify cases where Node can express them).
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Certificate } from '../../../src/transports/tls/certificate.ts';
import { CertificateOptions } from '../../../src/transports/tls/certificate-options.ts';
import { optionsForClientTLS } from '../../../src/transports/tls/client-tls-options.ts';
import {
  ClientContextFactory,
  DefaultOpenSSLContextFactory,
} from '../../../src/transports/tls/context-factories.ts';
import { KeyPair } from '../../../src/transports/tls/key-pair.ts';
import { PrivateCertificate } from '../../../src/transports/tls/private-certificate.ts';
import { TLSVersion } from '../../../src/transports/tls/tls-version.ts';
import { platformTrust, trustRootFromCertificates } from '../../../src/transports/tls/trust-root.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../../support/certificates.ts';

let pki: TestPKI;
let server: Issued;
let other: Issued;
beforeAll(() => {
  pki = makeTestPKI();
  server = pki.issue('server', { commonName: 'localhost' });
  other = pki.issue('other', { commonName: 'other' });
});
afterAll(() => pki.remove());

describe('CertificateOptions', () => {
  it('a server: key and certificate (with its chain), no peer verification by default', () => {
    const options = new CertificateOptions({
      privateKey: server.key,
      certificate: server.cert,
      extraCertChain: [pki.ca.cert],
    });
    const node = options.getTLSOptions('server');
    expect(node.key).toContain('PRIVATE KEY');
    expect(String(node.cert).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect([node.requestCert, node.rejectUnauthorized, node.ca]).toEqual([false, false, undefined]);
    expect([options.verify, options.trustRoot]).toEqual([false, undefined]);
  });

  it('trustRoot turns verification on and requires a peer certificate (Twisted)', () => {
    const options = new CertificateOptions({
      privateKey: server.key,
      certificate: server.cert,
      trustRoot: Certificate.loadPEM(pki.ca.cert),
    });
    expect([options.verify, options.requireCertificate]).toEqual([true, true]);
    const node = options.getTLSOptions('server');
    expect([node.requestCert, node.rejectUnauthorized]).toEqual([true, true]);
    expect(node.ca).toEqual([new X509Certificate(pki.ca.cert).toString()]);
  });

  it('a client: the chain is checked when verifying, never the name', () => {
    const node = new CertificateOptions({ trustRoot: pki.ca.cert }).getTLSOptions('client');
    expect(node.rejectUnauthorized).toBe(true);
    expect(node.checkServerIdentity!('anything', {} as never)).toBeUndefined();
    expect(new CertificateOptions().getTLSOptions('client').rejectUnauthorized).toBe(false);
  });

  it('verify with caCerts, and requireCertificate false: a client certificate is asked for, not required', () => {
    const node = new CertificateOptions({
      privateKey: server.key,
      certificate: server.cert,
      verify: true,
      caCerts: [pki.ca.cert],
      requireCertificate: false,
    }).getTLSOptions('server');
    expect([node.requestCert, node.rejectUnauthorized]).toEqual([true, false]);
  });

  it.each([
    [{ privateKey: 'k' }, /Specify neither or both of privateKey and certificate/],
    [{ certificate: 'c' }, /Specify neither or both of privateKey and certificate/],
    [{ verify: true }, /Specify client CA certificate information/],
    [{ trustRoot: platformTrust(), verify: true }, /Specify trustRoot or verify, not both/],
    [{ trustRoot: platformTrust(), caCerts: [] }, /Specify trustRoot or caCerts, not both/],
    [{ method: 'TLSv1_2_METHOD', raiseMinimumTo: TLSVersion.TLSv1_3 }, /Specify method or raiseMinimumTo/],
    [
      { extraCertChain: [] },
      /A private key and a certificate are required when adding a supplemental certificate chain/,
    ],
    [{ nope: 1 }, /"options.nope" is invalid. CertificateOptions has no such option/],
    [{ verify: 'yes' }, /"options.verify" argument must be of type boolean/],
    [{ raiseMinimumTo: 'TLSv9' }, /"options.raiseMinimumTo" is invalid/],
    [{ method: 'SSLv3_METHOD' }, /"options.method" is invalid/],
    [
      { insecurelyLowerMinimumTo: TLSVersion.TLSv1_2, lowerMaximumSecurityTo: TLSVersion.TLSv1_1 },
      /must not be below the minimum version/,
    ],
    [{ acceptableProtocols: [] }, /"options.acceptableProtocols"/],
    [{ acceptableCiphers: 5 }, /"options.acceptableCiphers"/],
  ] as [Record<string, unknown>, RegExp][])('refuses %o', (init, message) => {
    expect(() => new CertificateOptions(init as never)).toThrow(message);
  });

  it("refuses a bad PEM, and a key that is not the certificate's, naming the option", () => {
    expect(() => new CertificateOptions({ privateKey: 'nope', certificate: server.cert })).toThrow(
      /"options.privateKey" is invalid. It is not a private key/,
    );
    expect(() => new CertificateOptions({ privateKey: server.key, certificate: 'nope' })).toThrow(
      /"options.certificate" is invalid. It is not a certificate/,
    );
    expect(() => new CertificateOptions({ privateKey: other.key, certificate: server.cert })).toThrow(
      /does not match the public key of options.certificate/,
    );
  });

  it.each([
    [{ raiseMinimumTo: TLSVersion.TLSv1_3 }, { minVersion: 'TLSv1.3' }],
    [{ raiseMinimumTo: TLSVersion.TLSv1_1 }, {}],
    [{ insecurelyLowerMinimumTo: TLSVersion.TLSv1_0 }, { minVersion: 'TLSv1' }],
    [{ lowerMaximumSecurityTo: TLSVersion.TLSv1_2 }, { maxVersion: 'TLSv1.2' }],
    [{ lowerMaximumSecurityTo: TLSVersion.TLSv1_1 }, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' }],
    [{ method: 'TLSv1_2_METHOD' }, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }],
    [{ method: 'SSLv23_METHOD' }, {}],
  ] as [Record<string, unknown>, Record<string, string>][])('versions: %o gives %o', (init, range) => {
    const node = new CertificateOptions(init as never).getTLSOptions('client');
    expect({ minVersion: node.minVersion, maxVersion: node.maxVersion }).toEqual({
      minVersion: undefined,
      maxVersion: undefined,
      ...range,
    });
  });

  it('ciphers, ALPN and DH parameters pass through', () => {
    const node = new CertificateOptions({
      acceptableCiphers: 'ECDHE+AESGCM',
      acceptableProtocols: ['h2', Buffer.from('http/1.1')],
      dhParameters: 'auto',
    }).getTLSOptions('server');
    expect([node.ciphers, node.ALPNProtocols, (node as { dhparam?: unknown }).dhparam]).toEqual([
      'ECDHE+AESGCM',
      ['h2', 'http/1.1'],
      'auto',
    ]);
  });

  it("getTLSOptions refuses a side that isn't one", () => {
    expect(() => new CertificateOptions().getTLSOptions('both' as never)).toThrow(/"side" is invalid/);
  });
});

describe('optionsForClientTLS', () => {
  it('verifies chain and name; SNI for a DNS name', () => {
    const options = optionsForClientTLS('localhost', { trustRoot: pki.ca.cert });
    const node = options.getTLSOptions('client');
    expect([node.rejectUnauthorized, node.servername]).toEqual([true, 'localhost']);
    const cert = new X509Certificate(server.cert).toLegacyObject();
    expect(node.checkServerIdentity!('ignored', cert)).toBeUndefined();
    expect(
      optionsForClientTLS('other.example', { trustRoot: pki.ca.cert }).getTLSOptions('client')
        .checkServerIdentity!('localhost', cert),
    ).toBeInstanceOf(Error);
  });

  it('no SNI for an IP address, which is checked against the IP entries', () => {
    const node = optionsForClientTLS('127.0.0.1', pki.ca.cert).getTLSOptions('client');
    expect(node.servername).toBeUndefined();
    expect(node.checkServerIdentity!('x', new X509Certificate(server.cert).toLegacyObject())).toBeUndefined();
  });

  it('the host name is sent and checked in its IDNA form (Twisted test_utf8Encoding)', () => {
    const options = optionsForClientTLS('\u00e9xample.example.com');
    expect(options.hostname).toBe('\u00e9xample.example.com');
    expect(options.asciiHostname).toBe('xn--xample-9ua.example.com');
    expect(options.getTLSOptions('client').servername).toBe('xn--xample-9ua.example.com');
  });

  it("the platform trust by default (Node's authorities: no ca option)", () => {
    expect(optionsForClientTLS('example.com').getTLSOptions('client').ca).toBeUndefined();
    expect(
      optionsForClientTLS('example.com', trustRootFromCertificates([pki.ca.cert, server.cert])).getTLSOptions(
        'client',
      ).ca,
    ).toHaveLength(2);
  });

  it('a client certificate, and ALPN, positionally as in Twisted', () => {
    const mine = PrivateCertificate.loadPEM(server.cert + server.key);
    const node = optionsForClientTLS('localhost', pki.ca.cert, mine, ['h2']).getTLSOptions('client');
    expect(node.cert).toContain('BEGIN CERTIFICATE');
    expect(node.ALPNProtocols).toEqual(['h2']);
  });

  it('refuses bytes for the host name (Twisted requires text) and the server side', () => {
    expect(() => optionsForClientTLS(Buffer.from('x') as never)).toThrow(
      /"hostname" argument must be of type string/,
    );
    expect(() => optionsForClientTLS('x').getTLSOptions('server')).toThrow(
      /a server needs CertificateOptions/,
    );
  });
});

describe('certificates and keys', () => {
  it('Certificate.loadPEM reads subject, issuer, serial number and digests', () => {
    const cert = Certificate.loadPEM(server.cert);
    expect(cert.getSubject().commonName).toBe('localhost');
    expect(cert.getIssuer().commonName).toBe('twisted-ts test CA');
    expect(cert.serialNumber()).toBeTypeOf('bigint');
    expect(cert.digest('sha256')).toBe(new X509Certificate(server.cert).fingerprint256);
    expect(cert.digest()).toMatch(/^([0-9A-F]{2}:){15}[0-9A-F]{2}$/); // md5, Twisted's default
    expect(Certificate.load(cert.dump()).equals(cert)).toBe(true);
    expect(cert.dumpPEM()).toBe(new X509Certificate(server.cert).toString());
    expect(cert.inspect()).toContain('Common Name: localhost');
    expect(cert.getPublicKey().type).toBe('public');
    expect(cert.equals(Certificate.loadPEM(other.cert))).toBe(false);
  });

  it('a bad PEM is a TypeError naming the argument', () => {
    expect(() => Certificate.loadPEM('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      /"data" is invalid. It is not a certificate/,
    );
    expect(() => Certificate.loadPEM(5 as never)).toThrow(/"data" argument must be a certificate/);
  });

  it('PrivateCertificate.loadPEM takes certificate and key from one text, in any order', () => {
    const a = PrivateCertificate.loadPEM(server.cert + server.key);
    const b = PrivateCertificate.loadPEM(server.key + server.cert);
    expect(a.equals(b)).toBe(true);
    expect(a.privateKey.keyType()).toBe('ec');
    expect(PrivateCertificate.loadPEM(a.dumpPEM()).equals(a)).toBe(true);
    expect(() => PrivateCertificate.loadPEM(server.cert + other.key)).toThrow(/does not match/);
    expect(() => PrivateCertificate.loadPEM(server.cert)).toThrow(/holds no PEM private key/);
  });

  it('PrivateCertificate.options() serves it; with authorities, it requires peers they signed', () => {
    const mine = PrivateCertificate.fromCertificateAndKeyPair(
      Certificate.loadPEM(server.cert),
      KeyPair.load(server.key),
    );
    expect(mine.options().verify).toBe(false);
    const strict = mine.options(Certificate.loadPEM(pki.ca.cert));
    expect([strict.verify, strict.getTLSOptions('server').requestCert]).toEqual([true, true]);
  });

  it('KeyPair.generate, dump and load', () => {
    const key = KeyPair.generate('ec');
    expect(KeyPair.load(key.dump()).publicKey().export({ format: 'jwk' })).toEqual(
      key.publicKey().export({ format: 'jwk' }),
    );
    expect(() => KeyPair.generate('dsa' as never)).toThrow(/"kind" is invalid/);
  });
});

describe('the context factories', () => {
  it('DefaultOpenSSLContextFactory reads its two files when made', () => {
    const factory = new DefaultOpenSSLContextFactory(server.keyPath, server.certPath);
    expect(factory.getTLSOptions('server').cert).toContain('BEGIN CERTIFICATE');
    expect(() => new DefaultOpenSSLContextFactory('/nonexistent/key.pem', server.certPath)).toThrow(
      /"privateKeyFileName" is invalid. Cannot read "\/nonexistent\/key.pem": ENOENT/,
    );
    expect(
      () =>
        new DefaultOpenSSLContextFactory(server.keyPath, server.certPath, 'TLSv1_2_METHOD').getTLSOptions(
          'server',
        ).maxVersion,
    ).not.toThrow();
  });

  it('ClientContextFactory verifies nothing, and only for clients', () => {
    expect(new ClientContextFactory().getTLSOptions('client').rejectUnauthorized).toBe(false);
    expect(() => new ClientContextFactory().getTLSOptions('server')).toThrow(/client settings only/);
  });
});
