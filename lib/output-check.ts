import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { collisionProblem, imageProblem, NAME_RULES, NameRule, nodePortProblem, qualifiedNameProblem, show } from './validation';

/**
 * One check of everything an App synthesizes, run by `app.synth()` (a cdk8s validation on the App): every object of
 * every chart against the rules the API server and the kubelet apply to the fields this library emits, and the
 * rules that span charts (one kind/namespace/name once, a node port once). The per-prop checks of each construct
 * stay where they give the better message; this pass catches what only the output shows: a chart's namespace or
 * labels, values derived from props (a label built from a name), objects of two charts that collide.
 *
 * Messages name the construct and the prop the user set, as recorded with {@link recordOrigin}; fields of objects
 * this library did not make are named by their path.
 */

/** A field's origin: the prop it was made from and that prop's value. */
export interface FieldOrigin {
  /** The prop as the user wrote it, e.g. `name`, `ports[0].nodePort`, `annotations`. */
  readonly prop: string;
  /** The prop's value, when it differs from the field's (a label made from a name). */
  readonly value?: unknown;
  /** How to show a value that is a construct, e.g. `NginxApp "my-nginx"`. */
  readonly shown?: string;
}

interface Origin {
  readonly owner: string;
  /** Field paths (`spec.template.spec.containers[0].image`, `[*]` for any index) to the prop each came from. */
  readonly fields: Readonly<Record<string, FieldOrigin>>;
}

// Kept as node metadata of the constructs they are about (never synthesized into a manifest), not in module state.
const ORIGIN = 'guide-as-code:origin';
const CHECKED = 'guide-as-code:output-check';
const STEP = 'guide-as-code:step';

const metadataOf = (scope: IConstruct, type: string) => scope.node.metadata.filter((m) => m.type === type).pop()?.data;
const originOf = (object: ApiObject): Origin | undefined => metadataOf(object, ORIGIN);
const isStep = (chart: Chart): boolean => metadataOf(chart, STEP) === true;

/**
 * Marks charts as successive steps of one walk-through (the guide's manifests, applied one after another): each may
 * define again an object an earlier step defined, which in any other two charts of an App is a collision.
 */
export function markAsSteps(...charts: Chart[]): void {
  for (const chart of charts) if (!isStep(chart)) chart.node.addMetadata(STEP, true);
}

/**
 * Records which prop of which construct each field of `object` comes from, so the App's check names it, and adds
 * the check to the object's App (once).
 */
export function recordOrigin(object: ApiObject, owner: string, fields: Readonly<Record<string, FieldOrigin>>): void {
  object.node.addMetadata(ORIGIN, { owner, fields } satisfies Origin);
  addOutputCheck(object);
}

/** Adds the output check to the App of `scope`, once. */
export function addOutputCheck(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || metadataOf(root, CHECKED) === true) return;
  root.node.addMetadata(CHECKED, true);
  Node.of(root).addValidation({ validate: () => checkApp(root) });
}

/** Every problem of the App's output, one message each. */
function checkApp(app: App): string[] {
  const problems = new Set<string>();
  const seenObjects = new Map<string, { owner: string; chart: Chart }>();
  const seenNodePorts = new Map<number, { owner: string; chart: Chart }>();
  const collide = (a: Chart, b: Chart) => !(isStep(a) && isStep(b) && a !== b);
  for (const chart of app.charts) {
    if (chart.namespace !== undefined) {
      const problem = NAME_RULES.dns1123Label(chart.namespace);
      if (problem) problems.add(`${ownerOfChart(chart)}: namespace ${show(chart.namespace)} ${problem}`);
    }
    for (const object of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
      const json = object.toJson();
      const describe = describer(object, json);
      const report: Report = (path, text) => problems.add(describe(path, text));
      checkObject(json, report);
      const namespace = json.metadata?.namespace ?? '';
      const id = `${json.kind}/${namespace || '(no namespace)'}/${json.metadata?.name}`;
      const first = seenObjects.get(id);
      if (first !== undefined && collide(first.chart, chart)) {
        report('metadata.name', collisionProblem(json.kind, json.metadata?.name, first.owner, namespace || undefined, false));
      } else {
        seenObjects.set(id, { owner: `${ownerOfObject(object)} in chart "${chart.node.id}"`, chart });
      }
      if (json.kind === 'Service') {
        (json.spec?.ports ?? []).forEach((p: { nodePort?: number }, i: number) => {
          if (p.nodePort === undefined) return;
          const other = seenNodePorts.get(p.nodePort);
          if (other !== undefined && collide(other.chart, chart)) {
            report(`spec.ports[${i}].nodePort`, `is also the node port of ${other.owner}, and a node port is one port on every node: `
              + 'give each Service its own node port, or leave it unset to let Kubernetes choose');
          } else {
            seenNodePorts.set(p.nodePort, { owner: `${ownerOfObject(object)} in chart "${chart.node.id}"`, chart });
          }
        });
      }
    }
  }
  return [...problems];
}

