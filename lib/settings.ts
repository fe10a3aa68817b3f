// Every setting of a deployment of the guide, declared once: its name, value type, default, one-line doc, the GUIDE_*
// variable `npm run synth` reads, the stack config key `pulumi up` reads, whether the Pulumi component's Args and the
// final state's chart take it, and which construct props it becomes. The readers of the environment and of stack
// config, the checks and defaults of the component's Args and of the chart's props, the restatement of a construct's
// refusal in the terms of the setting behind it, the TypeScript interfaces of lib/settings.generated.ts and the tables
// of docs/settings.md all come from this one table (`npm run settings:generate` writes the last two; a test proves they
// are current). A new setting is one entry.
import { join } from 'node:path';
import { Duration } from 'cdk8s';
import { AUTOSCALING_DEFAULTS } from './autoscaling';
import { CertificatePair } from './certificate';
import { IMAGES, ImageSet } from './images';
import { ServiceType } from './service-type';
import type { GuideSettingsValues } from './settings.generated';
import type { TlsSecretSource } from './tls-secret';

export type { GuideSettingsValues };
import {
  fail, GuideConfigError, imageProblem, NAME_RULES, nearest, nodePortProblem, parseDecimal, qualifiedNameProblem, show,
} from './validation';

/** The port names of the final state's Service (nginx-secure-app.yaml's http and https): what nodePorts is keyed by. */
export const SERVICE_PORT_NAMES = ['http', 'https'] as const;

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

/** The values of a {@link CertificateSetting}'s `source`. */
export const CERTIFICATE_SOURCES = ['generated', 'existingSecret', 'config'] as const;

/** Which cluster a stack deploys to: always said explicitly, never the kubeconfig's current context by accident. */
export interface ClusterSetting {
  /** kubeconfig contents (a secret value: it can hold client keys and tokens). */
  readonly kubeconfig?: string;
  /** Context of that kubeconfig, or of the default one ($KUBECONFIG, ~/.kube/config). */
  readonly context?: string;
}

/** The namespace of every stack config key (`guide-as-code:replicas`). */
export const CONFIG_NAMESPACE = 'guide-as-code';

/** The namespace of a metrics scraper unless said otherwise: where kube-prometheus-stack installs Prometheus. */
export const DEFAULT_SCRAPER_NAMESPACE = 'monitoring';

/** Where `npm run keys` writes the certificate and key by default. */
export const KEYS_DIR = '.keys';

/** Where settings come from, which names them in messages. */
export type Surface = 'environment' | 'stack' | 'args' | 'chart';

/** What a setting's text (an environment variable, a stack config value) is read as: a value, or what is wrong with it. */
export type Parsed<T> = {
  /** The value the text gives. */
  readonly value: T;
} | {
  /** What is wrong with the text, from "is ..." on. */
  readonly problem: string;
};

/** A line of the docs: what a setting (or one of its keys) sets, and its default. */
export interface SettingDoc {
  /** What it sets. */
  readonly doc: string;
  /** Its default, as the docs say it. */
  readonly defaultDoc: string;
}

/** How a setting's value is read from text and checked as a value given in code. */
export interface ValueType<T> {
  /** What the text may be, for the docs: `true or false`. */
  readonly accepts: string;
  /** Reads the text of an environment variable or a stack config value. */
  parse(text: string): Parsed<T>;
  /** What is wrong with a value given in code (a JavaScript caller may pass anything), from "is ..." on. */
  check(value: unknown): string | undefined;
  /** An example value as the text is written, for the fixes: `2`, `true`. */
  readonly example: string;
  /** The value as the docs show a default. */
  show?(value: T): string;
}

/** What every reader has at hand: whether a file exists (the environment's default certificate files). */
export interface ReadContext {
  /** Whether the file at `path` exists. */
  fileExists(path: string): boolean;
}

/** One setting of {@link SETTINGS}. */
export interface SettingSpec<T> {
  /** One line: what it sets. */
  readonly doc: string;
  /** The TypeScript type of its value, for lib/settings.generated.ts. */
  readonly tsType: string;
  /** How its text is read and its value checked. */
  readonly type: ValueType<T>;
  /** Its value when unset; none when absent. */
  readonly default?: T | ((settings: GuideSettingsValues) => T);
  /** The default as the docs and `@default` say it. */
  readonly defaultDoc: string;
  /** The environment variable of `npm run synth`. */
  readonly env?: string;
  /** What the variable sets and its default, where the environment's form differs from the value's (a folder for a source). */
  readonly envDoc?: SettingDoc;
  /** How the environment's text becomes the value, where `type.parse` does not say it all (a folder becomes a source). */
  readonly fromEnv?: (text: string | undefined, context: ReadContext, settings: Partial<GuideSettingsValues>) => T | undefined;
  /** The stack config key (without `guide-as-code:`), or the keys a setting of several is read from. */
  readonly stack?: string | StackKeys<T>;
  /** Whether the Pulumi component's Args take it (by its name). */
  readonly arg?: boolean;
  /** Whether the final state's chart (SecureNginxChart, addGuideCharts) takes it as a prop (by its name). */
  readonly chart?: boolean;
  /** The construct props it becomes, by `<Kind>.<prop>`: a construct's refusal of one is restated as this setting's. */
  readonly feeds?: readonly string[];
  /** A link for the generated `@see`. */
  readonly see?: string;
}

/** The stack config keys one setting is read from. */
export interface StackKeys<T> {
  /** Each key, with what it sets and its default. */
  readonly keys: Readonly<Record<string, SettingDoc>>;
  /** Reads the setting from the keys; `key` names a key as messages name it. */
  read(config: ConfigSource, key: (k: string) => string): T;
}

/** Reads raw stack config values by key (without the `guide-as-code:` prefix), and whether each one is a secret. */
export interface ConfigSource {
  /** The raw value of `key`, or undefined when it is not set. */
  get(key: string): string | undefined;
  /** Whether the value was set with `pulumi config set --secret`. */
  isSecret(key: string): boolean;
}

