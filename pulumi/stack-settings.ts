import { CertificatePair } from '../lib/certificate';
import { ServiceType } from '../lib/exposed-service';
import { App } from 'cdk8s';
import { validationProblems } from '../lib/output-check';
import { SecureNginxChart, SecureNginxChartProps, SERVICE_PORT_NAMES } from '../lib/secure-nginx-chart';
import { IMAGES, ImageSet, restrictedImageProblem } from '../lib/images';
import {
  checkDns1123Label, checkDns1123Subdomain, checkImage, checkNodePort, checkNodePortKey, checkOneOf, checkPortName, checkReplicas, fail,
  GuideConfigError, inSettingTerms, nearest, parseDecimal, SettingValue,
} from '../lib/validation';

/** The namespace of every stack config key (`guide-as-code:replicas`). */
export const CONFIG_NAMESPACE = 'guide-as-code';

/** Where the stack's TLS certificate comes from. */
export type CertificateSetting =
  /** `@pulumi/tls` makes a key and a self-signed certificate, renewed by `pulumi up` near its expiry. */
  | {
    /** Made by `@pulumi/tls`. */
    readonly source: 'generated';
  }
  /** A TLS Secret already in the namespace (cert-manager, `kubectl create secret tls`): the stack makes none. */
  | {
    /** An existing Secret. */
    readonly source: 'existingSecret';
    /** Its name. */
    readonly secretName: string;
  }
  /** PEM certificate and key from stack config (the key a secret value), checked before anything is registered. */
  | {
    /** From stack config. */
    readonly source: 'config';
    /** The certificate, PEM. */
    readonly certificatePem: string;
    /** The key, PEM (a secret config value). */
    readonly privateKeyPem: string;
  };

/** Which cluster the stack deploys to: always said explicitly, never the kubeconfig's current context by accident. */
export interface ClusterSetting {
  /** kubeconfig contents (a secret value: it can hold client keys and tokens). */
  readonly kubeconfig?: string;
  /** Context of that kubeconfig, or of the default one ($KUBECONFIG, ~/.kube/config). */
  readonly context?: string;
}

/** What a deployment of the guide is made of, whoever gives it: stack config or a program's component Args. */
export interface DeploymentSettings {
  /** Namespace the app is deployed to; created by the stack unless it is `default`. */
  readonly namespace: string;
  /** Number of nginx pods. */
  readonly replicas: number;
  /** The Service type. */
  readonly serviceType: ServiceType;
  /** Which image family the defaults come from. */
  readonly imageSet: ImageSet;
  /** The nginx image, overriding `imageSet`'s. */
  readonly nginxImage?: string;
  /** The curl image, overriding `imageSet`'s. */
  readonly curlImage?: string;
  /** Fixed node ports by Service port name. */
  readonly nodePorts: Readonly<Record<string, number>>;
  /** How long the generated certificate is valid. */
  readonly certificateValidityHours: number;
  /** How long before expiry `pulumi up` replaces the certificate. */
  readonly certificateEarlyRenewalHours: number;
  /** Wait for the cloud load balancer's address; false on clusters without one (kind, minikube). */
  readonly waitForLoadBalancer: boolean;
  /** The production preset, and the namespace labelled to enforce Pod Security "restricted". */
  readonly hardening: boolean;
  /** Add the one-shot https check Job. */
  readonly check: boolean;
  /** Where the TLS certificate comes from. */
  readonly certificate: CertificateSetting;
}

/** One environment's settings, read from `Pulumi.<stack>.yaml`: the deployment and the cluster it goes to. */
export interface StackSettings extends DeploymentSettings {
  /** The cluster the stack deploys to. */
  readonly cluster: ClusterSetting;
}