function ownerOfChart(chart: Chart): string {
  return `Chart "${chart.node.id}"`;
}

function ownerOfObject(object: ApiObject): string {
  return originOf(object)?.owner ?? `${object.kind} "${object.name}" at ${object.node.path}`;
}

/** Reports a field's problem: `text` is what is wrong and how to fix it, "is not ...: use ...". */
type Report = (path: string, text: string) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** The message for a field: the construct and prop it came from, else the object and the field's path. */
function describer(object: ApiObject, json: Json) {
  const origin = originOf(object);
  return (path: string, text: string): string => {
    const value = valueAt(json, path);
    // A chart's namespace and labels land on every object of the chart: the chart is what to fix.
    const chart = Chart.of(object);
    if (path === 'metadata.namespace' && chart.namespace === value) return `${ownerOfChart(chart)}: namespace ${show(value)} ${text}`;
    const label = /^metadata\.labels\.(.+)$/.exec(path)?.[1];
    if (label !== undefined && chart.labels[label] === value) return `${ownerOfChart(chart)}: labels.${label} ${show(value)} ${text}`;
    const found = origin && matchOrigin(origin.fields, path);
    if (origin && found) {
      const made = found.shown !== undefined || (found.value !== undefined && found.value !== value);
      const prop = `${found.prop} ${found.shown ?? show(made ? found.value : value)}`;
      return `${origin.owner}: ${prop}${made ? ` makes ${describeField(path)} ${show(value)}, which` : ''} ${text}`;
    }
    return `${ownerOfObject(object)}: ${path} ${show(value)} ${text}`;
  };
}

