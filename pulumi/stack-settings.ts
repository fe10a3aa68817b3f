import { ServiceType } from '../lib/exposed-service';
import type { SecureNginxChartProps } from '../lib/secure-nginx-chart';
import { ImageSet } from '../lib/images';
import {
  checkDns1123Label, checkImage, checkNodePort, checkOneOf, checkPortName, checkReplicas, fail,
} from '../lib/validation';

/** The namespace of every stack config key (`guide-as-code:replicas`). */
export const CONFIG_NAMESPACE = 'guide-as-code';

/** One environment's settings, read from `Pulumi.<stack>.yaml`. */
export interface StackSettings {
  /** Namespace the app is deployed to; created by the stack unless it is `default`. */
  readonly namespace: string;
  readonly replicas: number;
  readonly serviceType: ServiceType;
  readonly imageSet: ImageSet;
  readonly nginxImage?: string;
  readonly curlImage?: string;
  /** Fixed node ports by Service port name. */
  readonly nodePorts: Readonly<Record<string, number>>;
  /** How long the generated certificate is valid. */
  readonly certificateValidityHours: number;
  /** How long before expiry `pulumi up` replaces the certificate. */
  readonly certificateEarlyRenewalHours: number;
  /** Wait for the cloud load balancer's address; false on clusters without one (kind, minikube). */
  readonly waitForLoadBalancer: boolean;
  readonly hardening: boolean;
  /** Add the one-shot https check Job. */
  readonly check: boolean;
}

/** Anything that reads raw stack config values by key, such as `new pulumi.Config('guide-as-code')`. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

const KEYS = [
  'namespace', 'replicas', 'serviceType', 'imageSet', 'nginxImage', 'curlImage', 'nodePorts',
  'certificateValidityHours', 'certificateEarlyRenewalHours', 'waitForLoadBalancer', 'hardening', 'check',
] as const;

/**
 * Reads and checks the stack's settings. Throws a {@link GuideConfigError} that names the key before any
 * resource is registered. `presentKeys` (all keys of the stack, e.g. `Object.keys(pulumi.runtime.allConfig())`)
 * catches misspelt keys, which would otherwise be ignored silently.
 */
export function readStackSettings(config: ConfigSource, presentKeys: readonly string[] = []): StackSettings {
  const owner = 'stack config';
  const key = (k: typeof KEYS[number]) => `${CONFIG_NAMESPACE}:${k}`;
  for (const present of presentKeys) {
    const [ns, name] = present.split(':', 2);
    if (ns === CONFIG_NAMESPACE && !(KEYS as readonly string[]).includes(name)) {
      fail(owner, `${present} is not a setting: use one of ${KEYS.map((k) => key(k)).join(', ')}`);
    }
  }

  const integer = (k: typeof KEYS[number], fallback: number): number => {
    const raw = config.get(k);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value)) {
      fail(owner, `${key(k)} "${raw}" is not a whole number: set it with \`pulumi config set ${key(k)} <number>\``);
    }
    return value;
  };
  const boolean = (k: typeof KEYS[number], fallback: boolean): boolean => {
    const raw = config.get(k);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      fail(owner, `${key(k)} "${raw}" is not true or false: set it with \`pulumi config set ${key(k)} true\``);
    }
    return raw === 'true';
  };
  const image = (k: typeof KEYS[number]): string | undefined => {
    const raw = config.get(k);
    if (raw !== undefined) checkImage(owner, key(k), raw, 'use e.g. "nginx:1.27.4", or remove the key for the default');
    return raw;
  };

  const namespace = config.get('namespace') ?? 'default';
  checkDns1123Label(owner, key('namespace'), namespace);
  const replicas = integer('replicas', 1);
  checkReplicas(owner, key('replicas'), replicas);
  const serviceType = checkOneOf(owner, key('serviceType'), config.get('serviceType') ?? ServiceType.LOAD_BALANCER, Object.values(ServiceType));
  const imageSet = checkOneOf(owner, key('imageSet'), config.get('imageSet') ?? ImageSet.PINNED, Object.values(ImageSet));
  const nodePorts = readNodePorts(owner, key('nodePorts'), config.get('nodePorts'));
  if (Object.keys(nodePorts).length > 0 && serviceType === ServiceType.CLUSTER_IP) {
    fail(owner, `${key('nodePorts')} needs ${key('serviceType')} NodePort or LoadBalancer, but it is ClusterIP: remove one of them`);
  }
  const certificateValidityHours = integer('certificateValidityHours', 365 * 24);
  if (certificateValidityHours < 1) {
    fail(owner, `${key('certificateValidityHours')} ${certificateValidityHours} is not at least 1: use e.g. 8760 (a year)`);
  }
  const certificateEarlyRenewalHours = integer('certificateEarlyRenewalHours', 30 * 24);
  if (certificateEarlyRenewalHours < 0 || certificateEarlyRenewalHours >= certificateValidityHours) {
    fail(owner, `${key('certificateEarlyRenewalHours')} ${certificateEarlyRenewalHours} must be at least 0 and less than `
      + `${key('certificateValidityHours')} ${certificateValidityHours}, or every \`pulumi up\` replaces the certificate`);
  }
  return {
    namespace,
    replicas,
    serviceType,
    imageSet,
    nginxImage: image('nginxImage'),
    curlImage: image('curlImage'),
    nodePorts,
    certificateValidityHours,
    certificateEarlyRenewalHours,
    waitForLoadBalancer: boolean('waitForLoadBalancer', true),
    hardening: boolean('hardening', false),
    check: boolean('check', true),
  };
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
  const ports: Record<string, number> = {};
  for (const [name, value] of Object.entries(parsed)) {
    checkPortName(owner, `${key} key`, name);
    if (typeof value !== 'number') fail(owner, `${key}.${name} ${JSON.stringify(value)} is not a number: use e.g. 30443`);
    checkNodePort(owner, `${key}.${name}`, value);
    ports[name] = value;
  }
  return ports;
}

/**
 * The chart a stack deploys: the guide's final state in the stack's namespace, referencing the TLS Secret that the
 * deployer creates, so no key is ever part of a synthesized object.
 */
export function chartPropsFor(settings: StackSettings): SecureNginxChartProps {
  return {
    namespace: settings.namespace,
    tls: { existing: true },
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