/** The value of each setting left unset, in stack config and in the component's Args alike. */
export const DEPLOYMENT_DEFAULTS = {
  /** The `default` namespace, which the stack never creates. */
  namespace: 'default',
  /** One nginx pod, as nginx-secure-app.yaml. */
  replicas: 1,
  /** The guide's last step. */
  serviceType: ServiceType.LOAD_BALANCER,
  /** Pinned, pullable images. */
  imageSet: ImageSet.PINNED,
  /** Node ports chosen by Kubernetes. */
  nodePorts: {},
  /** A year. */
  certificateValidityHours: 365 * 24,
  /** 30 days. */
  certificateEarlyRenewalHours: 30 * 24,
  /** Wait for the load balancer's address. */
  waitForLoadBalancer: true,
  /** The guide's manifests, without the preset. */
  hardening: false,
  /** With the check Job. */
  check: true,
  /** A certificate made by `@pulumi/tls`. */
  certificate: {
    /** See {@link CertificateSetting}. */
    source: 'generated',
  },
} as const satisfies Omit<DeploymentSettings, 'nginxImage' | 'curlImage'>;

/** Reads raw stack config values by key (without the `guide-as-code:` prefix), and whether each one is a secret. */
export interface ConfigSource {
  /** The raw value of `key`, or undefined when it is not set. */
  get(key: string): string | undefined;
  /** Whether the value was set with `pulumi config set --secret`. */
  isSecret(key: string): boolean;
}

/** Every stack config key the program reads, without the `guide-as-code:` prefix. */
export const STACK_CONFIG_KEYS = [
  'namespace', 'replicas', 'serviceType', 'imageSet', 'nginxImage', 'curlImage', 'nodePorts',
  'certificateValidityHours', 'certificateEarlyRenewalHours', 'waitForLoadBalancer', 'hardening', 'check',
  'certificateSource', 'existingSecretName', 'certificatePem', 'privateKeyPem', 'kubeconfig', 'context',
] as const;

/** The values of `certificateSource`. */
export const CERTIFICATE_SOURCES = ['generated', 'existingSecret', 'config'] as const;

/**
 * Reads and checks the stack's settings. Throws a {@link GuideConfigError} that names the key before any
 * resource is registered. `presentKeys` (all keys of the stack, e.g. `Object.keys(pulumi.runtime.allConfig())`)
 * catches misspelt keys, which would otherwise be ignored silently.
 */
