
/**
 * Input checks shared by the constructs. Every failure is a {@link GuideConfigError} whose message names
 * the construct, the property, the bad value and the fix, so users never have to read a stack trace.
 */

/** A bad construct prop or stack setting, caught before anything is synthesized or registered. */
export class GuideConfigError extends Error {
  /**
   * @param message - the whole message, `<owner>: <problem>`
   * @param owner - what refused the value, e.g. `NginxApp "my-nginx"` or `environment`
   * @param problem - the message after the owner, starting with the prop or setting it names
   */
  constructor(message: string, public readonly owner?: string, public readonly problem?: string) {
    super(message);
    this.name = 'GuideConfigError';
  }

  /** The construct kind the message is about (`NginxApp`), when a construct refused the value. */
  public get kind(): string | undefined {
    return /^([A-Z][A-Za-z]*) "/.exec(this.owner ?? '')?.[1];
  }
}

/** A value as a message quotes it: strings in quotes, everything else as JSON (`"2"` vs `2`). */
export function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  // Value types as they read: cdk8s' Duration and Size, and those of this library, which say how they were written.
  if (typeof value === 'object' && value !== null) {
    const v = value as { toHumanString?: () => string; toMilliseconds?: (o: object) => number; asString?: () => string; toString(): string };
    if (typeof v.toHumanString === 'function' && typeof v.toMilliseconds === 'function') return showDuration(v.toMilliseconds({ integral: false }));
    if (typeof v.asString === 'function') return `Size ${v.asString()}`;
    const builtIn = Array.isArray(value) || value instanceof Uint8Array || value instanceof Date || value instanceof RegExp || value instanceof Error;
    if (v.toString !== Object.prototype.toString && !builtIn) return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A cdk8s Duration as it can be written, in its largest whole unit: `Duration.hours(2)`, `Duration.millis(1500)`. */
function showDuration(ms: number): string {
  for (const [unit, size] of [['days', 86_400_000], ['hours', 3_600_000], ['minutes', 60_000], ['seconds', 1000]] as const) {
    if (ms !== 0 && Number.isInteger(ms / size)) return `Duration.${unit}(${ms / size})`;
  }
  return `Duration.millis(${ms})`;
}

/** Throws a {@link GuideConfigError} prefixed with `<Kind> "<name>": `. */
export function fail(owner: string, message: string): never {
  throw new GuideConfigError(`${owner}: ${message}`, owner, message);
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

/**
 * The naming rules of the API server. Each returns what is wrong with a value and how to fix it ("is not ...: use
 * ..."), or undefined; the per-prop checks below and the App's output check (output-check.ts) share them.
 */
export const NAME_RULES = {
  /** Names of Services: a DNS-1035 label (starts with a letter, at most 63 characters). */
  dns1035Label: (value: string): string | undefined => (value.length > 63 || !DNS1035_LABEL.test(value)
    ? 'is not a valid DNS-1035 label: use at most 63 lower-case letters, digits and \'-\', '
      + 'starting with a letter and ending with a letter or digit (e.g. "my-nginx")' : undefined),
  /** Names of containers, volumes and namespaces: a DNS-1123 label (at most 63 characters). */
  dns1123Label: (value: string): string | undefined => (value.length > 63 || !DNS1123_LABEL.test(value)
    ? 'is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and \'-\', '
      + 'starting and ending with a letter or digit (e.g. "my-nginx")' : undefined),
  /** Names of Deployments, Secrets, ConfigMaps and Jobs: a DNS-1123 subdomain (at most 253 characters). */
  dns1123Subdomain: (value: string): string | undefined => (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)
    ? 'is not a valid DNS-1123 subdomain: use lower-case letters, digits, \'-\' and \'.\', '
      + 'starting and ending with a letter or digit (e.g. "my-nginx")' : undefined),
  /** Label values, such as the `run: my-nginx` selector. */
  labelValue: (value: string): string | undefined => (value.length > 63 || !LABEL_VALUE.test(value)
    ? `is not a valid label value${value.length > 63 ? ` (${value.length} characters)` : ''}: use at most 63 letters, digits, '-', '_' and '.', `
      + 'starting and ending with a letter or digit' : undefined),
  /** Port names: an IANA service name (at most 15 characters, at least one letter). */
  portName: (value: string): string | undefined => (value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')
    ? 'is not a valid port name: use at most 15 lower-case letters, digits and single \'-\', '
      + 'with at least one letter (e.g. "https")' : undefined),
} as const;

export type NameRule = keyof typeof NAME_RULES;

function checkName(rule: NameRule, owner: string, prop: string, value: unknown): void {
  checkString(owner, prop, value);
  const problem = NAME_RULES[rule](value);
  if (problem) fail(owner, `${prop} ${show(value)} ${problem}`);
}

/** Names of Services: a DNS-1035 label (starts with a letter, at most 63 characters). */
export function checkDns1035Label(owner: string, prop: string, value: string): void {
  checkName('dns1035Label', owner, prop, value);
}

/** Names of containers, volumes and namespaces: a DNS-1123 label (at most 63 characters). */
export function checkDns1123Label(owner: string, prop: string, value: string): void {
  checkName('dns1123Label', owner, prop, value);
}

/** Names of Deployments, Secrets, ConfigMaps and Jobs: a DNS-1123 subdomain (at most 253 characters). */
export function checkDns1123Subdomain(owner: string, prop: string, value: string): void {
  checkName('dns1123Subdomain', owner, prop, value);
}

/** Label values, such as the `run: my-nginx` selector. */
export function checkLabelValue(owner: string, prop: string, value: string): void {
  checkName('labelValue', owner, prop, value);
}


/** What is wrong with a port number, from "is ..." on, or undefined: the one wording for props, settings and output. */
export function portNumberProblem(value: unknown): string | undefined {
  if (typeof value !== 'number') return 'is not a number: give a whole port number such as 80 or 443';
  return !Number.isInteger(value) || value < 1 || value > 65535 ? 'is outside 1-65535: use a whole port number such as 80 or 443' : undefined;
}

/** A port number prop (the ports nginx listens on). */
export function checkPort(owner: string, prop: string, value: number): void {
  checkNumber(owner, prop, value, 'e.g. 443');
  const problem = portNumberProblem(value);
  if (problem) fail(owner, `${prop} ${value} ${problem}`);
}

/** The default range of kube-apiserver's --service-node-port-range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** What is wrong with a node port, from "is ..." on, or undefined: the one wording of the rule for props, settings and output. */
export function nodePortProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= NODE_PORT_RANGE.min && value <= NODE_PORT_RANGE.max) return undefined;
  return `is outside ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}: pick a free port in the cluster's node-port range, or leave it unset `
    + 'to let Kubernetes choose';
}


