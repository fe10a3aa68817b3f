import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { checkSameNamespace, claimName, namespaceOf } from './chart-claims';
import * as k8s from './imports/k8s';
import { checkMadeObjects, recordOrigin } from './output-check';
import { PodSelectorLike } from './pod-selector';
import { ServedPort, ServicePortSpec } from './ports';
import { backendOf, IServiceBackend, ServiceBackend } from './service-backend';
import { Protocol, ServiceType } from './service-type';
import {
  checkDns1035Label, checkNodePortKey, checkOneOf, checkProps, checkQualifiedName, checkStringMap, fail, NAME_RULES, ownerOf, show, uniqueId,
} from './validation';

// Part of this construct's API; in files of their own so the synth settings check a type without loading a construct.
export { Protocol, ServiceType };
export type { ServicePortSpec };

/** Props of {@link ExposedService}. */
export interface ExposedServiceProps {
  /**
   * The pods the Service selects: an {@link NginxApp} (its `run` label, the guide's ports and TLS checks), a
   * cdk8s-plus workload of any version such as a `Deployment` (its pod labels and container ports), or any cdk8s-plus
   * pod selector such as `Pods.select(...)` (its labels; `ports` is then required).
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly app: PodSelectorLike;

  /**
   * Name of the Service, which is also its DNS name.
   * @default - the app's name (`my-nginx`), as `kubectl expose` does; required for a pod selector without a name
   */
  readonly name?: string;

  /**
   * How the Service is reached.
   * @default ServiceType.CLUSTER_IP
   */
  readonly type?: ServiceType;

  /**
   * The ports.
   * @default - for an NginxApp, `80` without TLS (nginx-svc.yaml) and `http` 8080->80 and `https` 443 with TLS
   * (nginx-secure-app.yaml); for a cdk8s-plus workload, one port per container port; a plain pod selector has none
   */
  readonly ports?: ServicePortSpec[];

  /**
   * Fixed node ports by port name, e.g. `{ http: 30080, https: 30443 }` (NodePort and LoadBalancer only).
   * @default - chosen by the cluster
   */
  readonly nodePorts?: Readonly<Record<string, number>>;

  /**
   * Client CIDRs the cloud load balancer admits (LoadBalancer only).
   * @default - all
   */
  readonly loadBalancerSourceRanges?: string[];

  /**
   * Whether external traffic is kept on the node it arrives at, preserving client IPs (NodePort and LoadBalancer only).
   * @default - unset (Kubernetes' default: Cluster)
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';

  /**
   * Annotations, e.g. for the cloud load balancer or `pulumi.com/skipAwait`.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

const EXPOSED_SERVICE_PROPS = ['app', 'name', 'type', 'ports', 'nodePorts', 'loadBalancerSourceRanges', 'externalTrafficPolicy', 'annotations'] as const satisfies readonly (keyof ExposedServiceProps)[];
/** cdk8s-plus Service props a user may bring, and this construct's prop that does it. */
const FROM_CDK8S_PLUS = { selector: 'app', serviceType: 'type', metadata: 'name and annotations' };

/** A client of a Service (a CurlProbe): the pods that call it, known in full only once every check is added. */
export interface IServiceClient {
  /**
   * How messages name it.
   * @internal
   */
  readonly owner: string;
  /** Name of the client. */
  readonly name: string;
  /** The label sets of its pods so far. */
  readonly podLabelSets: readonly Readonly<Record<string, string>>[];
  /** Calls `listener` with each label set its pods get from now on. */
  onPods(listener: (labels: Readonly<Record<string, string>>) => void): void;
}

/**
 * The Service in front of an {@link NginxApp} or any cdk8s-plus pod selector. It is emitted before the workload it
 * fronts when both are in one chart, so pods created after it get its `MY_NGINX_SERVICE_HOST` variables.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
export class ExposedService extends Construct {
  /** Name of the Service, and so its DNS name in the namespace. */
  public readonly name: string;
  /** The Service type. */
  public readonly type: ServiceType;
  /** The pods the Service selects, as given. */
  public readonly app: PodSelectorLike;
  /** The app when it is a backend of this library (an NginxApp): its TLS Secret is what a CurlProbe of this Service trusts. */
  public readonly backend?: IServiceBackend;
  /** The Service's selector: the pod labels of `app`. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** The ports the app's containers serve, which every target port must be one of; undefined when unknown. */
  public readonly servedPorts?: readonly ServedPort[];
  /** The Service's ports, node ports included. */
  public readonly ports: readonly ServicePortSpec[];
  /** The Service object. */
  public readonly service: k8s.KubeService;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  private readonly clients: IServiceClient[] = [];
  private readonly clientListeners: ((client: IServiceClient) => void)[] = [];