export function readStackSettings(config: ConfigSource, presentKeys: readonly string[] = []): StackSettings {
  const owner = 'stack config';
  const key = (k: typeof STACK_CONFIG_KEYS[number]) => `${CONFIG_NAMESPACE}:${k}`;
  for (const present of presentKeys) {
    const [ns, name] = present.split(':', 2);
    const guess = nearest(name ?? '', STACK_CONFIG_KEYS);
    // `guide_as_code:replicas` would be another project's key, ignored by this one: a near miss is a typo.
    if (ns !== CONFIG_NAMESPACE && name !== undefined && nearest(ns, [CONFIG_NAMESPACE]) !== undefined) {
      fail(owner, `${present} is not read: its namespace "${ns}" is not this project's "${CONFIG_NAMESPACE}"; `
        + `${guess ? `did you mean ${key(guess as typeof STACK_CONFIG_KEYS[number])}? ` : ''}set the key as ${CONFIG_NAMESPACE}:<setting>`);
    }
    if (ns === CONFIG_NAMESPACE && !(STACK_CONFIG_KEYS as readonly string[]).includes(name)) {
      fail(owner, `${present} is not a setting: ${guess ? `did you mean ${key(guess as typeof STACK_CONFIG_KEYS[number])}? ` : ''}`
        + `use one of ${STACK_CONFIG_KEYS.map((k) => key(k)).join(', ')}`);
    }
  }

  const integer = (k: typeof STACK_CONFIG_KEYS[number], fallback: number): number => {
    const raw = config.get(k);
    if (raw === undefined) return fallback;
    const value = parseDecimal(raw);
    if (value === undefined) {
      fail(owner, `${key(k)} "${raw}" is not a whole number of at least 0 in decimal digits: set it with \`pulumi config set ${key(k)} <number>\``);
    }
    return value;
  };
  const boolean = (k: typeof STACK_CONFIG_KEYS[number], fallback: boolean): boolean => {
    const raw = config.get(k);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      fail(owner, `${key(k)} "${raw}" is not true or false: set it with \`pulumi config set ${key(k)} true\``);
    }
    return raw === 'true';
  };
  const image = (k: typeof STACK_CONFIG_KEYS[number]): string | undefined => {
    const raw = config.get(k);
    if (raw !== undefined) checkImage(owner, key(k), raw, 'use e.g. "nginx:1.27.4", or remove the key for the default');
    return raw;
  };

  const namespace = config.get('namespace') ?? DEPLOYMENT_DEFAULTS.namespace;
  checkDns1123Label(owner, key('namespace'), namespace);
  const replicas = integer('replicas', DEPLOYMENT_DEFAULTS.replicas);
  checkReplicas(owner, key('replicas'), replicas);
  const serviceType = checkOneOf(owner, key('serviceType'), config.get('serviceType') ?? DEPLOYMENT_DEFAULTS.serviceType, Object.values(ServiceType));
  const imageSet = checkOneOf(owner, key('imageSet'), config.get('imageSet') ?? DEPLOYMENT_DEFAULTS.imageSet, Object.values(ImageSet));
  const nodePorts = readNodePorts(owner, key('nodePorts'), config.get('nodePorts'));
  if (Object.keys(nodePorts).length > 0 && serviceType === ServiceType.CLUSTER_IP) {
    fail(owner, `${key('nodePorts')} needs ${key('serviceType')} NodePort or LoadBalancer, but it is ClusterIP: remove one of them`);
  }
  const certificateValidityHours = integer('certificateValidityHours', DEPLOYMENT_DEFAULTS.certificateValidityHours);
  if (certificateValidityHours < 1) {
    fail(owner, `${key('certificateValidityHours')} ${certificateValidityHours} is not at least 1: use e.g. 8760 (a year)`);
  }
  const certificateEarlyRenewalHours = integer('certificateEarlyRenewalHours', DEPLOYMENT_DEFAULTS.certificateEarlyRenewalHours);
  if (certificateEarlyRenewalHours < 0 || certificateEarlyRenewalHours >= certificateValidityHours) {
    fail(owner, `${key('certificateEarlyRenewalHours')} ${certificateEarlyRenewalHours} must be at least 0 and less than `
      + `${key('certificateValidityHours')} ${certificateValidityHours}, or every \`pulumi up\` replaces the certificate`);
  }
  const hardening = boolean('hardening', DEPLOYMENT_DEFAULTS.hardening);
  const nginxImage = image('nginxImage');
  const restrictedProblem = hardening ? restrictedImageProblem(nginxImage ?? IMAGES[imageSet].nginxHttps) : undefined;
  if (restrictedProblem) {
    fail(owner, `${key('hardening')} true cannot work with ${nginxImage !== undefined ? `${key('nginxImage')} ${nginxImage}` : `${key('imageSet')} ${imageSet}`}: `
      + `${restrictedProblem}; ${nginxImage !== undefined ? '' : `set ${key('imageSet')} to pinned, `}set `
      + `${key('nginxImage')} to nginx:1.27.4, or ${key('hardening')} to false`);
  }
  return {
    certificate: readCertificate(owner, config, key),
    cluster: readCluster(owner, config, key),
    namespace,
    replicas,
    serviceType,
    imageSet,
    nginxImage,
    curlImage: image('curlImage'),
    nodePorts,
    certificateValidityHours,
    certificateEarlyRenewalHours,
    waitForLoadBalancer: boolean('waitForLoadBalancer', DEPLOYMENT_DEFAULTS.waitForLoadBalancer),
    hardening,
    check: boolean('check', DEPLOYMENT_DEFAULTS.check),
  };
}

/** The certificate and key of `certificateSource: config`, parsed with messages that name those keys. */
function configCertificate(certificatePem: string, privateKeyPem: string): CertificatePair {
  const key = (k: typeof STACK_CONFIG_KEYS[number]) => `${CONFIG_NAMESPACE}:${k}`;
  return CertificatePair.parse('stack config', certificatePem, privateKeyPem, {
    certificate: key('certificatePem'),
    privateKey: key('privateKeyPem'),
    renewHint: `put a new one into ${key('certificatePem')} and ${key('privateKeyPem')}`,
  });
}

