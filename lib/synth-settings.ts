import { join } from 'node:path';
import { ServiceType } from './service-type';
import { IMAGES, ImageSet, restrictedImageProblem } from './images';
import { TlsSecretSource } from './tls-secret';
import {
  checkDns1123Label, checkImage, checkOneOf, checkReplicas, fail, GuideConfigError, inSettingTerms, nearest, parseDecimal,
} from './validation';

/** Where `npm run keys` writes the certificate and key by default. */
export const KEYS_DIR = '.keys';

/** The environment variables `cdk8s synth` and `npm run synth` read, with what each one sets. */
export const SYNTH_VARIABLES = {
  GUIDE_NAMESPACE: 'namespace of every object, and of the Service names the certificate must cover',
  GUIDE_SERVICE_TYPE: 'the final state\'s Service type: ClusterIP, NodePort or LoadBalancer',
  GUIDE_REPLICAS: 'the final state\'s nginx pods',
  GUIDE_IMAGES: 'image set: pinned or guide',
  GUIDE_NGINX_IMAGE: 'nginx image of every chart, overriding the image set',
  GUIDE_CURL_IMAGE: 'curl image of every chart, overriding the image set',
  GUIDE_TLS_KEYS: 'folder with tls.crt and tls.key to synthesize the Secret from (puts the key into dist/)',
  GUIDE_HARDENING: 'true for the production preset: Pod Security "restricted", probes, resources, rollout, PodDisruptionBudget, NetworkPolicies',
  GUIDE_CHECK: 'false to leave out the https check Job',
} as const;

export type SynthVariable = keyof typeof SYNTH_VARIABLES;

/** What the synth settings resolve to: the props of the guide's charts. */
export interface SynthSettings {
  readonly namespace?: string;
  readonly serviceType: ServiceType;
  readonly replicas: number;
  readonly imageSet: ImageSet;
  readonly nginxImage?: string;
  readonly curlImage?: string;
  readonly tls: TlsSecretSource;
  readonly hardening: boolean;
  readonly check: boolean;
}

const OWNER = 'environment';

/** Whether an environment variable's name is in the synth settings' namespace (GUIDE_E2E_* belong to the e2e scripts). */
export function isSynthSettingName(name: string): boolean {
  return name.startsWith('GUIDE_') && !name.startsWith('GUIDE_E2E_');
}

/**
 * Reads and checks the synth settings from environment variables. Throws a {@link GuideConfigError} naming the
 * variable, so `npm run synth` can stop before it touches dist/. A misspelt `GUIDE_` variable is an error too,
 * since it would otherwise be ignored.
 */
export function readSynthSettings(env: Readonly<Record<string, string | undefined>>,
  fileExists: (path: string) => boolean): SynthSettings {
  const known = Object.keys(SYNTH_VARIABLES);
  for (const name of Object.keys(env)) {
    if (isSynthSettingName(name) && !known.includes(name)) {
      const guess = nearest(name, known);
      fail(OWNER, `${name} is not a synth setting: ${guess ? `did you mean ${guess}? ` : ''}use one of ${known.join(', ')}`);
    }
  }
  const get = (name: SynthVariable): string | undefined => (env[name] === '' ? undefined : env[name]);
  const boolean = (name: SynthVariable, fallback: boolean): boolean => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') fail(OWNER, `${name} "${raw}" is not true or false: set ${name}=true or ${name}=false`);
    return raw === 'true';
  };

  const namespace = get('GUIDE_NAMESPACE');
  if (namespace !== undefined) checkDns1123Label(OWNER, 'GUIDE_NAMESPACE', namespace);
  const serviceType = checkOneOf(OWNER, 'GUIDE_SERVICE_TYPE', get('GUIDE_SERVICE_TYPE') ?? ServiceType.LOAD_BALANCER, Object.values(ServiceType));
  const rawReplicas = get('GUIDE_REPLICAS');
  const replicas = rawReplicas === undefined ? 1 : parseDecimal(rawReplicas) ?? NaN;
  if (rawReplicas !== undefined && Number.isNaN(replicas)) {
    fail(OWNER, `GUIDE_REPLICAS "${rawReplicas}" is not a whole number: set e.g. GUIDE_REPLICAS=2`);
  }
  checkReplicas(OWNER, 'GUIDE_REPLICAS', replicas);
  const imageSet = checkOneOf(OWNER, 'GUIDE_IMAGES', get('GUIDE_IMAGES') ?? ImageSet.PINNED, Object.values(ImageSet));
  const nginxImage = get('GUIDE_NGINX_IMAGE');
  if (nginxImage !== undefined) checkImage(OWNER, 'GUIDE_NGINX_IMAGE', nginxImage, 'set e.g. GUIDE_NGINX_IMAGE=nginx:1.27.4');
  const curlImage = get('GUIDE_CURL_IMAGE');
  if (curlImage !== undefined) checkImage(OWNER, 'GUIDE_CURL_IMAGE', curlImage, 'set e.g. GUIDE_CURL_IMAGE=curlimages/curl:8.18.0');
  const hardening = boolean('GUIDE_HARDENING', false);
  const restrictedProblem = hardening ? restrictedImageProblem(nginxImage ?? IMAGES[imageSet].nginxHttps) : undefined;
  if (restrictedProblem) {
    fail(OWNER, `GUIDE_HARDENING=true cannot work with ${nginxImage !== undefined ? `GUIDE_NGINX_IMAGE=${nginxImage}` : `GUIDE_IMAGES=${imageSet}`}: `
      + `${restrictedProblem}; ${nginxImage !== undefined ? 'set GUIDE_NGINX_IMAGE=nginx:1.27.4' : 'use GUIDE_IMAGES=pinned, set GUIDE_NGINX_IMAGE=nginx:1.27.4'}, `
      + 'or GUIDE_HARDENING=false');
  }
  return {
    namespace,
    serviceType,
    replicas,
    imageSet,
    nginxImage,
    curlImage,
    tls: tlsSource(get('GUIDE_TLS_KEYS'), namespace ?? 'default', fileExists),
    hardening,
    check: boolean('GUIDE_CHECK', true),
  };
}