/**
 * Two objects of one kind and name in one namespace, one overwriting the other when applied: the one wording for the
 * chart's construct-time claims and the App's output check. `other` is the holder, `sameChart` whether both are in one
 * chart (where another namespace is no fix).
 */
export function collisionProblem(kind: string, name: string, other: string, namespace: string | undefined, sameChart: boolean): string {
  return `is also the name of ${other}: both are ${kind} ${show(name)} in ${namespace ? `namespace "${namespace}"` : 'the same namespace'}, `
    + `so one would overwrite the other; ${sameChart ? `give each ${kind} its own name` : 'give one of them another name, or put its chart in another namespace'}`;
}

/** nodePorts is keyed by the Service's port names; a key naming no port would be dropped without a word. */
export function checkNodePortKey(owner: string, prop: string, name: string, portNames: readonly (string | undefined)[]): void {
  if (!portNames.includes(name)) {
    const shown = portNames.map((n) => `"${n ?? '(unnamed)'}"`);
    fail(owner, `${prop} names port "${name}", but the Service's ports are ${shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown[0]}: `
      + 'key nodePorts by one of those names');
  }
}

/** A count of pods: a whole number of at least 0, as the settings word it. */
export function checkReplicas(owner: string, prop: string, value: number): void {
  checkNumber(owner, prop, value, 'e.g. 2');
  if (!Number.isInteger(value) || value < 0) fail(owner, `${prop} ${value} is not a whole number of at least 0: use e.g. 2`);
}