function readCertificate(owner: string, config: ConfigSource, key: (k: typeof STACK_CONFIG_KEYS[number]) => string): CertificateSetting {
  const source = checkOneOf(owner, key('certificateSource'), config.get('certificateSource') ?? DEPLOYMENT_DEFAULTS.certificate.source, CERTIFICATE_SOURCES);
  const stray = (['existingSecretName', 'certificatePem', 'privateKeyPem'] as const)
    .filter((k) => config.get(k) !== undefined && !(source === 'existingSecret' ? ['existingSecretName'] : source === 'config'
      ? ['certificatePem', 'privateKeyPem'] : []).includes(k));
  if (stray.length > 0) {
    fail(owner, `${key(stray[0])} is set but ${key('certificateSource')} is "${source}", which does not read it: `
      + `remove it, or set ${key('certificateSource')} to ${stray[0] === 'existingSecretName' ? 'existingSecret' : 'config'}`);
  }
  if (source === 'generated') return { source };
  if (source === 'existingSecret') {
    const secretName = config.get('existingSecretName') ?? 'nginxsecret';
    checkDns1123Subdomain(owner, key('existingSecretName'), secretName);
    return { source, secretName };
  }
  const certificatePem = config.get('certificatePem');
  const privateKeyPem = config.get('privateKeyPem');
  if (certificatePem === undefined || privateKeyPem === undefined) {
    const missing = certificatePem === undefined ? 'certificatePem' : 'privateKeyPem';
    fail(owner, `${key('certificateSource')} is "config" but ${key(missing)} is not set: `
      + `\`pulumi config set ${missing === 'privateKeyPem' ? '--secret ' : ''}${key(missing)} < ${missing === 'privateKeyPem' ? 'tls.key' : 'tls.crt'}\``);
  }
  if (!config.isSecret('privateKeyPem')) {
    fail(owner, `${key('privateKeyPem')} is a plain value, so the key would sit readable in Pulumi.<stack>.yaml and the state: `
      + `set it again with \`pulumi config set --secret ${key('privateKeyPem')} < tls.key\``);
  }
  // The checks TlsSecret makes, with its messages, before any resource is registered; whether it covers the
  // Service's names is checked once the chart says what the Service is called (stackChart).
  configCertificate(certificatePem, privateKeyPem).checkValidAt(new Date());
  return { source, certificatePem, privateKeyPem };
}

function readCluster(owner: string, config: ConfigSource, key: (k: typeof STACK_CONFIG_KEYS[number]) => string): ClusterSetting {
  const kubeconfig = config.get('kubeconfig');
  const context = config.get('context');
  if (kubeconfig === undefined && context === undefined) {
    fail(owner, `no cluster is named: set ${key('context')} to a context of your kubeconfig `
      + `(\`pulumi config set ${key('context')} kind-guide\`), or ${key('kubeconfig')} with \`pulumi config set --secret\`, `
      + 'so the stack never deploys to whatever context happens to be current');
  }
  if (kubeconfig !== undefined && !config.isSecret('kubeconfig')) {
    fail(owner, `${key('kubeconfig')} is a plain value, but a kubeconfig can hold client keys and tokens: `
      + `set it again with \`pulumi config set --secret ${key('kubeconfig')} < kubeconfig\``);
  }
  if (context !== undefined && context.trim() === '') fail(owner, `${key('context')} is empty: name a context of your kubeconfig`);
  return { kubeconfig, context };
}