// --- value types -----------------------------------------------------------------------------------------------------

const BOOLEAN: ValueType<boolean> = {
  accepts: 'true or false',
  parse: (text) => (text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: 'is not true or false' }),
  check: (value) => (typeof value === 'boolean' ? undefined : 'is not true or false: pass a boolean'),
  example: 'true',
};

function wholeNumber(min: number, example: string): ValueType<number> {
  return {
    accepts: `a whole number of at least ${min}`,
    parse: (text) => {
      const value = parseDecimal(text);
      if (value === undefined) return { problem: `is not a whole number of at least ${min} in decimal digits` };
      return value < min ? { problem: `is not a whole number of at least ${min}` } : { value };
    },
    check: (value) => (typeof value !== 'number' ? `is not a number: pass a number, e.g. ${example}`
      : !Number.isInteger(value) || value < min ? `is not a whole number of at least ${min}: use e.g. ${example}` : undefined),
    example,
  };
}

function oneOf<T extends string>(values: readonly T[], codeName?: string): ValueType<T> {
  const listed = values.map((v) => `"${v}"`).join(', ');
  return {
    accepts: values.map((v) => `\`${v}\``).join(', ').replace(/, ([^,]*)$/, ' or $1'),
    parse: (text) => (values.includes(text as T) ? { value: text as T } : { problem: `is not one of ${listed}` }),
    check: (value) => (values.includes(value as T) ? undefined : `is not one of ${listed}${codeName ? `: pass e.g. ${codeName}` : ''}`),
    example: values[0],
  };
}

function named(rule: keyof typeof NAME_RULES, example: string): ValueType<string> {
  const check = (value: unknown) => (typeof value !== 'string' ? `is not a string: pass the text, e.g. "${example}"` : NAME_RULES[rule](value));
  return { accepts: `a ${rule === 'dns1123Label' ? 'DNS-1123 label' : 'DNS-1123 subdomain'}`, parse: (text) => textOrProblem(text, check), check, example };
}

function textOrProblem<T>(text: string, check: (value: string) => string | undefined): Parsed<T> {
  const problem = check(text);
  return problem ? { problem } : { value: text as T };
}

function image(example: string): ValueType<string> {
  const problem = (value: string) => {
    const why = imageProblem(value);
    return why ? `is not a valid image reference (${why})` : undefined;
  };
  const check = (value: unknown) => {
    if (typeof value !== 'string') return `is not a string: pass the text, e.g. "${example}"`;
    const found = problem(value);
    return found ? `${found}: use e.g. "${example}"` : undefined;
  };
  // Read from text, the fix is the setting's own (`set e.g. GUIDE_CURL_IMAGE=...`), added by the reader.
  return { accepts: 'an image reference', parse: (text) => textOrProblem(text, problem), check, example };
}

/** Whole hours, as a stack writes them; a Duration in code. */
function hours(min: number, example: string): ValueType<Duration> {
  return {
    accepts: `a whole number of hours of at least ${min}`,
    parse: (text) => {
      const value = parseDecimal(text);
      if (value === undefined || value < min) return { problem: `is not a whole number of hours of at least ${min} in decimal digits` };
      return { value: Duration.hours(value) };
    },
    check: (value) => {
      if (!(value instanceof Duration)) return `is not a Duration: write e.g. Duration.hours(${example})`;
      const h = value.toHours({ integral: false });
      return Number.isInteger(h) && h >= min ? undefined : `is not a whole number of hours of at least ${min}: use e.g. Duration.hours(${example})`;
    },
    example,
    show: (value) => String(value.toHours()),
  };
}

/** Whole seconds, as the environment and a stack write them; a Duration in code. */
function seconds(min: number, max: number, example: string): ValueType<Duration> {
  return {
    accepts: `a whole number of seconds of ${min} to ${max}`,
    parse: (text) => {
      const value = parseDecimal(text);
      if (value === undefined || value < min || value > max) return { problem: `is not a whole number of seconds of ${min} to ${max} in decimal digits` };
      return { value: Duration.seconds(value) };
    },
    check: (value) => {
      if (!(value instanceof Duration)) return `is not a Duration: write e.g. Duration.seconds(${example})`;
      const s = value.toSeconds({ integral: false });
      return Number.isInteger(s) && s >= min && s <= max ? undefined
        : `is not a whole number of seconds of ${min} to ${max}: use e.g. Duration.seconds(${example})`;
    },
    example,
    show: (value) => String(value.toSeconds()),
  };
}

/** Fixed node ports by the final state's Service port names, as JSON text in stack config and the environment. */
const NODE_PORTS: ValueType<Readonly<Record<string, number>>> = {
  accepts: 'an object of port names (`http`, `https`) to node ports',
  parse: (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { problem: 'is not an object of port names to node ports: use e.g. {"http": 30080, "https": 30443}' };
    }
    // JSON takes 3e4 and 30000.0 too; a node port is written in decimal digits, like every other number here.
    const numbers = text.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?[0-9][0-9.eE+-]*/g) ?? [];
    const odd = numbers.find((n) => parseDecimal(n) === undefined);
    if (odd !== undefined) return { problem: `has the number ${odd}, which is not written in decimal digits: use e.g. {"https": 30443}` };
    const problem = NODE_PORTS.check(parsed);
    return problem ? { problem } : { value: parsed as Record<string, number> };
  },
  check: (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return 'is not an object of port names to node ports: use e.g. {"http": 30080, "https": 30443}';
    }
    const seen = new Map<unknown, string>();
    for (const [name, port] of Object.entries(value)) {
      if (!(SERVICE_PORT_NAMES as readonly string[]).includes(name)) {
        return `names port "${name}", but the Service's ports are "http" and "https": key the node ports by one of those names`;
      }
      if (typeof port !== 'number') return `has ${name} ${JSON.stringify(port)}, which is not a number: use e.g. 30443`;
      const problem = nodePortProblem(port);
      if (problem) return `has ${name} ${port}, which ${problem}`;
      if (seen.has(port)) return `has ${name} ${port}, which is also ${seen.get(port)}: give each port its own node port`;
      seen.set(port, name);
    }
    return undefined;
  },
  example: '{"https": 30443}',
  show: (value) => (Object.keys(value).length === 0 ? 'none' : JSON.stringify(value)),
};

