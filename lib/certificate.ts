import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { fail } from './validation';

/**
 * Pod-template annotation holding the served certificate's SHA-256 fingerprint: a new certificate changes the template,
 * so the Deployment rolls its pods, which nginx needs when it reads the certificate at start (the guide's default.conf).
 */
export const CERTIFICATE_FINGERPRINT_ANNOTATION = 'guide-as-code/certificate-sha256';

/** Where a certificate and key were read from, so messages name the file and fit how to fix it. */
export interface CertificateSource {
  /** e.g. `certificateFile ".keys/tls.crt"`, or `certificatePem` for text. */
  readonly certificate: string;
  /** e.g. `privateKeyFile ".keys/tls.key"`. */
  readonly privateKey: string;
  /** How to get a new certificate; undefined for the user's own PEMs. */
  readonly renewHint?: string;
}

const PEM_TEXT: CertificateSource = { certificate: 'certificate', privateKey: 'privateKey' };

/**
 * A certificate and its private key, parsed and checked with Node's X.509 implementation (OpenSSL), the same
 * checks `kubectl create secret tls` and nginx make, but at synth time with a message that says what to fix.
 */
export class CertificatePair {
  /** Parses both PEM texts; throws a {@link GuideConfigError} that never quotes the key. */
  public static parse(owner: string, certificatePem: string, privateKeyPem: string, source: CertificateSource = PEM_TEXT): CertificatePair {
    const { certificate: certFrom, privateKey: keyFrom } = source;
    const privateKeyBlock = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;
    if (!/-----BEGIN CERTIFICATE-----/.test(certificatePem)) {
      if (privateKeyBlock.test(certificatePem)) {
        fail(owner, `${certFrom} holds a private key, not a certificate`
          + `${/-----BEGIN CERTIFICATE-----/.test(privateKeyPem) ? `, and ${keyFrom} holds the certificate` : ''}: `
          + 'the two look swapped; pass the certificate as the certificate and the key as the key');
      }
      fail(owner, `${certFrom} is not PEM text: expected a "-----BEGIN CERTIFICATE-----" block`);
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch (e) {
      fail(owner, `${certFrom} is malformed PEM (${reason(e)}): pass the certificate file exactly as it was issued`);
    }
    // PKCS#8's ENCRYPTED label, or the traditional format's Proc-Type header.
    if (privateKeyBlock.exec(privateKeyPem)?.[1] === 'ENCRYPTED ' || /^Proc-Type: 4,ENCRYPTED/m.test(privateKeyPem)) {
      fail(owner, `${keyFrom} is encrypted with a passphrase, which nginx cannot be given when it starts: `
        + 'decrypt it with `openssl pkey -in tls.key -out tls-decrypted.key` (it asks for the passphrase) and pass that file; '
        + 'keep the decrypted key out of git');
    }
    if (!privateKeyBlock.test(privateKeyPem)) {
      if (/-----BEGIN CERTIFICATE-----/.test(privateKeyPem)) {
        fail(owner, `${keyFrom} holds a certificate, not a private key: pass the key that was generated with the certificate`);
      }
      fail(owner, `${keyFrom} is not PEM text: expected a PEM block labelled "PRIVATE KEY"`);
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(privateKeyPem);
    } catch (e) {
      fail(owner, `${keyFrom} is malformed PEM (${reason(e)}): pass the key file written together with the certificate`);
    }
    if (!certificate.checkPrivateKey(privateKey)) {
      const blocks = (certificatePem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
      fail(owner, `${keyFrom} does not match the ${blocks > 1 ? `first of the ${blocks} certificates` : 'certificate'} in ${certFrom} `
        + `(${certificate.subject.replace(/\n/g, ', ')}): `
        + (blocks > 1 ? 'nginx serves the first one, so put the certificate of this key first and its CA chain after it'
          : 'pass the key that was generated together with this certificate'));
    }
    checkServerCertificate(owner, certFrom, certificate);
    return new CertificatePair(owner, certificate, source);
  }

  private constructor(private readonly owner: string,
    /** The parsed certificate (Node's X.509). */
    public readonly certificate: X509Certificate,
    private readonly source: CertificateSource) {}

  /** SHA-256 fingerprint of the certificate (colon-separated hex, as `openssl x509 -fingerprint -sha256` prints). */
  public get fingerprint256(): string {
    return this.certificate.fingerprint256;
  }

  private get renewHint(): string {
    return this.source.renewHint ?? 'issue a new one from the CA or tool that made it';
  }

  /** Refuses a certificate that is expired (or not yet valid) at `at`. */
  public checkValidAt(at: Date): void {
    const notAfter = new Date(this.certificate.validTo);
    const notBefore = new Date(this.certificate.validFrom);
    if (notAfter.getTime() < at.getTime()) {
      fail(this.owner, `the certificate in ${this.source.certificate} expired on ${notAfter.toISOString()}: ${this.renewHint}`);
    }
    if (notBefore.getTime() > at.getTime()) {
      fail(this.owner, `the certificate in ${this.source.certificate} is not valid before ${notBefore.toISOString()}: `
        + 'check the clock of the machine that made it');
    }
  }

  /** The DNS names that clients of the Service may use and that the certificate must cover. */
  public static serviceDnsNames(service: string, namespace: string): string[] {
    return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  }

  /**
   * Refuses a certificate whose subject alternative names (or, with none, common name) do not cover every
   * name of {@link serviceDnsNames}, matched the way OpenSSL's hostname check does.
   */
  public checkCovers(service: string, namespace: string, optOut: string | undefined): void {
    const missing = CertificatePair.serviceDnsNames(service, namespace).filter((n) => this.certificate.checkHost(n) === undefined);
    if (missing.length > 0) {
      fail(this.owner, `the certificate in ${this.source.certificate} does not cover ${missing.join(', ')} `
        + `(it names ${this.describeNames()}): get one that names them (${this.renewHint})${optOut ? `, or ${optOut}` : ''}`);
    }
  }

  private describeNames(): string {
    const sans = this.certificate.subjectAltName;
    return sans ? sans : `only ${this.certificate.subject.replace(/\n/g, ', ')}`;
  }
}

/** The curves OpenSSL 3 and curl negotiate for a server certificate by default (NIST P-256, P-384, P-521). */
const ACCEPTED_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * Refuses what OpenSSL 3 at its default security level (as in nginx) or curl refuses as a server certificate: RSA
 * under 2048 bits, EC keys on other curves, other key types, and an extended key usage that does not allow serverAuth.
 */
function checkServerCertificate(owner: string, certFrom: string, certificate: X509Certificate): void {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const fix = 'issue a new one, e.g. with `npm run keys -- --force` (RSA 2048)';
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) {
      fail(owner, `the certificate in ${certFrom} has an RSA key of ${details.modulusLength} bits, which OpenSSL 3 refuses below 2048: ${fix}`);
    }
  } else if (key.asymmetricKeyType === 'ec') {
    if (ACCEPTED_CURVES[details.namedCurve ?? ''] === undefined) {
      fail(owner, `the certificate in ${certFrom} has an EC key on curve ${details.namedCurve}, which TLS clients do not accept: `
        + `use ${Object.values(ACCEPTED_CURVES).join(', ')} or RSA, or ${fix}`);
    }
  } else {
    fail(owner, `the certificate in ${certFrom} has a key of type ${key.asymmetricKeyType}, which curl and most TLS clients do not accept from a server: `
      + `use RSA (at least 2048 bits) or EC (${Object.values(ACCEPTED_CURVES).join(', ')}), or ${fix}`);
  }
  // X509Certificate.keyUsage holds the extended key usages; undefined when the extension is absent (any use).
  const usages = certificate.keyUsage;
  if (usages !== undefined && !usages.includes(SERVER_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    fail(owner, `the certificate in ${certFrom} is for ${usages.join(', ')} only (extended key usage), not serverAuth `
      + `(${SERVER_AUTH}), so curl refuses it from a server: issue one whose extended key usage includes serverAuth`);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
