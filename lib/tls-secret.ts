import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import * as k8s from './imports/k8s';
import { CertificatePair, CertificateSource } from './certificate';
import { claimName } from './chart-claims';
import { checkBoolean, checkDns1123Subdomain, checkProps, checkString, fail, ownerOf, show, uniqueId } from './validation';
import { addOutputCheck, checkMadeObjects, recordOrigin } from './output-check';

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

/** What every TlsSecret takes, wherever its certificate comes from. */
export interface TlsSecretOptions {
  /**
   * Name of the Secret.
   * @default 'nginxsecret'
   */
  readonly name?: string;

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

  /**
   * How to get a new certificate, quoted when this one is expired or does not name the Service (e.g. the
   * `npm run keys -- --force ...` command that made it).
   * @default - issue a new one from the CA or tool that made it
   */
  readonly renewHint?: string;

  /**
   * What to do instead, quoted after the renewal when the certificate does not name the Service (where the
   * certificate comes from a setting, the setting's way out); `''` offers none.
   * @default - set `checkServiceNames: false` on this TlsSecret
   */
  readonly optOutHint?: string;
}

/** A Secret synthesized from PEM text ({@link TlsSecret.fromPem}). */
export interface TlsSecretPemProps extends TlsSecretOptions {
  /** PEM text of the certificate. */
  readonly certificatePem: string;
  /** PEM text of the private key that belongs to the certificate. */
  readonly privateKeyPem: string;
}

/** A Secret synthesized from files ({@link TlsSecret.fromFiles}). */
export interface TlsSecretFileProps extends TlsSecretOptions {
  /** Path of the certificate file (`npm run keys` writes `.keys/tls.crt`). */
  readonly certificateFile: string;
  /** Path of the private key file (`npm run keys` writes `.keys/tls.key`). */
  readonly privateKeyFile: string;
}

/**
 * A Secret that already exists in the cluster ({@link TlsSecret.fromExisting}): nothing is synthesized, so the
 * manifests hold no key at all. A certificate and key given are the ones the Secret was created from: they are
 * checked like any other (expiry, the Service's names, that they belong together), but still not synthesized.
 */
export interface ExistingTlsSecretProps extends TlsSecretOptions {
  /**
   * PEM text of the certificate the Secret holds, to check.
   * @default - read from `certificateFile`, or nothing is checked
   */
  readonly certificatePem?: string;
  /**
   * PEM text of its private key, to check the pair.
   * @default - read from `privateKeyFile`
   */
  readonly privateKeyPem?: string;
  /**
   * Path of the certificate file the Secret was created from (`kubectl create secret tls --cert`).
   * @default - none
   */
  readonly certificateFile?: string;
  /**
   * Path of its private key file (`kubectl create secret tls --key`).
   * @default - none
   */
  readonly privateKeyFile?: string;
}

/**
 * Where a Secret's certificate comes from, as data: what charts and settings readers pass on to
 * {@link TlsSecret.fromSource}, one case per factory.
 */
export type TlsSecretSource =
  | ({
    /** {@link TlsSecret.fromPem} */
    readonly from: 'pem';
  } & TlsSecretPemProps)
  | ({
    /** {@link TlsSecret.fromFiles} */
    readonly from: 'files';
  } & TlsSecretFileProps)
  | ({
    /** {@link TlsSecret.fromExisting} */
    readonly from: 'existing';
  } & ExistingTlsSecretProps);

type Mode = TlsSecretSource['from'];
/** The props every factory takes. */
const OPTION_PROPS = ['name', 'layout', 'checkServiceNames', 'validAt', 'renewHint', 'optOutHint'] as const satisfies readonly (keyof TlsSecretOptions)[];

const FACTORY: Record<Mode, string> = { pem: 'TlsSecret.fromPem', files: 'TlsSecret.fromFiles', existing: 'TlsSecret.fromExisting' };
const SOURCE_PROPS = {
  pem: { certificate: ['certificatePem'], privateKey: ['privateKeyPem'] },
  files: { certificate: ['certificateFile'], privateKey: ['privateKeyFile'] },
  existing: { certificate: ['certificatePem', 'certificateFile'], privateKey: ['privateKeyPem', 'privateKeyFile'] },
} as const;

/**
 * The TLS Secret nginx serves https with, and that the curl client trusts as its CA.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
 */
