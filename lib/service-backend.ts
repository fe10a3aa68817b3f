// What an ExposedService fronts, read once from its `app`: an NginxApp (the guide's defaults and checks), a cdk8s-plus
// workload (its pod labels and container ports), or any other cdk8s-plus pod selector (its labels only).
import type * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { namespaceOf } from './chart-claims';
import { NginxApp } from './nginx-app';
import { fail, show } from './validation';

/** The pods behind a Service, as the Service and the constructs that use it need them. */
export interface ServiceBackend {
  /** The labels the Service selects pods by. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** The ports the pods' containers declare; undefined when the selector does not say (any target is then allowed). */
  readonly containerPorts?: readonly number[];
  /** The name a Service gets when none is given (the Deployment's, as `kubectl expose` does); undefined if it has none. */
  readonly name?: string;
  /** How messages name it: `NginxApp "my-nginx"`, `Deployment "web"`. */
  readonly shown: string;
  /** The NginxApp, when it is one: its TLS Secret and its guide ports. */
  readonly nginx?: NginxApp;
}

/** A cdk8s-plus workload or pod: a selector that also knows its containers and its name. */
interface PodsWithContainers extends kplus.IPodSelector {
  readonly name: string;
  readonly kind?: string;
  readonly containers: readonly { readonly ports: readonly { readonly number: number }[] }[];
}

const EXAMPLE = "app: new NginxApp(chart, 'app'), or a cdk8s-plus Deployment";

/** Reads `app`, refusing what a Service cannot select: not a pod selector, expressions, or pods of another namespace. */
export function backendOf(owner: string, service: Construct, app: unknown): ServiceBackend {
  if (app instanceof NginxApp) {
    return { selectorLabels: app.selectorLabels, containerPorts: app.containerPorts, name: app.name, shown: app.owner, nginx: app };
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
  if (config.namespaces?.labelSelector !== undefined || (names !== undefined && names.some((n) => n !== mine))) {
    fail(owner, `app ${shown} selects pods in namespaces ${show(names ?? 'by labels')}, but this Service is in "${mine}": `
      + 'a Service selects pods of its own namespace only; put both in charts with the same namespace');
  }
  return {
    selectorLabels,
    containerPorts: withContainers?.containers.flatMap((c) => c.ports.map((p) => p.number)),
    name: withContainers?.name,
    shown,
  };
}

function isPodSelector(value: unknown): value is kplus.IPodSelector {
  return value instanceof Construct && typeof (value as Partial<kplus.IPodSelector>).toPodSelectorConfig === 'function';
}

function hasContainers(value: kplus.IPodSelector): value is PodsWithContainers {
  const candidate = value as Partial<PodsWithContainers>;
  return Array.isArray(candidate.containers) && typeof candidate.name === 'string';
}

/** Constructs are shown by path, not serialized whole. */
function describe(value: unknown): unknown {
  return value instanceof Construct || (typeof value === 'object' && value !== null && 'node' in value)
    ? `${(value as IConstruct).constructor.name} at ${(value as IConstruct).node.path}` : value;
}
