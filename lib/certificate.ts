import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { fail } from './validation';

/**
 * A certificate and its private key, parsed and checked with Node's X.509 implementation (OpenSSL), the same
 * checks `kubectl create secret tls` and nginx make, but at synth time with a message that says what to fix.
 */
export class CertificatePair {
  /** Parses both PEM texts; throws a {@link GuideConfigError} that never quotes the key. */
  public static parse(owner: string, certificatePem: string, privateKeyPem: string): CertificatePair {
    if (!/-----BEGIN CERTIFICATE-----/.test(certificatePem)) {
      fail(owner, 'certificate is not PEM text: expected a "-----BEGIN CERTIFICATE-----" block (run `npm run keys` to make one)');
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch (e) {
      fail(owner, `certificate is malformed PEM (${reason(e)}): pass the .crt file that openssl or \`npm run keys\` wrote`);
    }
    if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/.test(privateKeyPem)) {
      fail(owner, 'privateKey is not PEM text: expected a PEM block labelled "PRIVATE KEY" (run `npm run keys` to make one)');
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(privateKeyPem);
    } catch (e) {
      fail(owner, `privateKey is malformed PEM (${reason(e)}): pass the .key file written together with the certificate`);
    }
    if (!certificate.checkPrivateKey(privateKey)) {
      fail(owner, `privateKey does not match the certificate (${certificate.subject.replace(/\n/g, ', ')}): `
        + 'pass the key that was generated together with this certificate');
    }
    return new CertificatePair(owner, certificate);
  }

  private constructor(private readonly owner: string, public readonly certificate: X509Certificate) {}

  /** Refuses a certificate that is expired (or not yet valid) at `at`. */
  public checkValidAt(at: Date): void {
    const notAfter = new Date(this.certificate.validTo);
    const notBefore = new Date(this.certificate.validFrom);
    if (notAfter.getTime() < at.getTime()) {
      fail(this.owner, `certificate expired on ${notAfter.toISOString()}: generate a new one with \`npm run keys -- --force\``);
    }
    if (notBefore.getTime() > at.getTime()) {
      fail(this.owner, `certificate is not valid before ${notBefore.toISOString()}: check the clock of the machine that made it`);
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
  public checkCovers(service: string, namespace: string, optOut: string): void {
    const missing = CertificatePair.serviceDnsNames(service, namespace).filter((n) => this.certificate.checkHost(n) === undefined);
    if (missing.length > 0) {
      fail(this.owner, `certificate does not cover ${missing.join(', ')} (it names ${this.describeNames()}): `
        + `regenerate it with \`npm run keys -- --force --service ${service} --namespace ${namespace}\` or set ${optOut}`);
    }
  }

  private describeNames(): string {
    const sans = this.certificate.subjectAltName;
    return sans ? sans : `only ${this.certificate.subject.replace(/\n/g, ', ')}`;
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
