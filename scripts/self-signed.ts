// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { CertificatePair } from '../lib/certificate';

type WebCrypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;

export interface SelfSignedOptions {
  /**
   * Name of the Service the certificate is for: its CN and O, and the first of its DNS names.
   * @default 'my-nginx'
   */
  readonly service?: string;
  /**
   * Namespace of the Service, for the `my-nginx.<ns>.svc...` DNS names.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Days of validity, from now.
   * @default 365
   */
  readonly days?: number;
  /**
   * Start of validity.
   * @default - now
   */
  readonly notBefore?: Date;
  /**
   * RSA modulus length in bits.
   * @default 2048
   */
  readonly modulusLength?: number;
}

export interface SelfSignedPem {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly notAfter: Date;
}

/**
 * The guide's `openssl req -x509 -nodes -days 365 -newkey rsa:2048 -subj "/CN=my-nginx/O=my-nginx"`, plus the
 * Service's DNS names as subjectAltName (which the guide's command lacks, so clients that ignore the CN refuse it).
 */
export async function generateSelfSigned(options: SelfSignedOptions = {}): Promise<SelfSignedPem> {
  const service = options.service ?? 'my-nginx';
  const namespace = options.namespace ?? 'default';
  const days = options.days ?? 365;
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`days ${days} is not a whole number of at least 1: use e.g. 365`);
  }
  const notBefore = options.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + days * 24 * 60 * 60 * 1000);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: options.modulusLength ?? 2048,
  };
  // Node's WebCrypto, typed as the DOM Crypto that @peculiar/x509 declares.
  const crypto = webcrypto as unknown as WebCrypto;
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    // A positive serial: clear the top bit so the DER integer needs no sign byte.
    serialNumber: (randomBytes(16)[0] & 0x7f).toString(16).padStart(2, '0') + randomBytes(15).toString('hex'),
    name: `CN=${service}, O=${service}`,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      // As openssl req -x509 does: the certificate is its own CA, so curl can trust it with --cacert.
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(CertificatePair.serviceDnsNames(service, namespace).map((value) => ({ type: 'dns' as const, value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
    ],
  }, crypto);
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    notAfter,
  };
}

/**
 * Writes `tls.crt` and `tls.key` into `dir` (created if missing, mode 0700), the key readable by its owner only:
 * the files `kubectl create secret tls --cert --key` reads.
 */
export function writePemFiles(dir: string, pem: Pick<SelfSignedPem, 'certificatePem' | 'privateKeyPem'>): { certificateFile: string; privateKeyFile: string } {
  const certificateFile = join(dir, 'tls.crt');
  const privateKeyFile = join(dir, 'tls.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(certificateFile, pem.certificatePem, { mode: 0o644 });
  writeFileSync(privateKeyFile, pem.privateKeyPem, { mode: 0o600 });
  return { certificateFile, privateKeyFile };
}