const ANNOTATIONS: ValueType<Readonly<Record<string, string>>> = {
  accepts: 'an object of annotation keys to text',
  parse: (text) => ({ value: JSON.parse(text) }),
  check: (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object: pass e.g. { \'pulumi.com/skipAwait\': \'true\' }';
    for (const [key, text] of Object.entries(value)) {
      const problem = qualifiedNameProblem(key);
      if (problem) return `has the key "${key}", which ${problem}: use a key such as "example.com/owner"`;
      if (typeof text !== 'string') return `has ${key} ${show(text)}, which is not a string: quote it`;
    }
    return undefined;
  },
  example: '{"pulumi.com/skipAwait": "true"}',
};

/** A setting whose value code gives as an object of its own (a certificate source): checked by the constructs it feeds. */
function given<T>(accepts: string): ValueType<T> {
  return {
    accepts,
    parse: () => ({ problem: 'is not read from text' }),
    check: (value) => (typeof value === 'object' && value !== null ? undefined : `is not an object: pass ${accepts}`),
    example: '{ ... }',
  };
}

// --- the settings ----------------------------------------------------------------------------------------------------

/** The guide's own values the defaults come from, each written once. */
const GUIDE = { replicas: 1, serviceType: ServiceType.LOAD_BALANCER, secretName: 'nginxsecret' } as const;

/** Every setting. The order is the docs' order. */
export const SETTINGS: { readonly [K in keyof GuideSettingsValues]-?: SettingSpec<NonNullable<GuideSettingsValues[K]>> } = {
  namespace: {
    doc: 'namespace of every object, and of the Service names the certificate must cover',
    tsType: 'string',
    type: named('dns1123Label', 'shop'),
    defaultDoc: 'none: kubectl\'s current namespace (a stack deploys to `default`)',
    env: 'GUIDE_NAMESPACE',
    stack: 'namespace',
    arg: true,
    feeds: ['Chart.namespace'],
  },
  serviceType: {
    doc: 'how the final state\'s Service is reached: `ClusterIP`, `NodePort` or `LoadBalancer`',
    tsType: 'ServiceType',
    type: oneOf(Object.values(ServiceType), 'ServiceType.NODE_PORT'),
    default: GUIDE.serviceType,
    defaultDoc: '`LoadBalancer` (the guide\'s last step)',
    env: 'GUIDE_SERVICE_TYPE',
    stack: 'serviceType',
    arg: true,
    chart: true,
    feeds: ['ExposedService.type'],
    see: 'https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  },
  replicas: {
    doc: 'the final state\'s nginx pods',
    tsType: 'number',
    type: wholeNumber(0, '2'),
    default: GUIDE.replicas,
    defaultDoc: '`1` (nginx-secure-app.yaml)',
    env: 'GUIDE_REPLICAS',
    stack: 'replicas',
    arg: true,
    chart: true,
    feeds: ['NginxApp.replicas'],
  },
  imageSet: {
    doc: 'which images the manifests use: `pinned`, or `guide` for the guide\'s exact images',
    tsType: 'ImageSet',
    type: oneOf(Object.values(ImageSet), 'ImageSet.PINNED'),
    default: ImageSet.PINNED,
    defaultDoc: '`pinned`',
    env: 'GUIDE_IMAGES',
    stack: 'imageSet',
    arg: true,
    chart: true,
    feeds: ['NginxApp.imageSet', 'CurlProbe.imageSet'],
  },
  nginxImage: {
    doc: 'the nginx image of every chart, overriding the image set',
    tsType: 'string',
    type: image(IMAGES[ImageSet.PINNED].nginx),
    defaultDoc: 'from the image set',
    env: 'GUIDE_NGINX_IMAGE',
    stack: 'nginxImage',
    arg: true,
    chart: true,
    feeds: ['NginxApp.image'],
  },
  curlImage: {
    doc: 'the curl client\'s image of every chart, overriding the image set',
    tsType: 'string',
    type: image(IMAGES[ImageSet.PINNED].curl),
    defaultDoc: 'from the image set',
    env: 'GUIDE_CURL_IMAGE',
    stack: 'curlImage',
    arg: true,
    chart: true,
    feeds: ['CurlProbe.image'],
  },
  nodePorts: {
    doc: 'fixed node ports of the final state\'s Service by port name, e.g. `{"http": 30080, "https": 30443}` (NodePort and LoadBalancer)',
    tsType: 'Readonly<Record<string, number>>',
    type: NODE_PORTS,
    default: {},
    defaultDoc: 'none: chosen by the cluster',
    env: 'GUIDE_NODE_PORTS',
    stack: 'nodePorts',
    arg: true,
    chart: true,
    feeds: ['ExposedService.nodePorts', 'ExposedService.ports'],
  },
  tls: {
    doc: 'where the certificate comes from: PEM text or files are synthesized into the Secret (the key then lands in the output); an existing Secret is only referenced',
    tsType: 'TlsSecretSource',
    type: given('{ from: \'pem\' | \'files\' | \'existing\', ... }'),
    default: { from: 'existing' },
    defaultDoc: '`{ from: \'existing\' }`: the Secret `nginxsecret` that `kubectl create secret tls` makes, so no key is synthesized',
    env: 'GUIDE_TLS_KEYS',
    envDoc: {
      doc: 'a folder with `tls.crt` and `tls.key` to synthesize the Secret from (puts the key into `dist/`); unset, the manifests reference '
        + 'the Secret `nginxsecret`, and a certificate in `.keys/` is checked against the Service',
      defaultDoc: 'none',
    },
    fromEnv: tlsFromEnv,
    chart: true,
    feeds: ['TlsSecret.certificateFile', 'TlsSecret.privateKeyFile'],
  },
  serviceAnnotations: {
    doc: 'annotations of the final state\'s Service (cloud load balancer settings, `pulumi.com/skipAwait`)',
    tsType: 'Readonly<Record<string, string>>',
    type: ANNOTATIONS,
    defaultDoc: 'none',
    chart: true,
    feeds: ['ExposedService.annotations'],
  },
  enableServiceLinks: {
    doc: 'whether nginx\'s pods get `MY_NGINX_SERVICE_HOST`-style variables of every Service in the namespace',
    tsType: 'boolean',
    type: BOOLEAN,
    defaultDoc: 'unset (Kubernetes\' default: true)',
    chart: true,
    feeds: ['NginxApp.enableServiceLinks'],
  },
  hardening: {
    doc: 'the production preset: Pod Security "restricted" (unprivileged nginx on 8080/8443), probes, resources, rollout and shutdown, PodDisruptionBudget, certificate per handshake',
    tsType: 'boolean',
    type: BOOLEAN,
    default: false,
    defaultDoc: '`false`',
    env: 'GUIDE_HARDENING',
    stack: 'hardening',
    arg: true,
    chart: true,
    feeds: ['NginxApp.hardening', 'NginxApp.restricted', 'CurlProbe.hardening'],
    see: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
  },
  networkPolicies: {
    doc: 'NetworkPolicies that deny everything in the namespace but the guide\'s traffic (need a NetworkPolicy enforcer)',
    tsType: 'boolean',
    type: BOOLEAN,
    default: (s) => s.hardening,
    defaultDoc: 'the value of `hardening`',
    env: 'GUIDE_NETWORK_POLICIES',
    stack: 'networkPolicies',
    arg: true,
    chart: true,
    see: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  },
  check: {
    doc: 'the one-shot https check Job; `false` leaves it out',
    tsType: 'boolean',
    type: BOOLEAN,
    default: true,
    defaultDoc: '`true`',
    env: 'GUIDE_CHECK',
    stack: 'check',
    arg: true,
    chart: true,
  },
  autoscaling: {
    doc: 'a HorizontalPodAutoscaler on CPU owns nginx\'s replica count (between `minReplicas` and `maxReplicas`); the manifest then sets none',
    tsType: 'boolean',
    type: BOOLEAN,
    default: false,
    defaultDoc: '`false`: `replicas` pods',
    env: 'GUIDE_AUTOSCALING',
    stack: 'autoscaling',
    arg: true,
    chart: true,
    feeds: ['NginxApp.autoscaling'],
    see: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/',
  },
  minReplicas: {
    doc: 'with `autoscaling`, the fewest nginx pods (the disruption budget protects them)',
    tsType: 'number',
    type: wholeNumber(1, '2'),
    default: AUTOSCALING_DEFAULTS.minReplicas,
    defaultDoc: `\`${AUTOSCALING_DEFAULTS.minReplicas}\``,
    env: 'GUIDE_MIN_REPLICAS',
    stack: 'minReplicas',
    arg: true,
    chart: true,
    feeds: ['NginxApp.minReplicas'],
  },
  maxReplicas: {
    doc: 'with `autoscaling`, the most nginx pods',
    tsType: 'number',
    type: wholeNumber(1, '6'),
    default: 6,
    defaultDoc: '`6`',
    env: 'GUIDE_MAX_REPLICAS',
    stack: 'maxReplicas',
    arg: true,
    chart: true,
    feeds: ['NginxApp.maxReplicas'],
  },
  cpuUtilization: {
    doc: 'with `autoscaling`, the average CPU use kept, in percent of each pod\'s CPU request (the preset requests 50m for nginx)',
    tsType: 'number',
    type: wholeNumber(1, '60'),
    default: AUTOSCALING_DEFAULTS.cpuUtilization,
    defaultDoc: `\`${AUTOSCALING_DEFAULTS.cpuUtilization}\``,
    env: 'GUIDE_CPU_UTILIZATION',
    stack: 'cpuUtilization',
    arg: true,
    chart: true,
    feeds: ['NginxApp.cpuUtilization'],
  },
  scaleDownStabilization: {
    doc: 'with `autoscaling`, how long the load must stay low before pods are removed',
    tsType: 'Duration',
    type: seconds(0, 3600, '300'),
    default: AUTOSCALING_DEFAULTS.scaleDownStabilization,
    defaultDoc: `${AUTOSCALING_DEFAULTS.scaleDownStabilization.toSeconds()} seconds`,
    env: 'GUIDE_SCALE_DOWN_SECONDS',
    stack: 'scaleDownStabilizationSeconds',
    arg: true,
    chart: true,
    feeds: ['NginxApp.scaleDownStabilization'],
    see: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window',
  },
  metrics: {
    doc: 'nginx serves `stub_status` on the pod\'s loopback and an nginx-prometheus-exporter sidecar publishes it on port 9113 (`metrics`), which no Service exposes',
    tsType: 'boolean',
    type: BOOLEAN,
    default: false,
    defaultDoc: '`false`',
    env: 'GUIDE_METRICS',
    stack: 'metrics',
    arg: true,
    chart: true,
    feeds: ['NginxApp.metrics'],
  },
  exporterImage: {
    doc: 'with `metrics`, the exporter\'s image, overriding the image set',
    tsType: 'string',
    type: image(IMAGES[ImageSet.PINNED].exporter),
    defaultDoc: 'from the image set',
    env: 'GUIDE_EXPORTER_IMAGE',
    stack: 'exporterImage',
    arg: true,
    chart: true,
    feeds: ['NginxApp.exporterImage'],
  },
  podMonitor: {
    doc: 'with `metrics`, a Prometheus Operator PodMonitor that scrapes the exporter (the cluster needs the operator\'s CRDs)',
    tsType: 'boolean',
    type: BOOLEAN,
    default: false,
    defaultDoc: '`false`',
    env: 'GUIDE_POD_MONITOR',
    stack: 'podMonitor',
    arg: true,
    chart: true,
    feeds: ['NginxApp.podMonitor'],
  },
  scraperNamespace: {
    doc: 'with `metrics` and NetworkPolicies, the namespace whose pods may scrape the exporter (its port only)',
    tsType: 'string',
    type: named('dns1123Label', DEFAULT_SCRAPER_NAMESPACE),
    default: DEFAULT_SCRAPER_NAMESPACE,
    defaultDoc: `\`${DEFAULT_SCRAPER_NAMESPACE}\``,
    env: 'GUIDE_SCRAPER_NAMESPACE',
    stack: 'scraperNamespace',
    arg: true,
    chart: true,
    feeds: ['NetworkPolicies.scraper'],
  },
  certificate: {
    doc: 'where a stack\'s certificate comes from: made by `@pulumi/tls`, an existing Secret, or PEMs in stack config',
    tsType: 'CertificateSetting',
    type: given('{ source: \'generated\' }, { source: \'existingSecret\', secretName } or { source: \'config\', certificatePem, privateKeyPem }'),
    default: { source: 'generated' },
    defaultDoc: '`{ source: \'generated\' }` (`@pulumi/tls`, renewed by `pulumi up` near its expiry)',
    stack: {
      keys: {
        certificateSource: { doc: 'where the certificate comes from: `generated` (`@pulumi/tls`, renewed by `pulumi up` near its expiry), '
          + '`existingSecret` or `config`', defaultDoc: '`generated`' },
        existingSecretName: { doc: 'the Secret of `existingSecret`', defaultDoc: '`nginxsecret`' },
        certificatePem: { doc: 'the certificate of `config`', defaultDoc: 'none' },
        privateKeyPem: { doc: 'the key of `config`, set with `--secret`', defaultDoc: 'none' },
      },
      read: readCertificate,
    },
    arg: true,
  },
  certificateValidity: {
    doc: 'how long a generated certificate is valid',
    tsType: 'Duration',
    type: hours(1, '8760'),
    default: Duration.hours(365 * 24),
    defaultDoc: '8760 hours (a year)',
    stack: 'certificateValidityHours',
    arg: true,
  },
  certificateEarlyRenewal: {
    doc: 'how long before its expiry `pulumi up` replaces a generated certificate',
    tsType: 'Duration',
    type: hours(0, '720'),
    default: Duration.hours(30 * 24),
    defaultDoc: '720 hours (30 days)',
    stack: 'certificateEarlyRenewalHours',
    arg: true,
  },
  waitForLoadBalancer: {
    doc: '`pulumi up` waits for the LoadBalancer\'s address; `false` sets `pulumi.com/skipAwait` on clusters without one',
    tsType: 'boolean',
    type: BOOLEAN,
    default: true,
    defaultDoc: '`true`',
    stack: 'waitForLoadBalancer',
    arg: true,
  },
  cluster: {
    doc: 'the cluster a stack deploys to (a component takes it as its provider)',
    tsType: 'ClusterSetting',
    type: given('{ context } or { kubeconfig }'),
    defaultDoc: 'none: one is required',
    stack: {
      keys: {
        context: { doc: 'the cluster: a context of your kubeconfig', defaultDoc: 'none: `context` or `kubeconfig` is required' },
        kubeconfig: { doc: 'the cluster: a kubeconfig, set with `--secret` (it can hold keys)', defaultDoc: 'none' },
      },
      read: readCluster,
    },
  },
};

/** The name of a setting of {@link SETTINGS}. */
export type SettingName = keyof GuideSettingsValues;

/** Settings that span several: each names every setting it reads, so its message does too. */
/** The settings that only act with another on; given without it, they would do nothing. */
const ONLY_WITH: readonly [setting: SettingName, needs: SettingName][] = [
  ['minReplicas', 'autoscaling'], ['maxReplicas', 'autoscaling'], ['cpuUtilization', 'autoscaling'], ['scaleDownStabilization', 'autoscaling'],
  ['exporterImage', 'metrics'], ['podMonitor', 'metrics'], ['scraperNamespace', 'metrics'], ['scraperNamespace', 'networkPolicies'],
];

/**
 * The settings that take effect: resolved settings without those another setting makes moot (a bound of autoscaling
 * that is off, the replica count an autoscaler owns). Resolved settings hold a default for every setting; a chart
 * built from these checks its rules on what was given, not on defaults it would take as given.
 */
export function settingsInEffect(settings: GuideSettingsValues): Partial<GuideSettingsValues> {
  const moot = new Set<SettingName>(ONLY_WITH.filter(([, needs]) => !settings[needs]).map(([setting]) => setting));
  if (settings.autoscaling) moot.add('replicas');
  return Object.fromEntries(Object.entries(settings).filter(([setting]) => !moot.has(setting as SettingName)));
}

const RULES: readonly {
  readonly settings: readonly SettingName[];
  problem(s: GuideSettingsValues, name: (n: SettingName) => string, given: ReadonlySet<SettingName>): string | undefined;
}[] = [
  ...ONLY_WITH.map(([setting, needs]) => ({
    settings: [setting, needs],
    problem: (s: GuideSettingsValues, name: (n: SettingName) => string, given: ReadonlySet<SettingName>) => (given.has(setting) && !s[needs]
      ? `${name(setting)} is set, but ${name(needs)} is off, so it would do nothing: turn ${name(needs)} on, or leave ${name(setting)} out` : undefined),
  })),
  {
    settings: ['replicas', 'autoscaling'],
    problem: (s, name, given) => (given.has('replicas') && s.autoscaling
      ? `${name('replicas')} is set with ${name('autoscaling')} on, which owns the replica count: a count in the manifest would reset the `
        + `autoscaler's on every apply; leave ${name('replicas')} out (${name('minReplicas')} is the fewest pods)` : undefined),
  },
  {
    settings: ['minReplicas', 'maxReplicas'],
    problem: (s, name) => (s.autoscaling && s.minReplicas > s.maxReplicas
      ? `${name('minReplicas')} ${s.minReplicas} is more than ${name('maxReplicas')} ${s.maxReplicas}: keep the minimum at most the maximum` : undefined),
  },
  {
    settings: ['certificateEarlyRenewal', 'certificateValidity'],
    problem: (s, name) => (s.certificateEarlyRenewal.toHours() >= s.certificateValidity.toHours()
      ? `${name('certificateEarlyRenewal')} ${s.certificateEarlyRenewal.toHours()} hours is not less than ${name('certificateValidity')} `
        + `${s.certificateValidity.toHours()} hours, so every \`pulumi up\` would replace the certificate: renew less early, or issue for longer`
      : undefined),
  },
];

/** How a setting is named in messages of a surface. */
export function settingName(setting: SettingName, surface: Surface): string {
  const spec = SETTINGS[setting];
  if (surface === 'environment' && spec.env) return spec.env;
  if (surface === 'stack' && typeof spec.stack === 'string') return `${CONFIG_NAMESPACE}:${spec.stack}`;
  return setting;
}

/** Who refuses a setting read from text: `environment` or `stack config`; in code, the construct or component given. */
function ownerOfSurface(surface: Surface, owner?: string): string {
  return owner ?? (surface === 'environment' ? 'environment' : surface === 'stack' ? 'stack config' : surface);
}

/**
 * The settings of `given` (each checked, in the surface's terms) with every default applied, and the rules across
 * settings checked. `surface` says how messages name them; `owner` is who refuses them in code
 * (`SecureNginxChart "final"`, `SecureNginxDeployment "guide"`).
 */
export function resolveSettings(given: Partial<GuideSettingsValues>, surface: Surface, owner?: string): GuideSettingsValues {
  const refuser = ownerOfSurface(surface, owner);
  const nameOf = (s: SettingName) => settingName(s, surface);
  if (typeof given !== 'object' || given === null) fail(refuser, `props ${show(given)} is not an object: pass the settings as { ... }`);
  const resolved: Record<string, unknown> = {};
  for (const [setting, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    const value = given[setting];
    if (value === undefined) continue;
    const problem = spec.type.check(value);
    if (problem) fail(refuser, `${nameOf(setting)} ${show(value)} ${problem}`);
    resolved[setting] = value;
  }
  for (const [setting, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    if (resolved[setting] !== undefined || spec.default === undefined) continue;
    if (typeof spec.default !== 'function') resolved[setting] = spec.default;
  }
  for (const [setting, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    if (resolved[setting] === undefined && typeof spec.default === 'function') {
      resolved[setting] = (spec.default as (s: GuideSettingsValues) => unknown)(resolved as unknown as GuideSettingsValues);
    }
  }
  const settings = resolved as unknown as GuideSettingsValues;
  const givenNames = new Set(Object.keys(given).filter((k) => given[k as SettingName] !== undefined) as SettingName[]);
  for (const rule of RULES) {
    const problem = rule.problem(settings, nameOf, givenNames);
    if (problem) fail(refuser, problem);
  }
  return settings;
}

/** The settings a surface reads, in the schema's order. */
export function settingsOf(surface: Surface): SettingName[] {
  return (Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][])
    .filter(([, spec]) => (surface === 'environment' ? spec.env !== undefined : surface === 'stack' ? spec.stack !== undefined
      : surface === 'args' ? spec.arg === true : spec.chart === true))
    .map(([setting]) => setting);
}

// --- the environment (`npm run synth`) -------------------------------------------------------------------------------

/** The environment variables `cdk8s synth` and `npm run synth` read, with what each one sets. */
export const SYNTH_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  settingsOf('environment').map((s) => [SETTINGS[s].env!, SETTINGS[s].envDoc?.doc ?? SETTINGS[s].doc]));

/** Whether an environment variable's name is in the synth settings' namespace (GUIDE_E2E_* belong to the e2e scripts). */
export function isSynthSettingName(name: string): boolean {
  return name.startsWith('GUIDE_') && !name.startsWith('GUIDE_E2E_');
}

/**
 * Reads and checks the synth settings from environment variables. Throws a {@link GuideConfigError} naming the
 * variable, so `npm run synth` can stop before it touches dist/. A misspelt `GUIDE_` variable is an error too,
 * since it would otherwise be ignored. A variable set empty is unset.
 */
export function readSynthSettings(env: Readonly<Record<string, string | undefined>>, fileExists: (path: string) => boolean): GuideSettingsValues {
  const known = Object.keys(SYNTH_VARIABLES);
  for (const name of Object.keys(env)) {
    if (isSynthSettingName(name) && !known.includes(name)) {
      const guess = nearest(name, known);
      fail('environment', `${name} is not a synth setting: ${guess ? `did you mean ${guess}? ` : ''}use one of ${known.join(', ')}`);
    }
  }
  const given: Record<string, unknown> = {};
  for (const setting of settingsOf('environment')) {
    const spec = SETTINGS[setting] as SettingSpec<unknown>;
    const raw = env[spec.env!] === '' ? undefined : env[spec.env!];
    if (spec.fromEnv) continue;
    if (raw === undefined) continue;
    given[setting] = parsedOrFail('environment', spec.env!, raw, spec.type, `${spec.env}=${spec.type.example}`);
  }
  for (const setting of settingsOf('environment')) {
    const spec = SETTINGS[setting] as SettingSpec<unknown>;
    if (!spec.fromEnv) continue;
    const raw = env[spec.env!] === '' ? undefined : env[spec.env!];
    given[setting] = spec.fromEnv(raw, { fileExists }, given as Partial<GuideSettingsValues>);
  }
  return resolveSettings(given as Partial<GuideSettingsValues>, 'environment');
}

/** A setting's text as messages quote it: JSON as it is written, other text in quotes. */
function showText(raw: string): string {
  return /^\s*[[{]/.test(raw) ? raw : show(raw);
}

function parsedOrFail<T>(owner: string, name: string, raw: string, type: ValueType<T>, example: string): T {
  const parsed = type.parse(raw);
  if ('problem' in parsed) fail(owner, `${name} ${showText(raw)} ${parsed.problem}${parsed.problem.includes(': ') ? '' : `: set e.g. ${example}`}`);
  return parsed.value;
}

/**
 * Where the certificate comes from, in the environment. Embedding is opt-in, since it puts the private key into
 * dist/; by default the manifests reference the Secret `kubectl create secret tls nginxsecret --cert .keys/tls.crt
 * --key .keys/tls.key` creates, and when those files exist, synth checks them against the Service all the same.
 */
function tlsFromEnv(embedFrom: string | undefined, context: ReadContext, settings: Partial<GuideSettingsValues>): TlsSecretSource {
  const namespace = settings.namespace ?? 'default';
  const keysCommand = `run \`npm run keys -- --force${namespace === 'default' ? '' : ` --namespace ${namespace}`}\``;
  if (embedFrom !== undefined) {
    // Only the folder `npm run keys` writes is fixed by running it again; other files are the user's own.
    const renewHint = join(embedFrom) === KEYS_DIR || join(embedFrom) === `${KEYS_DIR}/` ? keysCommand : undefined;
    // Synthesized from files, the Secret is served as it is: a certificate that names the Service is the only way.
    return { from: 'files', certificateFile: join(embedFrom, 'tls.crt'), privateKeyFile: join(embedFrom, 'tls.key'), renewHint, optOutHint: '' };
  }
  const certificateFile = join(KEYS_DIR, 'tls.crt');
  const privateKeyFile = join(KEYS_DIR, 'tls.key');
  const certificate = context.fileExists(certificateFile);
  const key = context.fileExists(privateKeyFile);
  if (!certificate && !key) return { from: 'existing' };
  return {
    from: 'existing',
    ...(certificate ? { certificateFile } : {}),
    ...(key ? { privateKeyFile } : {}),
    renewHint: keysCommand,
    optOutHint: `move ${KEYS_DIR}/ aside (synth then references the Secret nginxsecret without checking it)`,
  };
}

// --- stack config (`pulumi up`) --------------------------------------------------------------------------------------

/** Every stack config key the program reads, without the `guide-as-code:` prefix. */
export const STACK_CONFIG_KEYS: readonly string[] = settingsOf('stack').flatMap((s) => {
  const stack = SETTINGS[s].stack!;
  return typeof stack === 'string' ? [stack] : Object.keys(stack.keys);
});

/** The namespace Kubernetes puts an object without one in, which a stack deploys to when it names none. */
export const KUBERNETES_DEFAULT_NAMESPACE = 'default';

/** One environment's settings, read from `Pulumi.<stack>.yaml`: the deployment and the cluster it goes to, in a namespace. */
export type StackSettings = GuideSettingsValues & {
  /** The namespace, `default` when the stack names none. */
  readonly namespace: string;
  /** The cluster, which a stack always names. */
  readonly cluster: ClusterSetting;
};

/**
 * Reads and checks the stack's settings. Throws a {@link GuideConfigError} that names the key before any
 * resource is registered. `presentKeys` (all keys of the stack, e.g. `Object.keys(pulumi.runtime.allConfig())`)
 * catches misspelt keys, which would otherwise be ignored silently.
 */
export function readStackSettings(config: ConfigSource, presentKeys: readonly string[] = []): StackSettings {
  const owner = 'stack config';
  const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;
  for (const present of presentKeys) {
    const [ns, name] = present.split(':', 2);
    const guess = nearest(name ?? '', STACK_CONFIG_KEYS);
    // `guide_as_code:replicas` would be another project's key, ignored by this one: a near miss is a typo.
    if (ns !== CONFIG_NAMESPACE && name !== undefined && nearest(ns, [CONFIG_NAMESPACE]) !== undefined) {
      fail(owner, `${present} is not read: its namespace "${ns}" is not this project's "${CONFIG_NAMESPACE}"; `
        + `${guess ? `did you mean ${key(guess)}? ` : ''}set the key as ${CONFIG_NAMESPACE}:<setting>`);
    }
    if (ns === CONFIG_NAMESPACE && !STACK_CONFIG_KEYS.includes(name)) {
      fail(owner, `${present} is not a setting: ${guess ? `did you mean ${key(guess)}? ` : ''}use one of ${STACK_CONFIG_KEYS.map(key).join(', ')}`);
    }
  }
  const given: Record<string, unknown> = {};
  for (const setting of settingsOf('stack')) {
    const spec = SETTINGS[setting] as SettingSpec<unknown>;
    const stack = spec.stack!;
    if (typeof stack !== 'string') {
      given[setting] = stack.read(config, key);
      continue;
    }
    const raw = config.get(stack);
    if (raw === undefined) continue;
    const parsed = spec.type.parse(raw);
    if ('problem' in parsed) {
      fail(owner, `${key(stack)} ${showText(raw)} ${parsed.problem}${parsed.problem.includes(': ') ? ''
        : `: set it with \`pulumi config set ${key(stack)} ${spec.type.example}\`${spec.default === undefined ? ', or remove the key for the default' : ''}`}`);
    }
    given[setting] = parsed.value;
  }
  const settings = resolveSettings(given as Partial<GuideSettingsValues>, 'stack');
  return { ...settings, namespace: settings.namespace ?? KUBERNETES_DEFAULT_NAMESPACE, cluster: settings.cluster! };
}

function readCertificate(config: ConfigSource, key: (k: string) => string): CertificateSetting {
  const owner = 'stack config';
  const raw = config.get('certificateSource') ?? 'generated';
  if (!(CERTIFICATE_SOURCES as readonly string[]).includes(raw)) {
    fail(owner, `${key('certificateSource')} "${raw}" is not one of ${CERTIFICATE_SOURCES.map((s) => `"${s}"`).join(', ')}`);
  }
  const source = raw as CertificateSetting['source'];
  const stray = (['existingSecretName', 'certificatePem', 'privateKeyPem'] as const)
    .filter((k) => config.get(k) !== undefined && !(source === 'existingSecret' ? ['existingSecretName'] : source === 'config'
      ? ['certificatePem', 'privateKeyPem'] : []).includes(k));
  if (stray.length > 0) {
    fail(owner, `${key(stray[0])} is set but ${key('certificateSource')} is "${source}", which does not read it: `
      + `remove it, or set ${key('certificateSource')} to ${stray[0] === 'existingSecretName' ? 'existingSecret' : 'config'}`);
  }
  if (source === 'generated') return { source };
  if (source === 'existingSecret') {
    const secretName = config.get('existingSecretName') ?? GUIDE.secretName;
    const problem = NAME_RULES.dns1123Subdomain(secretName);
    if (problem) fail(owner, `${key('existingSecretName')} ${show(secretName)} ${problem}`);
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
  // Service's names is checked once the chart says what the Service is called.
  configCertificate(certificatePem, privateKeyPem).checkValidAt(new Date());
  return { source, certificatePem, privateKeyPem };
}

/** The certificate and key of a stack's `certificateSource: config`, parsed with messages that name those keys. */
export function configCertificate(certificatePem: string, privateKeyPem: string): CertificatePair {
  const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;
  return CertificatePair.parse('stack config', certificatePem, privateKeyPem, {
    certificate: key('certificatePem'),
    privateKey: key('privateKeyPem'),
    renewHint: `put a new one into ${key('certificatePem')} and ${key('privateKeyPem')}`,
  });
}

function readCluster(config: ConfigSource, key: (k: string) => string): ClusterSetting {
  const owner = 'stack config';
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

// --- a construct's refusal, in the terms of the setting behind it ----------------------------------------------------

/** Code forms of values a construct's fix may quote, and how settings write them. */
const CODE_FORMS: readonly [RegExp, (m: string) => string][] = [
  [/ImageSet\.([A-Z_]+)/g, (m) => ImageSet[m.split('.')[1] as keyof typeof ImageSet]],
  [/ServiceType\.([A-Z_]+)/g, (m) => ServiceType[m.split('.')[1] as keyof typeof ServiceType]],
];

/**
 * A construct's refusal of a value the settings gave it, restated in the terms of the settings behind the props it
 * names (`environment: GUIDE_NGINX_IMAGE "Nginx:Latest" gives NginxApp "my-nginx" image ...`), with the props of its
 * fix named as those settings too; only settings the user set count. Any other error is returned as it is.
 * `givenValues` holds the text (or value) of each setting the user set.
 */
export function inSettingTerms(error: GuideConfigError, surface: Surface, givenValues: Partial<Record<SettingName, unknown>>,
  owner?: string): GuideConfigError {
  if (error.problem === undefined || error.kind === undefined && !error.owner?.startsWith('Chart ')) return error;
  const kind = error.kind ?? 'Chart';
  const problem = error.problem;
  const hits: { setting: SettingName; at: number; prop: string }[] = [];
  for (const [setting, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    if (givenValues[setting] === undefined) continue;
    for (const feed of spec.feeds ?? []) {
      const [feedKind, prop] = feed.split('.');
      if (feedKind !== kind) continue;
      const at = problem.search(new RegExp(`(^|[^A-Za-z])${prop}\\b`));
      if (at >= 0) hits.push({ setting, at, prop });
    }
  }
  if (hits.length === 0) return error;
  hits.sort((a, b) => a.at - b.at);
  const settings = [...new Set(hits.map((h) => h.setting))];
  const named = settings.map((s) => `${settingName(s, surface)} ${showText(typeof givenValues[s] === 'string' ? givenValues[s] as string : String(givenValues[s]))}`);
  // The fix (after the problem's first ": ") names props and their values; a user of settings sets the settings behind them.
  const split = problem.indexOf(': ');
  let fix = split >= 0 ? problem.slice(split) : '';
  const assign = (setting: SettingName, value: string) => (surface === 'environment' ? `${settingName(setting, surface)}=${value}`
    : surface === 'stack' ? `${settingName(setting, surface)} ${value}` : `${setting} ${value}`);
  const asText = (code: string) => {
    for (const [pattern, value] of CODE_FORMS) if (new RegExp(`^${pattern.source}$`).test(code)) return value(code);
    return code.replace(/^"(.*)"$/, '$1');
  };
  for (const [setting, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    for (const feed of spec.feeds ?? []) {
      const [feedKind, prop] = feed.split('.');
      if (feedKind !== kind) continue;
      // `turn hardening off`, and a prop followed by a value (`image "nginx:1.27.4"`, `imageSet ImageSet.PINNED`, `replicas 2`).
      fix = fix.replace(new RegExp(`turn ${prop} (off|on)\\b`, 'g'), (_m, state: string) => `set ${assign(setting, state === 'off' ? 'false' : 'true')}`);
      fix = fix.replace(new RegExp(`(^|[ (])${prop} ("[^"]*"|[A-Z][A-Za-z]*\\.[A-Z_]+|\\d+|true|false)`, 'g'),
        (_m, before: string, value: string) => `${before}${assign(setting, asText(value))}`);
    }
  }
  const restated = `${named.join(' and ')} ${named.length > 1 ? 'give' : 'gives'} ${error.owner} ${split >= 0 ? problem.slice(0, split) : problem}${fix}`;
  const refuser = ownerOfSurface(surface, owner);
  return new GuideConfigError(`${refuser}: ${restated}`, refuser, restated);
}