export class TlsSecret extends Construct {
  /** A Secret synthesized from PEM text, e.g. a certificate a secret store hands over. */
  public static fromPem(scope: Construct, id: string, props: TlsSecretPemProps): TlsSecret {
    return new TlsSecret(scope, id, 'pem', props);
  }

  /** A Secret synthesized from a certificate file and its key file (`npm run keys` writes `.keys/tls.crt` and `.keys/tls.key`). */
  public static fromFiles(scope: Construct, id: string, props: TlsSecretFileProps): TlsSecret {
    return new TlsSecret(scope, id, 'files', props);
  }

  /** References a Secret created outside the manifests, e.g. by `kubectl create secret tls`: nothing is synthesized. */
  public static fromExisting(scope: Construct, id: string, props: ExistingTlsSecretProps = {}): TlsSecret {
    return new TlsSecret(scope, id, 'existing', props);
  }

  /** The factory that `source.from` names, for a source held as data (chart props, synth settings). */
  public static fromSource(scope: Construct, id: string, source: TlsSecretSource): TlsSecret {
    const from = (source as { from?: unknown } | undefined)?.from;
    if (typeof source !== 'object' || source === null || !(from === 'pem' || from === 'files' || from === 'existing')) {
      fail(ownerOf('TlsSecret', id), `source ${show(from === undefined ? source : from)} does not say where the certificate comes from: `
        + "pass { from: 'pem', certificatePem, privateKeyPem }, { from: 'files', certificateFile, privateKeyFile } or { from: 'existing' }");
    }
    const { from: mode, ...props } = source;
    return new TlsSecret(scope, id, mode, props);
  }

  /** Name of the Secret. */
  /** Name of the Secret. */
  public readonly name: string;
  /** The Secret's type and key names. */
  public readonly layout: TlsSecretLayout;
  /** `kubernetes.io/tls`, or undefined for the legacy (Opaque) layout. */
  public readonly type: string | undefined;
  /** Key of the certificate in the Secret, and so its file name where the Secret is mounted. */
  public readonly certificateKey: string;
  /** Key of the private key in the Secret, and so its file name where the Secret is mounted. */
  public readonly privateKeyKey: string;
  /** True when the Secret is only referenced ({@link TlsSecret.fromExisting}), not synthesized. */
  public readonly existing: boolean;
  /** Whether the certificate must name the Services that serve it. */
  public readonly checkServiceNames: boolean;
  /** What to do instead of renewing a certificate that does not name the Service. */
  private readonly optOutHint: string;
  /** The parsed, checked pair; undefined for an existing Secret given without its files. */
  public readonly pair?: CertificatePair;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;

