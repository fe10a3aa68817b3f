// The API server's rules for the objects this library emits, each written once and applied to every field of its
// class: every name and label, every quantity and the relation of each request to its limit, every port and protocol,
// every selector, every rollout, budget and autoscaler bound. Each construct runs them on the objects it made when it is
// built (so a bad prop fails where it is given, named by the prop: output-check.ts maps the field back), and the App runs
// them on everything it synthesizes. Nothing here needs a construct tree: the settings use the same wordings.
import { imageProblem, NAME_RULES, NameRule, nodePortProblem, portNumberProblem, qualifiedNameProblem } from './validation';

/** A problem with one field: its path in the object and what is wrong with it and how to fix it ("is ...: use ..."). */
export interface FieldProblem {
  readonly path: string;
  readonly text: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Report = (path: string, text: string) => void;

/** Every problem of one object against the rules of its kind. */
export function objectProblems(json: Json): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report: Report = (path, text) => problems.push({ path, text });
  checkMetadata(json, report);
  const template = json.kind === 'Pod' ? { path: '', spec: json.spec, labels: json.metadata?.labels }
    : json.spec?.template ? { path: 'spec.template.', spec: json.spec.template.spec, labels: json.spec.template.metadata?.labels } : undefined;
  if (template) {
    checkLabels(`${template.path}metadata.labels`, template.labels, report);
    checkWorkloadSelector(json, template.labels, report);
    if (template.spec) checkPodSpec(`${template.path}spec`, template.spec, report);
  }
  const byKind = KIND_RULES[`${json.apiVersion}/${json.kind}`];
  byKind?.(json, report);
  return problems;
}

/** The rules of each kind beyond metadata and pod templates. */
const KIND_RULES: Readonly<Record<string, (json: Json, report: Report) => void>> = {
  'v1/Service': checkService,
  'apps/v1/Deployment': checkDeployment,
  'batch/v1/Job': checkJob,
  'policy/v1/PodDisruptionBudget': checkDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': checkAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': checkNetworkPolicy,
};

// --- names, labels, annotations -------------------------------------------------------------------------------------

function rule(report: Report, path: string, name: NameRule | 'image', value: unknown): void {
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
}

function checkMetadata(json: Json, report: Report): void {
  const name = json.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    report('metadata.name', 'is missing: give the object a name');
  } else {
    rule(report, 'metadata.name', json.kind === 'Service' ? 'dns1035Label' : json.kind === 'Namespace' ? 'dns1123Label' : 'dns1123Subdomain', name);
  }
  if (json.metadata?.namespace !== undefined) rule(report, 'metadata.namespace', 'dns1123Label', json.metadata.namespace);
  checkLabels('metadata.labels', json.metadata?.labels, report);
  for (const key of Object.keys(json.metadata?.annotations ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) report(`metadata.annotations.${key}`, `has the key "${key}", which ${problem}: use a key such as "example.com/owner"`);
  }
}

function checkLabels(path: string, labels: Json | undefined, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) report(`${path}.${key}`, `has the key "${key}", which ${problem}: use a key such as "app" or "example.com/team"`);
    rule(report, `${path}.${key}`, 'labelValue', value);
  }
}

/** Every label selector: valid labels, and at least one (an empty selector selects every pod of the namespace). */
function checkSelector(path: string, selector: Json | undefined, report: Report, emptyMeans: string): void {
  if (selector === undefined) return;
  checkLabels(`${path}.matchLabels`, selector.matchLabels, report);
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    report(path, `is empty, so it ${emptyMeans}: select the pods by their labels`);
  }
}

/** A workload's selector must select its own pod template, or the controller never finds its pods. */
function checkWorkloadSelector(json: Json, templateLabels: Json | undefined, report: Report): void {
  const selector = json.spec?.selector?.matchLabels;
  if (selector === undefined) return;
  checkLabels('spec.selector.matchLabels', selector, report);
  for (const [k, v] of Object.entries(selector)) {
    if ((templateLabels ?? {})[k] !== v) {
      report(`spec.selector.matchLabels.${k}`, `is not a label of the pod template (${k}=${JSON.stringify((templateLabels ?? {})[k])}), `
        + 'so the controller would never find its own pods: select on labels the template sets');
    }
  }
}