function readNodePorts(owner: string, key: string, raw: string | undefined): Record<string, number> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    fail(owner, `${key} "${raw}" is not an object of port names to node ports: use e.g. {"http": 30080, "https": 30443}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(owner, `${key} ${raw} is not an object of port names to node ports: use e.g. {"http": 30080, "https": 30443}`);
  }
  // JSON takes 3e4 and 30000.0 too; a node port is written in decimal digits, like every other number here.
  const numbers = raw.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?[0-9][0-9.eE+-]*/g) ?? [];
  const odd = numbers.find((n) => parseDecimal(n) === undefined);
  if (odd !== undefined) fail(owner, `${key} ${raw} has the number ${odd}, which is not written in decimal digits: use e.g. {"https": 30443}`);
  const ports: Record<string, number> = {};
  for (const [name, value] of Object.entries(parsed)) {
    checkPortName(owner, `${key} key`, name);
    checkNodePortKey(owner, key, name, SERVICE_PORT_NAMES);
    if (typeof value !== 'number') fail(owner, `${key}.${name} ${JSON.stringify(value)} is not a number: use e.g. 30443`);
    checkNodePort(owner, `${key}.${name}`, value);
    const twice = Object.entries(ports).find(([, port]) => port === value);
    if (twice) fail(owner, `${key}.${name} ${value} is also ${key}.${twice[0]}: give each port its own node port`);
    ports[name] = value;
  }
  return ports;
}

/**
 * The chart a stack deploys: the guide's final state in the stack's namespace, referencing the TLS Secret that the
 * deployer creates, so no key is ever part of a synthesized object.
 */
export function chartPropsFor(settings: DeploymentSettings): SecureNginxChartProps {
  const certificate = settings.certificate;
  return {
    namespace: settings.namespace,
    // Referenced, never synthesized: the component creates the Secret from secret Outputs (or finds it existing). With
    // PEMs from config the chart knows the certificate, so the pod template carries its fingerprint.
    tls: certificate.source === 'existingSecret' ? { from: 'existing', name: certificate.secretName }
      // The stack checks the names itself (stackChart), so its message names the stack config keys.
      : certificate.source === 'config' ? { from: 'existing', certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem,
        checkServiceNames: false }
        : { from: 'existing' },
    serviceType: settings.serviceType,
    replicas: settings.replicas,
    imageSet: settings.imageSet,
    nginxImage: settings.nginxImage,
    curlImage: settings.curlImage,
    nodePorts: settings.nodePorts,
    serviceAnnotations: settings.waitForLoadBalancer ? undefined : { 'pulumi.com/skipAwait': 'true' },
    hardening: settings.hardening,
    check: settings.check,
  };
}

/**
 * A construct's refusal of a value the stack's settings gave it, restated in terms of the stack config key (`stack
 * config: guide-as-code:nginxImage "..." gives NginxApp "my-nginx" image ...`); other errors as they are.
 */
export function stackErrorInSettingTerms(error: GuideConfigError, settings: DeploymentSettings): GuideConfigError {
  const key = (k: typeof STACK_CONFIG_KEYS[number], value: unknown): SettingValue | undefined =>
    (value === undefined ? undefined : { name: `${CONFIG_NAMESPACE}:${k}`, value: String(value) });
  return inSettingTerms(error, 'stack config', {
    'Chart.namespace': key('namespace', settings.namespace),
    'ExposedService.type': key('serviceType', settings.serviceType),
    'NginxApp.replicas': key('replicas', settings.replicas),
    'NginxApp.imageSet': key('imageSet', settings.imageSet),
    'CurlProbe.imageSet': key('imageSet', settings.imageSet),
    'NginxApp.image': key('nginxImage', settings.nginxImage),
    'CurlProbe.image': key('curlImage', settings.curlImage),
    'NginxApp.hardening': key('hardening', settings.hardening),
    'NginxApp.restricted': key('hardening', settings.hardening),
  });
}

/** The stack's chart and the objects it synthesized, which passed the App's output check. */
export interface CheckedStack {
  /** The chart, built from the settings. */
  readonly chart: SecureNginxChart;
  /** Its synthesized objects, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly objects: any[];
}

/**
 * The stack's chart, built and synthesized once (which runs the App's output check): what the constructs or the
 * check refuse is a {@link GuideConfigError} here, before the program registers anything.
 */
export function stackChart(settings: DeploymentSettings): CheckedStack {
  const chart = new SecureNginxChart(new App(), 'guide', chartPropsFor(settings));
  if (settings.certificate.source === 'config') {
    configCertificate(settings.certificate.certificatePem, settings.certificate.privateKeyPem)
      .checkCovers(chart.service.name, chart.namespace ?? 'default', `${CONFIG_NAMESPACE}:certificateSource generated`);
  }
  try {
    return { chart, objects: chart.toJson() };
  } catch (e) {
    const problems = validationProblems(e);
    throw problems ? new GuideConfigError(problems.join('\n')) : e;
  }
}