  private constructor(scope: Construct, id: string, mode: Mode, props: ExistingTlsSecretProps) {
    super(uniqueId(scope, id, 'TlsSecret'), id);
    // A referenced Secret emits nothing, but its chart's namespace is still checked.
    addOutputCheck(this);
    // Another factory's props are named with that factory below.
    checkProps(ownerOf('TlsSecret', id), props, [...OPTION_PROPS, 'certificatePem', 'privateKeyPem', 'certificateFile', 'privateKeyFile']);
    props = props ?? {};
    this.name = props.name ?? 'nginxsecret';
    this.owner = ownerOf('TlsSecret', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    this.layout = props.layout ?? TlsSecretLayout.KUBERNETES_TLS;
    if (!Object.values(TlsSecretLayout).includes(this.layout)) {
      fail(this.owner, `layout ${show(this.layout)} is not one of ${Object.values(TlsSecretLayout).map((l) => `"${l}"`).join(', ')}`);
    }
    ({ type: this.type, certificateKey: this.certificateKey, privateKeyKey: this.privateKeyKey } = LAYOUTS[this.layout]);
    this.existing = mode === 'existing';
    checkBoolean(this.owner, 'checkServiceNames', props.checkServiceNames);
    this.checkServiceNames = props.checkServiceNames ?? true;
    this.optOutHint = props.optOutHint ?? `set checkServiceNames: false on ${this.owner}`;
    for (const prop of ['certificatePem', 'privateKeyPem', 'certificateFile', 'privateKeyFile', 'renewHint', 'optOutHint'] as const) {
      if (props[prop] !== undefined) checkString(this.owner, prop, props[prop]);
    }
    if (props.validAt !== undefined && (!(props.validAt instanceof Date) || Number.isNaN(props.validAt.getTime()))) {
      fail(this.owner, `validAt ${show(props.validAt)} is not a valid Date: pass e.g. new Date('2026-01-01T00:00:00Z')`);
    }
    // A JavaScript caller may hand one factory the other's props, which it would otherwise silently ignore.
    const allowed: readonly string[] = [...SOURCE_PROPS[mode].certificate, ...SOURCE_PROPS[mode].privateKey];
    for (const prop of ['certificatePem', 'privateKeyPem', 'certificateFile', 'privateKeyFile'] as const) {
      if (props[prop] !== undefined && !allowed.includes(prop)) {
        fail(this.owner, `${prop} is not a prop of ${FACTORY[mode]}: use ${prop.endsWith('Pem') ? 'TlsSecret.fromPem for PEM text' : 'TlsSecret.fromFiles for files'}`);
      }
    }
    if (props.certificatePem !== undefined && props.certificateFile !== undefined) {
      fail(this.owner, `certificatePem and certificateFile "${props.certificateFile}" are both given: pass one`);
    }
    if (props.privateKeyPem !== undefined && props.privateKeyFile !== undefined) {
      fail(this.owner, `privateKeyPem and privateKeyFile "${props.privateKeyFile}" are both given: pass one`);
    }

    // Where each half comes from, as messages name it.
    const certificateFrom = props.certificatePem !== undefined ? 'certificatePem'
      : props.certificateFile !== undefined ? `certificateFile "${props.certificateFile}"` : undefined;
    const keyFrom = props.privateKeyPem !== undefined ? 'privateKeyPem'
      : props.privateKeyFile !== undefined ? `privateKeyFile "${props.privateKeyFile}"` : undefined;
    if (this.existing && !certificateFrom && !keyFrom) return;
    const either = (names: readonly string[]) => (names.length === 1 ? `${names[0]} is not` : `neither ${names.join(' nor ')}`);
    if (!certificateFrom && !keyFrom) {
      const needs = mode === 'pem' ? 'certificatePem and privateKeyPem' : 'certificateFile and privateKeyFile';
      fail(this.owner, `no certificate or key given: ${FACTORY[mode]} needs ${needs}; `
        + 'or use TlsSecret.fromExisting() for a Secret created with `kubectl create secret tls`');
    }
    if (!keyFrom) {
      fail(this.owner, `the private key is missing: ${certificateFrom} is given but ${either(SOURCE_PROPS[mode].privateKey)}: `
        + 'pass the key that belongs to the certificate');
    }
    if (!certificateFrom) {
      fail(this.owner, `the certificate is missing: ${keyFrom} is given but ${either(SOURCE_PROPS[mode].certificate)}: `
        + 'pass the certificate that belongs to the key');
    }
    const source: CertificateSource = { certificate: certificateFrom, privateKey: keyFrom, renewHint: props.renewHint };
    const certificatePem = props.certificatePem ?? this.readPem('certificateFile', props.certificateFile!, props.renewHint);
    const privateKeyPem = props.privateKeyPem ?? this.readPem('privateKeyFile', props.privateKeyFile!, props.renewHint);
    this.pair = CertificatePair.parse(this.owner, certificatePem, privateKeyPem, source);
    this.pair.checkValidAt(props.validAt ?? new Date());
    if (this.existing) return;
    claimName(this, 'Secret', this.name, this.owner);

    const secret = new k8s.KubeSecret(this, 'Resource', TlsSecret.manifest({
      name: this.name,
      layout: this.layout,
      certificate: base64(certificatePem),
      privateKey: base64(privateKeyPem),
    }));
    recordOrigin(secret, this.owner, { 'metadata.name': { prop: 'name' } });
    checkMadeObjects(secret);
  }

  /**
   * The Secret's fields for base64 values of any representation (plain strings here, secret Outputs in the
   * Pulumi component), so both tools emit the same object.
   * @internal
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
      this.pair.checkCovers(service, namespace, this.optOutHint);
    }
  }

  /** The SHA-256 fingerprint of the certificate, when it is known here (not for a Secret referenced by name alone). */
  public get certificateFingerprint(): string | undefined {
    return this.pair?.fingerprint256;
  }

  private readPem(prop: string, file: string, renewHint: string | undefined): string {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail(this.owner, `${prop} "${file}" cannot be read (${code}): check the path${renewHint ? `, or ${renewHint}` : ''}`);
    }
  }
}

/** The base64 form a Secret's `data` holds. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