// --- numbers, ports, protocols, quantities --------------------------------------------------------------------------

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** A whole number of at least `min` (counts, seconds), or undefined when unset. */
function checkCount(path: string, value: unknown, report: Report, min: number, example: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number') {
    report(path, `is not a number: pass a number, e.g. ${example}`);
  } else if (!Number.isInteger(value) || value < min) {
    report(path, `is not a whole number of at least ${min}: use e.g. ${example}`);
  }
}

function checkPortNumber(path: string, value: unknown, report: Report): void {
  const problem = portNumberProblem(value);
  if (problem) report(path, problem);
}

function checkProtocol(path: string, value: unknown, report: Report): void {
  if (value !== undefined && !PROTOCOLS.includes(value as string)) {
    report(path, `is not one of ${PROTOCOLS.map((p) => `"${p}"`).join(', ')}: use "TCP" for http and https`);
  }
}

/** A port given by number or by the name of a container port (probes, Service targets, policies). */
function checkPortRef(path: string, value: unknown, report: Report, names?: ReadonlySet<string>): void {
  if (typeof value === 'number') checkPortNumber(path, value, report);
  else if (typeof value === 'string') {
    rule(report, path, 'portName', value);
    if (names !== undefined && NAME_RULES.portName(value) === undefined && !names.has(value)) {
      report(path, `names no port of the container (${[...names].map((n) => `"${n}"`).join(', ') || 'it names none'}): give its number or a name it has`);
    }
  } else if (value !== undefined) report(path, 'is not a port number or name: use e.g. 443');
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** A quantity's value (cores, bytes), or undefined when it is not one (resource.ParseQuantity's grammar). */
export function parseQuantity(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return (sign === '-' ? -1 : 1) * Number(digits) * factor;
}

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** A container's requests and limits: each a quantity of a known resource, at least 0, and no request above its limit. */
function checkContainerResources(path: string, resources: Json | undefined, report: Report): void {
  if (resources === undefined) return;
  const values: Record<'requests' | 'limits', Record<string, number>> = { requests: {}, limits: {} };
  for (const end of ['requests', 'limits'] as const) {
    for (const [name, quantity] of Object.entries(resources[end] ?? {})) {
      const at = `${path}.${end}.${name}`;
      if (!STANDARD_RESOURCES.includes(name) && !name.startsWith('hugepages-') && !name.includes('/')) {
        report(at, `is not a resource Kubernetes knows: use ${STANDARD_RESOURCES.join(', ')}, or a qualified name such as "example.com/gpu"`);
        continue;
      }
      const parsed = parseQuantity(quantity);
      if (parsed === undefined) {
        report(at, 'is not a quantity: write e.g. "50m" for CPU, "64Mi" for memory');
      } else if (parsed < 0) {
        report(at, 'is negative: a quantity is at least 0');
      } else {
        values[end][name] = parsed;
      }
    }
  }
  for (const [name, request] of Object.entries(values.requests)) {
    const limit = values.limits[name];
    if (limit !== undefined && request > limit) {
      report(`${path}.requests.${name}`, `is more than the limit ${JSON.stringify(resources.limits[name])}, which the API server refuses: request at most the limit`);
    }
  }
}

/** An int-or-percent field (maxSurge, maxUnavailable, minAvailable): a whole number of at least 0, or "0%" to "100%". */
function intOrPercentValue(path: string, value: unknown, report: Report): { value: number; percent: boolean } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { value, percent: false };
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (m && Number(m[1]) <= 100) return { value: Number(m[1]), percent: true };
  report(path, 'is not a whole number of at least 0 or a percentage of 0% to 100%: use e.g. 1 or "25%"');
  return undefined;
}

