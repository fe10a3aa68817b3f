/**
 * Input checks shared by the constructs. Every failure is a {@link GuideConfigError} whose message names
 * the construct, the property, the bad value and the fix, so users never have to read a stack trace.
 */

/** A bad construct prop or stack setting, caught before anything is synthesized or registered. */
export class GuideConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuideConfigError';
  }
}

/** Throws a {@link GuideConfigError} prefixed with `<Kind> "<name>": `. */
export function fail(owner: string, message: string): never {
  throw new GuideConfigError(`${owner}: ${message}`);
}

/** `ExposedService "my-nginx"`: the prefix of every message about one construct. */
export function ownerOf(kind: string, name: string): string {
  return `${kind} "${name}"`;
}

// Kubernetes' own patterns (k8s.io/apimachinery/pkg/util/validation).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Names of Services: a DNS-1035 label (starts with a letter, at most 63 characters). */
export function checkDns1035Label(owner: string, prop: string, value: string): void {
  if (value.length > 63 || !DNS1035_LABEL.test(value)) {
    fail(owner, `${prop} "${value}" is not a valid DNS-1035 label: use at most 63 lower-case letters, digits and '-', `
      + 'starting with a letter and ending with a letter or digit (e.g. "my-nginx")');
  }
}

/** Names of containers, volumes and namespaces: a DNS-1123 label (at most 63 characters). */
export function checkDns1123Label(owner: string, prop: string, value: string): void {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    fail(owner, `${prop} "${value}" is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and '-', `
      + 'starting and ending with a letter or digit (e.g. "my-nginx")');
  }
}

/** Names of Deployments, Secrets, ConfigMaps and Jobs: a DNS-1123 subdomain (at most 253 characters). */
export function checkDns1123Subdomain(owner: string, prop: string, value: string): void {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    fail(owner, `${prop} "${value}" is not a valid DNS-1123 subdomain: use lower-case letters, digits, '-' and '.', `
      + 'starting and ending with a letter or digit (e.g. "my-nginx")');
  }
}

/** Label values, such as the `run: my-nginx` selector. */
export function checkLabelValue(owner: string, prop: string, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    fail(owner, `${prop} "${value}" is not a valid label value: use at most 63 letters, digits, '-', '_' and '.', `
      + 'starting and ending with a letter or digit');
  }
}

/** Port names: an IANA service name (at most 15 characters, at least one letter). */
export function checkPortName(owner: string, prop: string, value: string): void {
  if (value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')) {
    fail(owner, `${prop} "${value}" is not a valid port name: use at most 15 lower-case letters, digits and single '-', `
      + 'with at least one letter (e.g. "https")');
  }
}

/** Container and Service port numbers. */
export function checkPort(owner: string, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    fail(owner, `${prop} ${value} is outside 1-65535: use a whole TCP port number such as 80 or 443`);
  }
}

/** The default range of kube-apiserver's --service-node-port-range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

export function checkNodePort(owner: string, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < NODE_PORT_RANGE.min || value > NODE_PORT_RANGE.max) {
    fail(owner, `${prop} ${value} is outside ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}: `
      + 'pick a free port in the cluster\'s node-port range, or leave it unset to let Kubernetes choose');
  }
}

export function checkReplicas(owner: string, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    fail(owner, `${prop} ${value} is not a whole number of at least 0: use e.g. 1 or 2`);
  }
}

/** Container image references: not empty, no white space. */
export function checkImage(owner: string, prop: string, value: string, fix = 'use e.g. "nginx:1.27.4"'): void {
  if (value.trim() === '' || /\s/.test(value)) {
    fail(owner, `${prop} "${value}" is not an image reference: ${fix}`);
  }
}

/** Rejects values of a closed set, listing the accepted ones. */
export function checkOneOf<T extends string>(owner: string, prop: string, value: string, accepted: readonly T[]): T {
  if (!(accepted as readonly string[]).includes(value)) {
    fail(owner, `${prop} "${value}" is not one of ${accepted.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}