// The grammar of image references (github.com/distribution/reference), which containerd and the kubelet parse.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}';
const IMAGE_REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

/** Digest algorithms containerd accepts (github.com/opencontainers/go-digest), with their lengths in hex digits. */
const DIGEST_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * What is wrong with an image reference, parsed with the grammar the kubelet uses, or undefined. A digest must be
 * of a registered algorithm, in lower-case hex of its exact length, as containerd checks it.
 */
export function imageProblem(value: string): string | undefined {
  if (value.trim() === '') return 'it is empty';
  if (/\s/.test(value)) return 'it contains white space';
  if (!IMAGE_REFERENCE.test(value)) {
    const repository = value.replace(/@.*$/, '').replace(/:[^/]*$/, '');
    const path = repository.includes('/') && /[.:]|^localhost$/.test(repository.split('/')[0])
      ? repository.split('/').slice(1).join('/') : repository;
    return /[A-Z]/.test(path) ? 'repository names are lower-case' : 'it does not match [registry/]repository[:tag][@digest]';
  }
  if (value.replace(/@.*$/, '').length > 255) return 'its name is longer than 255 characters';
  const digest = /@([^:]+):(.*)$/.exec(value);
  if (digest) {
    const [, algorithm, hex] = digest;
    const length = DIGEST_ALGORITHMS[algorithm];
    if (length === undefined) return `its digest algorithm "${algorithm}" is not one of ${Object.keys(DIGEST_ALGORITHMS).join(', ')}`;
    if (!/^[0-9a-f]+$/.test(hex)) return 'its digest is not lower-case hex';
    if (hex.length !== length) return `its ${algorithm} digest has ${hex.length} hex digits, not ${length}`;
  }
  return undefined;
}

/**
 * Container image references, parsed with the grammar the kubelet uses, so a typo fails synth instead of leaving
 * pods in `InvalidImageName`.
 */
export function checkImage(owner: string, prop: string, value: string, fix = 'use e.g. "nginx:1.27.4"'): void {
  checkString(owner, prop, value);
  const why = imageProblem(value);
  if (why) fail(owner, `${prop} ${show(value)} is not a valid image reference (${why}): ${fix}`);
}

/**
 * Whole numbers written as text (environment variables, stack config): decimal digits only, so `0x10`, `1e3`, ` 2`
 * and `+2`, which JavaScript's Number() would take, are refused as the API server would refuse them in YAML.
 */
export function parseDecimal(raw: string): number | undefined {
  return /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
}

/** The candidate nearest to `value` by edit distance, if it is near enough to be a likely misspelling. */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(value, candidate);
    if (!best || d < best.d) best = { candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}

/** Props that must be text; a JavaScript caller may pass anything. */
export function checkString(owner: string, prop: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') fail(owner, `${prop} ${show(value)} is not a string: pass the text, e.g. "my-nginx"`);
}

/** Props that must be numbers; a JavaScript caller may pass `"2"`. */
export function checkNumber(owner: string, prop: string, value: unknown, example: string): asserts value is number {
  if (typeof value !== 'number') fail(owner, `${prop} ${show(value)} is not a number: pass a number, ${example}`);
}

/** Optional true/false props. */
export function checkBoolean(owner: string, prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(owner, `${prop} ${show(value)} is not true or false: pass a boolean`);
  }
}