// --- pods ------------------------------------------------------------------------------------------------------------

function checkPodSpec(path: string, spec: Json, report: Report): void {
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v: Json, i: number) => {
    rule(report, `${path}.volumes[${i}].name`, 'dns1123Label', v.name);
    if (volumes.has(v.name)) report(`${path}.volumes[${i}].name`, 'is the name of another volume of the pod: give each volume its own name');
    volumes.add(v.name);
  });
  checkCount(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, report, 0, '30');
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  const containerNames = new Set<string>();
  if ((spec.containers ?? []).length === 0) report(`${path}.containers`, 'is empty: a pod needs at least one container');
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((c: Json, i: number) => {
      const at = `${path}.${list}[${i}]`;
      rule(report, `${at}.name`, 'dns1123Label', c.name);
      if (containerNames.has(c.name)) report(`${at}.name`, 'is the name of another container of the pod: give each container its own name');
      containerNames.add(c.name);
      if (c.image !== undefined) rule(report, `${at}.image`, 'image', c.image);
      const portNames = new Set<string>();
      const served = new Set<string>();
      (c.ports ?? []).forEach((p: Json, j: number) => {
        checkPortNumber(`${at}.ports[${j}].containerPort`, p.containerPort, report);
        checkProtocol(`${at}.ports[${j}].protocol`, p.protocol, report);
        const key = `${p.containerPort}/${p.protocol ?? 'TCP'}`;
        if (served.has(key)) report(`${at}.ports[${j}].containerPort`, `is declared twice with protocol ${p.protocol ?? 'TCP'}: declare each port once`);
        served.add(key);
        if (p.name !== undefined) {
          rule(report, `${at}.ports[${j}].name`, 'portName', p.name);
          if (portNames.has(p.name)) report(`${at}.ports[${j}].name`, 'is the name of another port of the container: give each port its own name');
          portNames.add(p.name);
        }
      });
      (c.volumeMounts ?? []).forEach((m: Json, j: number) => {
        if (!volumes.has(m.name)) {
          report(`${at}.volumeMounts[${j}].name`, `is not a volume of the pod: mount one of ${[...volumes].map((v) => `"${v}"`).join(', ') || 'the pod\'s volumes (it has none)'}`);
        }
      });
      checkContainerResources(`${at}.resources`, c.resources, report);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const p = c[probe];
        if (p === undefined) continue;
        checkPortRef(`${at}.${probe}.${p.httpGet ? 'httpGet' : 'tcpSocket'}.port`, p.httpGet?.port ?? p.tcpSocket?.port, report, portNames);
        for (const field of ['periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) checkCount(`${at}.${probe}.${field}`, p[field], report, 1, '3');
        checkCount(`${at}.${probe}.initialDelaySeconds`, p.initialDelaySeconds, report, 0, '10');
        if (probe !== 'readinessProbe' && p.successThreshold !== undefined && p.successThreshold !== 1) {
          report(`${at}.${probe}.successThreshold`, 'must be 1 for liveness and startup probes: leave it unset');
        }
      }
      const sleep = c.lifecycle?.preStop?.sleep?.seconds;
      if (sleep !== undefined) {
        checkCount(`${at}.lifecycle.preStop.sleep.seconds`, sleep, report, 0, '10');
        if (typeof sleep === 'number' && sleep >= grace) {
          report(`${at}.lifecycle.preStop.sleep.seconds`, `is not less than the pod's terminationGracePeriodSeconds ${grace}: the container would be `
            + 'killed before it stops gracefully; sleep less, or give the pod a longer grace period');
        }
      }
    });
  }
  (spec.topologySpreadConstraints ?? []).forEach((t: Json, i: number) => {
    checkCount(`${path}.topologySpreadConstraints[${i}].maxSkew`, t.maxSkew, report, 1, '1');
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(t.whenUnsatisfiable)) {
      report(`${path}.topologySpreadConstraints[${i}].whenUnsatisfiable`, 'is not "DoNotSchedule" or "ScheduleAnyway"');
    }
  });
}

