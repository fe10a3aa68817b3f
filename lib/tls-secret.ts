import { readFileSync } from 'node:fs';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CertificatePair } from './certificate';
import { checkDns1123Subdomain, fail, ownerOf } from './validation';

/** How the certificate and key are laid out in the Secret. */
export enum TlsSecretLayout {
  /**
   * What `kubectl create secret tls nginxsecret --cert --key` makes: type `kubernetes.io/tls`,
   * keys `tls.crt` and `tls.key` (the English page and the current default.conf).
   */
  KUBERNETES_TLS = 'kubernetes.io/tls',
  /**
   * The Japanese page's manual Secret: no type (so `Opaque`), keys `nginx.crt` and `nginx.key`
   * (with default.conf from before 2018-03).
   */
  LEGACY_OPAQUE = 'legacy-opaque',
}

const LAYOUTS = {
  [TlsSecretLayout.KUBERNETES_TLS]: { type: 'kubernetes.io/tls', certificateKey: 'tls.crt', privateKeyKey: 'tls.key' },
  [TlsSecretLayout.LEGACY_OPAQUE]: { type: undefined, certificateKey: 'nginx.crt', privateKeyKey: 'nginx.key' },
} as const;

export interface TlsSecretProps {
  /**
   * Name of the Secret.
   * @default 'nginxsecret'
   */
  readonly name?: string;

  /**
   * PEM text of the certificate.
   * @default - read from `certificateFile`
   */
  readonly certificatePem?: string;

  /**
   * PEM text of the private key that belongs to the certificate.
   * @default - read from `privateKeyFile`
   */
  readonly privateKeyPem?: string;

  /**
   * Path of the certificate file (`npm run keys` writes `.keys/tls.crt`).
   * @default - none; `certificatePem` or `existing` is needed instead
   */
  readonly certificateFile?: string;

  /**
   * Path of the private key file (`npm run keys` writes `.keys/tls.key`).
   * @default - none; `privateKeyPem` or `existing` is needed instead
   */
  readonly privateKeyFile?: string;

  /**
   * Reference a Secret that already exists in the cluster (`kubectl create secret tls nginxsecret ...`):
   * nothing is synthesized, so the manifests hold no key at all. A certificate and key given as well are the
   * ones the Secret is created from: they are checked like any other, but still not synthesized.
   * @default false
   */
  readonly existing?: boolean;

  /**
   * Type and key names of the Secret.
   * @default TlsSecretLayout.KUBERNETES_TLS
   */
  readonly layout?: TlsSecretLayout;

  /**
   * Refuse a certificate that does not name the Service it serves (`my-nginx`, `my-nginx.<ns>`,
   * `my-nginx.<ns>.svc`, `my-nginx.<ns>.svc.cluster.local`). The guide's own openssl command sets no SAN,
   * so its certificate needs this set to false.
   * @default true
   */
  readonly checkServiceNames?: boolean;

  /**
   * The moment at which the certificate must be valid.
   * @default - the time of synthesis
   */
  readonly validAt?: Date;
}

/**
 * The TLS Secret nginx serves https with, and that the curl client trusts as its CA.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
 */
export class TlsSecret extends Construct {
  /** References a Secret created outside the manifests, e.g. by `kubectl create secret tls`. */
  public static fromExisting(scope: Construct, id: string, props: Omit<TlsSecretProps, 'existing'> = {}): TlsSecret {
    return new TlsSecret(scope, id, { ...props, existing: true });
  }

  /** Name of the Secret. */
  public readonly name: string;
  public readonly layout: TlsSecretLayout;
  /** `kubernetes.io/tls`, or undefined for the legacy (Opaque) layout. */
  public readonly type: string | undefined;
  /** Key of the certificate in the Secret, and so its file name where the Secret is mounted. */
  public readonly certificateKey: string;
  /** Key of the private key in the Secret, and so its file name where the Secret is mounted. */
  public readonly privateKeyKey: string;
  /** True when the Secret is only referenced, not synthesized. */
  public readonly existing: boolean;
  public readonly checkServiceNames: boolean;
  /** The parsed, checked pair; undefined for an existing Secret given without its files. */
  public readonly pair?: CertificatePair;

  private readonly owner: string;

  constructor(scope: Construct, id: string, props: TlsSecretProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'nginxsecret';
    this.owner = ownerOf('TlsSecret', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    this.layout = props.layout ?? TlsSecretLayout.KUBERNETES_TLS;
    if (!Object.values(TlsSecretLayout).includes(this.layout)) {
      fail(this.owner, `layout "${this.layout}" is not one of ${Object.values(TlsSecretLayout).map((l) => `"${l}"`).join(', ')}`);
    }
    ({ type: this.type, certificateKey: this.certificateKey, privateKeyKey: this.privateKeyKey } = LAYOUTS[this.layout]);
    this.existing = props.existing ?? false;
    this.checkServiceNames = props.checkServiceNames ?? true;

    const given = props.certificatePem ?? props.privateKeyPem ?? props.certificateFile ?? props.privateKeyFile;
    if (this.existing && given === undefined) return;
    const certificatePem = props.certificatePem ?? this.readPem('certificateFile', props.certificateFile);
    const privateKeyPem = props.privateKeyPem ?? this.readPem('privateKeyFile', props.privateKeyFile);
    this.pair = CertificatePair.parse(this.owner, certificatePem, privateKeyPem);
    this.pair.checkValidAt(props.validAt ?? new Date());
    if (this.existing) return;

    new k8s.KubeSecret(this, 'Resource', TlsSecret.manifest({
      name: this.name,
      layout: this.layout,
      certificate: base64(certificatePem),
      privateKey: base64(privateKeyPem),
    }));
  }

  /**
   * The Secret's fields for base64 values of any representation (plain strings here, secret Outputs in the
   * Pulumi component), so both tools emit the same object.
   */
  public static manifest<T>(args: { name: string; layout: TlsSecretLayout; certificate: T; privateKey: T }) {
    const layout = LAYOUTS[args.layout];
    return {
      metadata: { name: args.name },
      ...(layout.type ? { type: layout.type } : {}),
      data: { [layout.certificateKey]: args.certificate, [layout.privateKeyKey]: args.privateKey },
    };
  }

  /**
   * Checks that the certificate covers the Service named `service` in `namespace`, unless this Secret
   * opted out or references an existing Secret whose content is unknown here.
   */
  public checkServes(service: string, namespace: string): void {
    if (this.pair && this.checkServiceNames) {
      this.pair.checkCovers(service, namespace, `checkServiceNames: false on ${this.owner}`);
    }
  }

  private readPem(prop: string, file: string | undefined): string {
    if (file === undefined) {
      fail(this.owner, `no certificate or key given: set certificatePem and privateKeyPem, ${prop} and its pair, `
        + 'or use TlsSecret.fromExisting() for a Secret created with `kubectl create secret tls`');
    }
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail(this.owner, `${prop} "${file}" cannot be read (${code}): run \`npm run keys\` to generate it, or fix the path`);
    }
  }
}

/** The base64 form a Secret's `data` holds. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