/** The recorded origin whose path pattern is the longest prefix of `path`. */
function matchOrigin(fields: Readonly<Record<string, FieldOrigin>>, path: string): FieldOrigin | undefined {
  let best: { length: number; origin: FieldOrigin } | undefined;
  for (const [pattern, origin] of Object.entries(fields)) {
    const re = new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\\\[\*\\\]/g, '\\[\\d+\\]')}(?=$|[.[])`);
    const m = re.exec(path);
    if (m && (!best || m[0].length > best.length)) best = { length: m[0].length, origin };
  }
  return best?.origin;
}

function describeField(path: string): string {
  const labels = /(?:^|\.)(?:labels|matchLabels|selector)\.(.+)$/.exec(path);
  if (labels) return `the label "${labels[1]}"`;
  return path;
}

function valueAt(json: Json, path: string): unknown {
  let at: unknown = json;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Json)[part];
  }
  return at;
}

/** The per-field rules, through the same checks the constructs make on their props. */
function checkObject(json: Json, report: Report): void {
  const rule = ruleChecker(report);
  const name = json.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    report('metadata.name', 'is missing: give the object a name');
  } else {
    rule('metadata.name', json.kind === 'Service' ? 'dns1035Label' : json.kind === 'Namespace' ? 'dns1123Label' : 'dns1123Subdomain', name);
  }
  if (json.metadata?.namespace !== undefined) rule('metadata.namespace', 'dns1123Label', json.metadata.namespace);
  checkLabels('metadata.labels', json.metadata?.labels, report, rule);
  for (const key of Object.keys(json.metadata?.annotations ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) report(`metadata.annotations.${key}`, `has the key "${key}", which ${problem}: use a key such as "example.com/owner"`);
  }

  if (json.kind === 'Service') checkService(json, report, rule);
  const template = json.kind === 'Pod' ? { path: '', spec: json.spec, labels: json.metadata?.labels }
    : json.spec?.template ? { path: 'spec.template.', spec: json.spec.template.spec, labels: json.spec.template.metadata?.labels } : undefined;
  if (template) {
    checkLabels(`${template.path}metadata.labels`, template.labels, report, rule);
    const selector = json.spec?.selector?.matchLabels;
    if (selector !== undefined) {
      checkLabels('spec.selector.matchLabels', selector, report, rule);
      for (const [k, v] of Object.entries(selector)) {
        if ((template.labels ?? {})[k] !== v) {
          report(`spec.selector.matchLabels.${k}`, `is not a label of the pod template (${k}=${show((template.labels ?? {})[k])}), `
            + 'so the controller would never find its own pods: select on labels the template sets');
        }
      }
    }
    if (template.spec) checkPodSpec(`${template.path}spec`, template.spec, report, rule);
  }
  if (json.kind === 'NetworkPolicy') checkNetworkPolicy(json, report, rule);
}

type Rule = (path: string, name: NameRule | 'image', value: unknown) => void;

/** Applies one of the naming rules (or the image grammar) to a field and reports its problem. */
function ruleChecker(report: Report): Rule {
  return (path, name, value) => {
    if (typeof value !== 'string') {
      report(path, 'is not a string: quote it');
      return;
    }
    if (name === 'image') {
      const why = imageProblem(value);
      if (why) report(path, `is not a valid image reference (${why}): use e.g. "nginx:1.27.4"`);
      return;
    }
    const problem = NAME_RULES[name](value);
    if (problem) report(path, problem);
  };
}

function checkLabels(path: string, labels: Json | undefined, report: Report, rule: Rule): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) report(`${path}.${key}`, `has the key "${key}", which ${problem}: use a key such as "app" or "example.com/team"`);
    rule(`${path}.${key}`, 'labelValue', value);
  }
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function checkPortNumber(path: string, value: unknown, report: Report): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    report(path, 'is outside 1-65535: use a whole port number such as 80 or 443');
  }
}

function checkProtocol(path: string, value: unknown, report: Report): void {
  if (value !== undefined && !PROTOCOLS.includes(value as string)) {
    report(path, `is not one of ${PROTOCOLS.map((p) => `"${p}"`).join(', ')}: use "TCP" for http and https`);
  }
}

function checkService(json: Json, report: Report, rule: Rule): void {
  const ports: Json[] = json.spec?.ports ?? [];
  const type = json.spec?.type ?? 'ClusterIP';
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    checkPortNumber(`${at}.port`, p.port, report);
    if (p.name !== undefined) rule(`${at}.name`, 'portName', p.name);
    else if (ports.length > 1) report(`${at}.name`, 'is missing on a Service of several ports: name every port, e.g. "http"');
    checkProtocol(`${at}.protocol`, p.protocol, report);
    if (typeof p.targetPort === 'number') checkPortNumber(`${at}.targetPort`, p.targetPort, report);
    else if (typeof p.targetPort === 'string') rule(`${at}.targetPort`, 'portName', p.targetPort);
    if (p.nodePort !== undefined) {
      if (type === 'ClusterIP') report(`${at}.nodePort`, 'is set on a ClusterIP Service: drop it or use type NodePort or LoadBalancer');
      else if (nodePortProblem(p.nodePort)) report(`${at}.nodePort`, nodePortProblem(p.nodePort)!);
    }
  });
  checkLabels('spec.selector', json.spec?.selector, report, rule);
  (json.spec?.loadBalancerSourceRanges ?? []).forEach((cidr: unknown, i: number) => checkCidr(`spec.loadBalancerSourceRanges[${i}]`, cidr, report));
}

function checkPodSpec(path: string, spec: Json, report: Report, rule: Rule): void {
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v: Json, i: number) => {
    rule(`${path}.volumes[${i}].name`, 'dns1123Label', v.name);
    if (volumes.has(v.name)) report(`${path}.volumes[${i}].name`, 'is the name of another volume of the pod: give each volume its own name');
    volumes.add(v.name);
  });
  const containerNames = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((c: Json, i: number) => {
      const at = `${path}.${list}[${i}]`;
      rule(`${at}.name`, 'dns1123Label', c.name);
      if (containerNames.has(c.name)) report(`${at}.name`, 'is the name of another container of the pod: give each container its own name');
      containerNames.add(c.name);
      if (c.image !== undefined) rule(`${at}.image`, 'image', c.image);
      const portNames = new Set<string>();
      (c.ports ?? []).forEach((p: Json, j: number) => {
        checkPortNumber(`${at}.ports[${j}].containerPort`, p.containerPort, report);
        checkProtocol(`${at}.ports[${j}].protocol`, p.protocol, report);
        if (p.name !== undefined) {
          rule(`${at}.ports[${j}].name`, 'portName', p.name);
          if (portNames.has(p.name)) report(`${at}.ports[${j}].name`, 'is the name of another port of the container: give each port its own name');
          portNames.add(p.name);
        }
      });
      (c.volumeMounts ?? []).forEach((m: Json, j: number) => {
        if (!volumes.has(m.name)) {
          report(`${at}.volumeMounts[${j}].name`, `is not a volume of the pod: mount one of ${[...volumes].map((v) => `"${v}"`).join(', ') || 'the pod\'s volumes (it has none)'}`);
        }
      });
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === 'number') checkPortNumber(`${at}.${probe}.port`, port, report);
      }
    });
  }
}

function checkNetworkPolicy(json: Json, report: Report, rule: Rule): void {
  checkLabels('spec.podSelector.matchLabels', json.spec?.podSelector?.matchLabels, report, rule);
  for (const direction of ['ingress', 'egress'] as const) {
    (json.spec?.[direction] ?? []).forEach((policyRule: Json, i: number) => {
      const peers: Json[] = policyRule[direction === 'ingress' ? 'from' : 'to'] ?? [];
      peers.forEach((peer, j) => {
        const at = `spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        if (peer.ipBlock) checkCidr(`${at}.ipBlock.cidr`, peer.ipBlock.cidr, report);
        checkLabels(`${at}.podSelector.matchLabels`, peer.podSelector?.matchLabels, report, rule);
        checkLabels(`${at}.namespaceSelector.matchLabels`, peer.namespaceSelector?.matchLabels, report, rule);
      });
      (policyRule.ports ?? []).forEach((p: Json, j: number) => {
        if (typeof p.port === 'number') checkPortNumber(`spec.${direction}[${i}].ports[${j}].port`, p.port, report);
        checkProtocol(`spec.${direction}[${i}].ports[${j}].protocol`, p.protocol, report);
      });
    });
  }
}