// --- workloads -------------------------------------------------------------------------------------------------------

function checkDeployment(json: Json, report: Report): void {
  const spec = json.spec ?? {};
  checkCount('spec.replicas', spec.replicas, report, 0, '2');
  const strategy = spec.strategy;
  if (strategy === undefined) return;
  if (strategy.type !== undefined && !['RollingUpdate', 'Recreate'].includes(strategy.type)) {
    report('spec.strategy.type', 'is not "RollingUpdate" or "Recreate": use RolloutStrategy.rollingUpdate() or RolloutStrategy.recreate()');
  }
  if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    report('spec.strategy.rollingUpdate', 'is set with type "Recreate", which the API server refuses: drop rollingUpdate or use type "RollingUpdate"');
  }
  const surge = intOrPercentValue('spec.strategy.rollingUpdate.maxSurge', strategy.rollingUpdate?.maxSurge, report);
  const unavailable = intOrPercentValue('spec.strategy.rollingUpdate.maxUnavailable', strategy.rollingUpdate?.maxUnavailable, report);
  if (surge?.value === 0 && unavailable?.value === 0) {
    report('spec.strategy.rollingUpdate', 'has maxSurge and maxUnavailable both 0, which the API server refuses: the rollout could neither add '
      + 'a pod nor remove one; allow one, e.g. maxSurge 1');
  }
}

function checkJob(json: Json, report: Report): void {
  checkCount('spec.backoffLimit', json.spec?.backoffLimit, report, 0, '6');
  checkCount('spec.ttlSecondsAfterFinished', json.spec?.ttlSecondsAfterFinished, report, 0, '3600');
  const restart = json.spec?.template?.spec?.restartPolicy;
  if (restart !== undefined && !['Never', 'OnFailure'].includes(restart)) {
    report('spec.template.spec.restartPolicy', 'is not "Never" or "OnFailure", which a Job\'s pods need');
  }
}

function checkDisruptionBudget(json: Json, report: Report): void {
  const spec = json.spec ?? {};
  if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined)) {
    report('spec', 'sets both or neither of minAvailable and maxUnavailable: set exactly one');
  }
  intOrPercentValue('spec.minAvailable', spec.minAvailable, report);
  intOrPercentValue('spec.maxUnavailable', spec.maxUnavailable, report);
  checkSelector('spec.selector', spec.selector, report, 'would guard every pod of the namespace');
  if (spec.unhealthyPodEvictionPolicy !== undefined && !['IfHealthyBudget', 'AlwaysAllow'].includes(spec.unhealthyPodEvictionPolicy)) {
    report('spec.unhealthyPodEvictionPolicy', 'is not "IfHealthyBudget" or "AlwaysAllow"');
  }
}

function checkAutoscaler(json: Json, report: Report): void {
  const spec = json.spec ?? {};
  checkCount('spec.minReplicas', spec.minReplicas, report, 1, '2');
  checkCount('spec.maxReplicas', spec.maxReplicas, report, 1, '6');
  if (typeof spec.minReplicas === 'number' && typeof spec.maxReplicas === 'number' && spec.minReplicas > spec.maxReplicas) {
    report('spec.minReplicas', `is more than maxReplicas ${spec.maxReplicas}, which the API server refuses: keep the minimum at most the maximum`);
  }
  if (!spec.scaleTargetRef?.name || !spec.scaleTargetRef?.kind) report('spec.scaleTargetRef', 'does not name the workload to scale: give its kind and name');
  (spec.metrics ?? []).forEach((m: Json, i: number) => {
    const target = m.resource?.target;
    if (target?.type === 'Utilization') checkCount(`spec.metrics[${i}].resource.target.averageUtilization`, target.averageUtilization, report, 1, '70');
  });
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const window = spec.behavior?.[direction]?.stabilizationWindowSeconds;
    if (window !== undefined && (typeof window !== 'number' || !Number.isInteger(window) || window < 0 || window > 3600)) {
      report(`spec.behavior.${direction}.stabilizationWindowSeconds`, 'is not a whole number of seconds of 0 to 3600 (an hour), which the API server '
        + 'refuses: use e.g. 300');
    }
  }
}