  constructor(scope: Construct, id: string, props: ExposedServiceProps) {
    super(uniqueId(scope, id, 'ExposedService'), id);
    const early = ownerOf('ExposedService', id);
    checkProps(early, props, EXPOSED_SERVICE_PROPS, FROM_CDK8S_PLUS);
    const backend: ServiceBackend = backendOf(early, this, props?.app);
    this.app = props.app;
    this.backend = backend.guide;
    this.selectorLabels = backend.selectorLabels;
    this.servedPorts = backend.servedPorts;
    if (props.name === undefined && backend.name === undefined) {
      fail(early, `app ${backend.shown} has no name to give the Service: set name (e.g. "web")`);
    }
    this.name = props.name ?? backend.name!;
    this.owner = ownerOf('ExposedService', this.name);
    // `kubectl expose` names the Service after the Deployment, whose names allow more than a Service's do.
    const asServiceName = props.name === undefined ? NAME_RULES.dns1035Label(this.name) : undefined;
    if (asServiceName) {
      fail(this.owner, `app ${backend.shown} gives the Service its name "${this.name}", which ${asServiceName}; or set name to one that is`);
    }
    checkDns1035Label(this.owner, 'name', this.name);
    checkSameNamespace(this.owner, 'app', this, props.app, backend.shown, 'a Service selects pods of its own namespace only');
    this.type = checkOneOf(this.owner, 'type', props.type ?? ServiceType.CLUSTER_IP, Object.values(ServiceType));
    if (props.ports !== undefined && !Array.isArray(props.ports)) {
      fail(this.owner, `ports ${show(props.ports)} is not a list: pass e.g. [{ name: 'https', port: 443 }]`);
    }
    (props.ports ?? []).forEach((p, i) => {
      if (typeof p !== 'object' || p === null) fail(this.owner, `ports[${i}] ${show(p)} is not an object: pass e.g. { name: 'https', port: 443 }`);
    });
    const nodePorts = props.nodePorts ?? {};
    if (typeof nodePorts !== 'object' || nodePorts === null || Array.isArray(nodePorts)) {
      fail(this.owner, `nodePorts ${show(nodePorts)} is not an object of port names to node ports: pass e.g. { https: 30443 }`);
    }
    this.ports = this.withNodePorts(props.ports ?? this.defaultPortsOf(backend), nodePorts);
    this.checkTargets(backend.shown);
    if (props.loadBalancerSourceRanges !== undefined && !Array.isArray(props.loadBalancerSourceRanges)) {
      fail(this.owner, `loadBalancerSourceRanges ${show(props.loadBalancerSourceRanges)} is not a list: pass e.g. ["203.0.113.0/24"]`);
    }
    if (props.externalTrafficPolicy !== undefined) checkOneOf(this.owner, 'externalTrafficPolicy', props.externalTrafficPolicy, ['Cluster', 'Local']);
    checkStringMap(this.owner, 'annotations', props.annotations, "{ 'pulumi.com/skipAwait': 'true' }");
    for (const key of Object.keys(props.annotations ?? {})) checkQualifiedName(this.owner, 'annotations', key);
    this.backend?.tls?.checkServes(this.name, this.namespace);
    claimName(this, 'Service', this.name, this.owner);

    this.service = new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...this.selectorLabels },
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: Lazy.any({
        produce: (): k8s.ServiceSpec => ({
          ...(this.type !== ServiceType.CLUSTER_IP ? { type: this.type } : {}),
          ports: this.ports.map((p) => ({
            ...(p.name !== undefined ? { name: p.name } : {}),
            port: p.port,
            ...(p.targetPort !== undefined && p.targetPort !== p.port ? { targetPort: k8s.IntOrString.fromNumber(p.targetPort) } : {}),
            ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
            protocol: p.protocol ?? Protocol.TCP,
          })),
          selector: { ...this.selectorLabels },
          ...(props.loadBalancerSourceRanges ? { loadBalancerSourceRanges: [...props.loadBalancerSourceRanges] } : {}),
          ...(props.externalTrafficPolicy ? { externalTrafficPolicy: props.externalTrafficPolicy } : {}),
        }),
      }),
    });
    const fromApp = { prop: 'app', shown: backend.shown };
    recordOrigin(this.service, this.owner, {
      'metadata.name': props.name !== undefined ? { prop: 'name' } : fromApp,
      'metadata.labels': fromApp,
      'metadata.annotations': { prop: 'annotations' },
      'spec.type': { prop: 'type' },
      'spec.selector': fromApp,
      'spec.ports': { prop: props.ports !== undefined ? 'ports' : 'ports (default)' },
      'spec.ports[*]': { prop: 'ports[*]', sameShape: true },
      'spec.ports[*].nodePort': { prop: 'ports[*].nodePort' },
      // A node port given by port name is named so.
      ...Object.fromEntries(this.ports.flatMap((p, i) => (p.name !== undefined && nodePorts[p.name] !== undefined
        ? [[`spec.ports[${i}].nodePort`, { prop: `nodePorts.${p.name}` }]] : []))),
      'spec.externalTrafficPolicy': { prop: 'externalTrafficPolicy' },
      'spec.loadBalancerSourceRanges': { prop: 'loadBalancerSourceRanges', sameShape: true },
    });
    checkMadeObjects(this.service);

    // The guide's lesson: create the Service before the pods, or they miss its environment variables.
    if (Chart.of(props.app) === Chart.of(this) && Construct.isConstruct(props.app) && !isAncestorOf(props.app, this)) {
      props.app.node.addDependency(this);
    }
  }

  /** Namespace of the chart, or `default` as kubectl would use. */
  public get namespace(): string {
    return namespaceOf(this);
  }

  /** The https port, if the Service has one (named `https`, or targeting the app's https port). */
  public get httpsPort(): ServicePortSpec | undefined {
    const https = this.backend?.httpsPort ?? 443;
    return this.ports.find((p) => p.name === 'https') ?? this.ports.find((p) => (p.targetPort ?? p.port) === https);
  }

  /** The ports the app's containers serve, by number; undefined when unknown. */
  public get containerPorts(): readonly number[] | undefined {
    return this.servedPorts?.map((p) => p.number);
  }

  /** The clients of this Service so far (CurlProbes). */
  public get serviceClients(): readonly IServiceClient[] {
    return [...this.clients];
  }

  /** Registers a client of this Service (a CurlProbe does, when it is made). @internal */
  public _addClient(client: IServiceClient): void {
    this.clients.push(client);
    for (const listener of this.clientListeners) listener(client);
  }

  /** Calls `listener` with every client of this Service, those made so far and those made later (NetworkPolicies do). @internal */
  public _onClient(listener: (client: IServiceClient) => void): void {
    this.clientListeners.push(listener);
    for (const client of this.clients) listener(client);
  }

  /** Ports when none are given: the backend's for one of this library, one per container port for a workload. */
  private defaultPortsOf(backend: ServiceBackend): ServicePortSpec[] {
    if (backend.guide) return backend.guide.defaultServicePorts();
    const served = (backend.servedPorts ?? []).filter((p, i, all) => all.findIndex((q) => q.number === p.number) === i);
    if (served.length === 0) {
      fail(this.owner, `app ${backend.shown} declares no container port to default the Service's ports to: set ports, e.g. [{ port: 80 }]`);
    }
    const port = (p: ServedPort) => ({ port: p.number, ...(p.protocol && p.protocol !== Protocol.TCP ? { protocol: p.protocol } : {}) });
    return served.length === 1 ? [port(served[0])] : served.map((p) => ({ name: p.name ?? `port-${p.number}`, ...port(p) }));
  }

  private withNodePorts(ports: ServicePortSpec[], nodePorts: Readonly<Record<string, number>>): ServicePortSpec[] {
    for (const name of Object.keys(nodePorts)) checkNodePortKey(this.owner, 'nodePorts', name, ports.map((p) => p.name));
    return ports.map((p) => (p.name !== undefined && nodePorts[p.name] !== undefined ? { ...p, nodePort: nodePorts[p.name] } : p));
  }

  /** Each port must reach a port the pods serve, with the protocol they serve it with. */
  private checkTargets(shown: string): void {
    if (this.servedPorts === undefined) return;
    this.ports.forEach((p, i) => {
      const target = p.targetPort ?? p.port;
      const protocol = p.protocol ?? Protocol.TCP;
      const served = this.servedPorts!.filter((s) => s.number === target);
      const list = this.servedPorts!.map((s) => `${s.number}${(s.protocol ?? 'TCP') === 'TCP' ? '' : `/${s.protocol}`}`);
      if (typeof target === 'number' && served.length === 0) {
        fail(this.owner, `ports[${i}].targetPort ${target} is not a port of ${shown} (it listens on ${list.join(' and ') || 'no port'}): target one of those`);
      }
      if (served.length > 0 && !served.some((s) => (s.protocol ?? Protocol.TCP) === protocol)) {
        fail(this.owner, `ports[${i}].protocol ${show(protocol)} is not what ${shown} serves on ${target} (${served.map((s) => s.protocol ?? Protocol.TCP).join(', ')}): `
          + `give the port protocol ${show(served[0].protocol ?? Protocol.TCP)}, or target a port served over ${protocol}`);
      }
    });
  }
}

/** A Service made inside the workload it fronts (exposeViaService) cannot be ordered before it: its parent is emitted first. */
function isAncestorOf(ancestor: Construct, node: Construct): boolean {
  return node.node.scopes.includes(ancestor);
}
