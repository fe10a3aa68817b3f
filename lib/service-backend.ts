// What an ExposedService fronts, read once from its `app`: a backend of this library (an NginxApp: the guide's ports,
// its TLS Secret and replica count), a cdk8s-plus workload of any version (its pod labels and container ports), or any
// other pod selector (its labels only). The Service depends on the IServiceBackend interface, never on NginxApp.
import { Construct, IConstruct } from 'constructs';
import { namespaceOf } from './chart-claims';
import { PodSelectorLike } from './pod-selector';
import { ServedPort, ServicePortSpec, ServingContainer } from './ports';
import { TlsSecret } from './tls-secret';
import { fail, show } from './validation';

const BACKEND = Symbol.for('guide-as-code.ServiceBackend');

/**
 * Pods a Service of this library fronts with the guide's defaults and checks. `NginxApp` implements it.
 */
export interface IServiceBackend extends PodSelectorLike {
  /** The name a Service gets when none is given (as `kubectl expose deployment` names it after the Deployment). */
  readonly name: string;
  /** The labels on every pod, which the Service selects. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** The pods' containers and the ports they serve, as cdk8s-plus describes a workload's. */
  readonly containers: readonly ServingContainer[];
  /** The Secret the pods serve https with, which a client of the Service trusts; none for plain http. */
  readonly tls?: TlsSecret;
  /** The container port that serves https, with `tls`. */
  readonly httpsPort?: number;
  /** The fewest pods there are: the replica count, or the autoscaler's minimum. */
  readonly minReplicas: number;
  /** The port a metrics exporter of the pods publishes on, which only a scraper may reach; none without one. */
  readonly metricsPort?: number;
  /** The Service ports for these pods when none are given. */
  defaultServicePorts(): ServicePortSpec[];
}

/** Marks `backend` as an {@link IServiceBackend} (by a registered symbol, so two copies of this library agree). */
export function markAsServiceBackend(backend: IServiceBackend): void {
  Object.defineProperty(backend, BACKEND, { value: true });
}

/** The pods behind a Service, as the Service and the constructs that use it need them. */
export interface ServiceBackend {
  /** The labels the Service selects pods by. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** The ports the pods' containers serve; undefined when the selector does not say (any target is then allowed). */
  readonly servedPorts?: readonly ServedPort[];
  /** The name a Service gets when none is given; undefined if it has none. */
  readonly name?: string;
  /** How messages name it: `NginxApp "my-nginx"`, `Deployment "web"`. */
  readonly shown: string;
  /** The backend of this library, when it is one: its TLS Secret, guide ports and replicas. */
  readonly guide?: IServiceBackend;
}

/** A cdk8s-plus workload or pod: a selector that also knows its containers and its name. */
interface PodsWithContainers extends PodSelectorLike {
  readonly name: string;
  readonly kind?: string;
  readonly containers: readonly ServingContainer[];
}

const EXAMPLE = "app: new NginxApp(chart, 'app'), or a cdk8s-plus Deployment";

/** Reads `app`, refusing what a Service cannot select: not a pod selector, expressions, or pods of another namespace. */
export function backendOf(owner: string, service: Construct, app: unknown): ServiceBackend {
  if (isServiceBackend(app)) {
    return {
      selectorLabels: app.selectorLabels,
      servedPorts: app.containers.flatMap((c) => c.ports),
      name: app.name,
      shown: `${kindOf(app)} "${app.name}"`,
      guide: app,
    };
  }
  if (!isPodSelector(app)) {
    fail(owner, `app ${show(app === undefined ? undefined : describe(app))} is not an NginxApp or a pod selector: `
      + `pass the object whose pods the Service fronts, e.g. ${EXAMPLE}`);
  }
  const withContainers = hasContainers(app) ? app : undefined;
  const shown = withContainers ? `${withContainers.kind ?? withContainers.constructor.name} "${withContainers.name}"` : `pod selector at ${app.node.path}`;
  const config = app.toPodSelectorConfig();
  const selector = config.labelSelector._toKube();
  if ((selector.matchExpressions ?? []).length > 0) {
    fail(owner, `app ${shown} selects pods by expressions, which a Service cannot: a Service selects by labels only; `
      + 'select the pods with labels (kplus.Pods.select(scope, id, { labels }))');
  }
  const selectorLabels = selector.matchLabels ?? {};
  if (Object.keys(selectorLabels).length === 0) {
    fail(owner, `app ${shown} selects no labels, so the Service would have no selector and no endpoints: select the pods by labels`);
  }
  const mine = namespaceOf(service);
  if (withContainers && namespaceOf(withContainers) !== mine) {
    fail(owner, `app ${shown} is in namespace "${namespaceOf(withContainers)}" but this is in "${mine}": a Service selects pods `
      + 'of its own namespace only; put both in charts with the same namespace');
  }
  const names = config.namespaces?.names;
  if (config.namespaces?.labelSelector?.isEmpty() === false || (names !== undefined && names.some((n) => n !== mine))) {
    fail(owner, `app ${shown} selects pods in namespaces ${show(names ?? 'by labels')}, but this Service is in "${mine}": `
      + 'a Service selects pods of its own namespace only; put both in charts with the same namespace');
  }
  return {
    selectorLabels,
    servedPorts: withContainers?.containers.flatMap((c) => c.ports),
    name: withContainers?.name,
    shown,
  };
}

/** Whether `value` is a backend of this library. */
export function isServiceBackend(value: unknown): value is IServiceBackend {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BACKEND] === true;
}

function isPodSelector(value: unknown): value is PodSelectorLike {
  return value instanceof Construct && typeof (value as Partial<PodSelectorLike>).toPodSelectorConfig === 'function';
}

function hasContainers(value: PodSelectorLike): value is PodsWithContainers {
  const candidate = value as Partial<PodsWithContainers>;
  return Array.isArray(candidate.containers) && typeof candidate.name === 'string';
}

/** The construct's class name, as messages name it (`NginxApp`). */
function kindOf(value: IConstruct): string {
  return value.constructor.name;
}

/** Constructs are shown by path, not serialized whole. */
function describe(value: unknown): unknown {
  return value instanceof Construct || (typeof value === 'object' && value !== null && 'node' in value)
    ? `${(value as IConstruct).constructor.name} at ${(value as IConstruct).node.path}` : value;
}