/** The GUIDE_* variable behind each construct prop the charts are built with, by `<Kind>.<prop>`. */
const SETTING_OF_PROP: Readonly<Record<string, SynthVariable>> = {
  'Chart.namespace': 'GUIDE_NAMESPACE',
  'ExposedService.type': 'GUIDE_SERVICE_TYPE',
  'NginxApp.replicas': 'GUIDE_REPLICAS',
  'NginxApp.imageSet': 'GUIDE_IMAGES',
  'CurlProbe.imageSet': 'GUIDE_IMAGES',
  'NginxApp.image': 'GUIDE_NGINX_IMAGE',
  'CurlProbe.image': 'GUIDE_CURL_IMAGE',
  'NginxApp.hardening': 'GUIDE_HARDENING',
  'NginxApp.restricted': 'GUIDE_HARDENING',
  'TlsSecret.certificateFile': 'GUIDE_TLS_KEYS',
  'TlsSecret.privateKeyFile': 'GUIDE_TLS_KEYS',
};

/**
 * A construct's refusal of a value one of the settings gave it, restated in terms of that setting (`environment:
 * GUIDE_TLS_KEYS "/keys" gives TlsSecret "nginxsecret" certificateFile ...`); other errors as they are.
 */
export function synthErrorInSettingTerms(error: GuideConfigError, env: NodeJS.ProcessEnv): GuideConfigError {
  const given = (name: SynthVariable) => (env[name] === undefined || env[name] === '' ? undefined : { name, value: env[name]! });
  return inSettingTerms(error, OWNER, Object.fromEntries(Object.entries(SETTING_OF_PROP).map(([prop, name]) => [prop, given(name)])));
}

/**
 * Where the certificate comes from. Embedding is opt-in, since it puts the private key into dist/; by default the
 * manifests reference the Secret `kubectl create secret tls nginxsecret --cert .keys/tls.crt --key .keys/tls.key`
 * creates, and when those files exist, synth checks them against the Service all the same.
 */
function tlsSource(embedFrom: string | undefined, namespace: string, fileExists: (path: string) => boolean): TlsSecretSource {
  const keysCommand = `run \`npm run keys -- --force${namespace === 'default' ? '' : ` --namespace ${namespace}`}\``;
  if (embedFrom !== undefined) {
    // Only the folder `npm run keys` writes is fixed by running it again; other files are the user's own.
    const renewHint = isKeysDir(embedFrom) ? keysCommand : undefined;
    return { from: 'files', certificateFile: join(embedFrom, 'tls.crt'), privateKeyFile: join(embedFrom, 'tls.key'), renewHint };
  }
  const certificateFile = join(KEYS_DIR, 'tls.crt');
  const privateKeyFile = join(KEYS_DIR, 'tls.key');
  const certificate = fileExists(certificateFile);
  const key = fileExists(privateKeyFile);
  if (!certificate && !key) return { from: 'existing' };
  return {
    from: 'existing',
    ...(certificate ? { certificateFile } : {}),
    ...(key ? { privateKeyFile } : {}),
    renewHint: keysCommand,
  };
}

function isKeysDir(dir: string): boolean {
  return join(dir) === KEYS_DIR || join(dir) === `${KEYS_DIR}/`;
}