// --- Services and policies -------------------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

function checkService(json: Json, report: Report): void {
  const spec = json.spec ?? {};
  const ports: Json[] = spec.ports ?? [];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) report('spec.type', `is not one of ${SERVICE_TYPES.slice(0, 3).map((t) => `"${t}"`).join(', ')}`);
  if (ports.length === 0 && type !== 'ExternalName') report('spec.ports', 'is empty: give the Service at least one port');
  const names = new Set<string>();
  const numbers = new Set<string>();
  const nodePorts = new Set<number>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    checkPortNumber(`${at}.port`, p.port, report);
    if (p.name !== undefined) {
      rule(report, `${at}.name`, 'portName', p.name);
      if (names.has(p.name)) report(`${at}.name`, 'is the name of another port of the Service: give each port its own name');
      names.add(p.name);
    } else if (ports.length > 1) {
      report(`${at}.name`, 'is missing on a Service of several ports, which Kubernetes requires: name every port, e.g. "http"');
    }
    checkProtocol(`${at}.protocol`, p.protocol, report);
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (numbers.has(key)) report(`${at}.port`, `is used twice with protocol ${p.protocol ?? 'TCP'}: give each port its own number`);
    numbers.add(key);
    checkPortRef(`${at}.targetPort`, p.targetPort, report);
    if (p.nodePort !== undefined) {
      if (type === 'ClusterIP') report(`${at}.nodePort`, 'needs type NodePort or LoadBalancer, but type is ClusterIP: drop the nodePort or change the type');
      else if (nodePortProblem(p.nodePort)) report(`${at}.nodePort`, nodePortProblem(p.nodePort)!);
      else if (nodePorts.has(p.nodePort)) report(`${at}.nodePort`, 'is used twice: give each port its own');
      nodePorts.add(p.nodePort);
    }
  });
  checkLabels('spec.selector', spec.selector, report);
  if (spec.externalTrafficPolicy !== undefined) {
    if (type === 'ClusterIP') report('spec.externalTrafficPolicy', 'is only for types NodePort and LoadBalancer, but type is ClusterIP: drop it or change the type');
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) report('spec.externalTrafficPolicy', 'is not "Cluster" or "Local"');
  }
  if (spec.loadBalancerSourceRanges !== undefined && type !== 'LoadBalancer') {
    report('spec.loadBalancerSourceRanges', `is only for type LoadBalancer, but type is ${type}: drop it or set type to LoadBalancer`);
  }
  (spec.loadBalancerSourceRanges ?? []).forEach((cidr: unknown, i: number) => checkCidr(`spec.loadBalancerSourceRanges[${i}]`, cidr, report));
}

function checkNetworkPolicy(json: Json, report: Report): void {
  checkLabels('spec.podSelector.matchLabels', json.spec?.podSelector?.matchLabels, report);
  for (const direction of ['ingress', 'egress'] as const) {
    (json.spec?.[direction] ?? []).forEach((policyRule: Json, i: number) => {
      const peers: Json[] = policyRule[direction === 'ingress' ? 'from' : 'to'] ?? [];
      peers.forEach((peer, j) => {
        const at = `spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        if (peer.ipBlock) checkCidr(`${at}.ipBlock.cidr`, peer.ipBlock.cidr, report);
        checkLabels(`${at}.podSelector.matchLabels`, peer.podSelector?.matchLabels, report);
        checkLabels(`${at}.namespaceSelector.matchLabels`, peer.namespaceSelector?.matchLabels, report);
      });
      (policyRule.ports ?? []).forEach((p: Json, j: number) => {
        checkPortRef(`spec.${direction}[${i}].ports[${j}].port`, p.port, report);
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