/** Optional maps of text to text (annotations) or to numbers (node ports): a wrong value type makes an invalid manifest. */
export function checkStringMap(owner: string, prop: string, value: unknown, example: string, values: 'string' | 'number' = 'string'): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(owner, `${prop} ${show(value)} is not an object: pass e.g. ${example}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== values) fail(owner, `${prop}.${k} ${show(v)} is not a ${values}: ${values === 'string' ? 'quote it' : 'pass a number'}, e.g. ${example}`);
  }
}

/**
 * Label and annotation keys: an optional DNS-1123 subdomain prefix and `/`, then a name of at most 63 characters
 * (k8s.io/apimachinery/pkg/util/validation IsQualifiedName). Returns what is wrong, or undefined.
 */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `has the prefix "${prefix}", which is not a DNS-1123 subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'is not a qualified name (at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit, after an optional "prefix/")';
  }
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A label or annotation key of a map prop. */
export function checkQualifiedName(owner: string, prop: string, key: string): void {
  const problem = qualifiedNameProblem(key);
  if (problem) fail(owner, `${prop} key "${key}" ${problem}: use a key such as "example.com/owner"`);
}

/**
 * Props that take another construct of this library. Constructs refer to each other by object, so a name or label
 * passed instead (`app: 'web-a'`) is caught here, not as a TypeError deep inside.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a class with a private constructor is still one
export function checkConstruct<T>(owner: string, prop: string, value: unknown, type: Function & { readonly prototype: T },
  example: string): asserts value is T {
  if (!(value instanceof type)) {
    fail(owner, `${prop} ${show(value === undefined ? undefined : summary(value))} is not a ${type.name}: `
      + `pass the ${type.name} object, e.g. ${example}`);
  }
}

/** Constructs are shown by path, not serialized whole. */
function summary(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'node' in value) {
    return `${value.constructor.name} at ${(value as { node: { path: string } }).node.path}`;
  }
  return value;
}

/** Rejects values of a closed set, listing the accepted ones. */
export function checkOneOf<T extends string>(owner: string, prop: string, value: string, accepted: readonly T[]): T {
  if (!(accepted as readonly string[]).includes(value)) {
    fail(owner, `${prop} "${value}" is not one of ${accepted.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

/**
 * Props objects from JavaScript callers: `undefined` is fine where props are optional, a string is not, and neither is a
 * prop the construct does not have (a misspelling, or a cdk8s-plus name), which would otherwise be ignored without a
 * word. `known` lists the construct's props; `instead` maps names users bring from elsewhere to the prop that does it.
 */
export function checkProps(owner: string, props: unknown, known?: readonly string[], instead: Readonly<Record<string, string>> = {}): void {
  if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props))) {
    fail(owner, `props ${show(props)} is not an object: pass the props as { ... }`);
  }
  if (known === undefined || props === undefined) return;
  for (const key of Object.keys(props as object)) {
    if (known.includes(key)) continue;
    const hint = instead[key] ?? nearest(key, known);
    fail(owner, `${key} is not a prop of ${owner.split(' ')[0]}: ${hint ? `use ${hint}` : `its props are ${known.join(', ')}`}`);
  }
}

/**
 * The scope, once it is known that `id` is free in it: constructs refuses a second child of one id with a bare error, so
 * a construct of this library checks first and names both (`super(uniqueId(scope, id, 'NginxApp'), id)`).
 */
export function uniqueId<S extends { node: { tryFindChild(id: string): unknown; path: string } }>(scope: S, id: string, kind: string): S {
  const taken = scope.node.tryFindChild(id);
  if (taken !== undefined) {
    const what = (taken as { constructor: { name: string } }).constructor.name;
    fail(ownerOf(kind, id), `id "${id}" is already the id of ${/^[A-Z]/.test(what) ? `the ${what} there` : 'another construct'} (in ${scope.node.path || 'the App'}): `
      + 'give each construct of a scope its own id');
  }
  return scope;
}