/** An IPv4 or IPv6 network in CIDR notation, as the API server parses it (net.ParseCIDR). */
export function cidrProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return 'is not a CIDR (address/prefix length)';
  const [, address, bits] = m;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return 'has an IPv4 address with an octet out of 0-255';
    if (Number(bits) > 32) return 'has a prefix length over 32 for IPv4';
    return undefined;
  }
  if (/^[0-9a-fA-F:]+$/.test(address) && address.includes(':') && isIPv6(address)) {
    if (Number(bits) > 128) return 'has a prefix length over 128 for IPv6';
    return undefined;
  }
  return 'is not a CIDR: its address is neither IPv4 nor IPv6';
}

function isIPv6(address: string): boolean {
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

function checkCidr(path: string, value: unknown, report: Report): void {
  const problem = cidrProblem(value);
  if (problem) report(path, `${problem}: use e.g. "203.0.113.0/24"`);
}

const CDK8S_VALIDATION = 'Validation failed with the following errors:';

/**
 * The problems of the error `app.synth()` throws when validations fail (cdk8s joins them as `[path] message` lines),
 * for tools that print them as their own error lines; undefined for any other error.
 */
export function validationProblems(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(CDK8S_VALIDATION)) return undefined;
  return error.message.slice(CDK8S_VALIDATION.length).split('\n').map((line) => line.trim().replace(/^\[[^\]]*\] /, ''))
    .filter((line) => line !== '');
}
