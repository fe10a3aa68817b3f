import { Chart } from 'cdk8s';
import { IPodSelector, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HTTP_PORT, HTTPS_PORT, NginxApp } from './nginx-app';
import { checkSameNamespace, claimName, namespaceOf } from './chart-claims';
import { backendOf } from './service-backend';
import {
  checkDns1035Label, checkNodePort, checkNodePortKey, checkOneOf, checkPort, checkPortName, checkProps,
  checkQualifiedName, checkString, checkStringMap, fail, NAME_RULES, ownerOf, show,
} from './validation';
import { cidrProblem, recordOrigin } from './output-check';
import { ServiceType } from './service-type';

// Part of this construct's API; in a file of its own so the synth settings check a type without loading cdk8s-plus.
export { ServiceType };

/** One port of the Service. */
export interface ServicePortSpec {
  /**
   * Port name; required by Kubernetes when the Service has more than one port.
   * @default - unnamed
   */
  readonly name?: string;
  /** Port the Service listens on. */
  readonly port: number;
  /**
   * Container port the traffic goes to; must be one of the app's ports.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /**
   * Fixed node port (NodePort and LoadBalancer only).
   * @default - chosen by the cluster
   */
  readonly nodePort?: number;
}

/** The props of {@link NginxApp.exposeViaService}: those of an ExposedService but the app. */
export type ExposeViaServiceProps = Omit<ExposedServiceProps, 'app'>;

/** Props of {@link ExposedService}. */
export interface ExposedServiceProps {
  /**
   * The pods the Service selects: an {@link NginxApp} (its `run` label, the guide's ports and TLS checks), a
   * cdk8s-plus workload such as a `Deployment` (its pod labels and container ports), or any cdk8s-plus pod selector
   * such as `Pods.select(...)` (its labels; `ports` is then required).
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly app: IPodSelector;

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
  public readonly app: IPodSelector;
  /** The app when it is an NginxApp: its TLS Secret is what a CurlProbe of this Service trusts. */
  public readonly nginxApp?: NginxApp;
  /** The Service's selector: the pod labels of `app`. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** The ports the app's containers declare, which every target port must be one of; undefined when unknown. */
  public readonly containerPorts?: readonly number[];
  /** The Service's ports, node ports included. */
  public readonly ports: readonly ServicePortSpec[];
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;

  constructor(scope: Construct, id: string, props: ExposedServiceProps) {
    super(scope, id);
    const early = ownerOf('ExposedService', id);
    checkProps(early, props);
    const backend = backendOf(early, this, props?.app);
    this.app = props.app;
    this.nginxApp = backend.nginx;
    this.selectorLabels = backend.selectorLabels;
    this.containerPorts = backend.containerPorts;
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
    const nodePorts = props.nodePorts ?? {};
    if (typeof nodePorts !== 'object' || nodePorts === null || Array.isArray(nodePorts)) {
      fail(this.owner, `nodePorts ${show(nodePorts)} is not an object of port names to node ports: pass e.g. { https: 30443 }`);
    }
    this.ports = this.withNodePorts(props.ports ?? this.defaultPortsOf(backend.shown), nodePorts);
    this.checkPorts(backend.shown);
    this.checkTypeSpecificProps(props);
    checkStringMap(this.owner, 'annotations', props.annotations, "{ 'pulumi.com/skipAwait': 'true' }");
    for (const key of Object.keys(props.annotations ?? {})) checkQualifiedName(this.owner, 'annotations', key);
    this.nginxApp?.tls?.checkServes(this.name, this.namespace);
    claimName(this, 'Service', this.name, this.owner);

    const service = new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...this.selectorLabels },
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        ...(this.type !== ServiceType.CLUSTER_IP ? { type: this.type } : {}),
        ports: this.ports.map((p) => ({
          ...(p.name !== undefined ? { name: p.name } : {}),
          port: p.port,
          ...(p.targetPort !== undefined && p.targetPort !== p.port ? { targetPort: k8s.IntOrString.fromNumber(p.targetPort) } : {}),
          ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
          protocol: 'TCP',
        })),
        selector: { ...this.selectorLabels },
        ...(props.loadBalancerSourceRanges ? { loadBalancerSourceRanges: [...props.loadBalancerSourceRanges] } : {}),
        ...(props.externalTrafficPolicy ? { externalTrafficPolicy: props.externalTrafficPolicy } : {}),
      },
    });
    const fromApp = { prop: 'app', shown: backend.shown };
    recordOrigin(service, this.owner, {
      'metadata.name': props.name !== undefined ? { prop: 'name' } : fromApp,
      'metadata.labels': fromApp,
      'metadata.annotations': { prop: 'annotations' },
      'spec.selector': fromApp,
      'spec.ports': { prop: props.ports !== undefined ? 'ports' : 'ports (default)' },
      'spec.ports[*].nodePort': { prop: props.nodePorts !== undefined ? 'nodePorts' : 'ports' },
      'spec.loadBalancerSourceRanges': { prop: 'loadBalancerSourceRanges' },
    });

    // The guide's lesson: create the Service before the pods, or they miss its environment variables.
    if (Chart.of(props.app) === Chart.of(this) && Construct.isConstruct(props.app) && !isAncestorOf(props.app, this)) {
      props.app.node.addDependency(this);
    }
  }

  /** The guide's ports for an app: what `kubectl expose` makes, or nginx-secure-app.yaml's http/https pair. */
  public static defaultPorts(app: NginxApp): ServicePortSpec[] {
    // The guide's Service ports, whichever ports nginx listens on inside the pod (8080/8443 without root).
    const to = (port: number, target: number) => (target === port ? { port } : { port, targetPort: target });
    return app.tls
      ? [{ name: 'http', ...to(8080, app.httpPort) }, { name: 'https', ...to(HTTPS_PORT, app.httpsPort) }]
      : [to(HTTP_PORT, app.httpPort)];
  }

  /** Ports when none are given: the guide's for an NginxApp, one per container port for a workload. */
  private defaultPortsOf(shown: string): ServicePortSpec[] {
    if (this.nginxApp) return ExposedService.defaultPorts(this.nginxApp);
    const containerPorts = [...new Set(this.containerPorts ?? [])];
    if (containerPorts.length === 0) {
      fail(this.owner, `app ${shown} declares no container port to default the Service's ports to: set ports, e.g. [{ port: 80 }]`);
    }
    return containerPorts.length === 1 ? [{ port: containerPorts[0] }] : containerPorts.map((port) => ({ name: `port-${port}`, port }));
  }

  /** Namespace of the chart, or `default` as kubectl would use. */
  public get namespace(): string {
    return namespaceOf(this);
  }

  /** The https port, if the Service has one (named `https`, or targeting 443). */
  public get httpsPort(): ServicePortSpec | undefined {
    const https = this.nginxApp?.httpsPort ?? HTTPS_PORT;
    return this.ports.find((p) => p.name === 'https') ?? this.ports.find((p) => (p.targetPort ?? p.port) === https);
  }

  private withNodePorts(ports: ServicePortSpec[], nodePorts: Readonly<Record<string, number>>): ServicePortSpec[] {
    for (const name of Object.keys(nodePorts)) checkNodePortKey(this.owner, 'nodePorts', name, ports.map((p) => p.name));
    return ports.map((p) => (p.name !== undefined && nodePorts[p.name] !== undefined ? { ...p, nodePort: nodePorts[p.name] } : p));
  }

  private checkPorts(shown: string): void {
    if (this.ports.length === 0) {
      fail(this.owner, 'ports is empty: give at least one port, or leave ports unset for the guide\'s');
    }
    const seenNames = new Set<string>();
    const seenPorts = new Set<number>();
    const seenNodePorts = new Set<number>();
    this.ports.forEach((p, i) => {
      const at = `ports[${i}]`;
      if (typeof p !== 'object' || p === null) fail(this.owner, `${at} ${show(p)} is not an object: pass e.g. { name: 'https', port: 443 }`);
      checkPort(this.owner, `${at}.port`, p.port);
      if (seenPorts.has(p.port)) fail(this.owner, `${at}.port ${p.port} is used twice: give each port its own number`);
      seenPorts.add(p.port);
      if (p.name !== undefined) {
        checkPortName(this.owner, `${at}.name`, p.name);
        if (seenNames.has(p.name)) fail(this.owner, `${at}.name "${p.name}" is used twice: give each port its own name`);
        seenNames.add(p.name);
      } else if (this.ports.length > 1) {
        fail(this.owner, `${at}.name is missing: Kubernetes requires a name on every port of a multi-port Service (e.g. "http")`);
      }
      const target = p.targetPort ?? p.port;
      checkPort(this.owner, `${at}.targetPort`, target);
      if (this.containerPorts !== undefined && !this.containerPorts.includes(target)) {
        fail(this.owner, `${at}.targetPort ${target} is not a port of ${shown} `
          + `(it listens on ${this.containerPorts.join(' and ') || 'no port'}): target one of those`);
      }
      if (p.nodePort !== undefined) {
        if (this.type === ServiceType.CLUSTER_IP) {
          fail(this.owner, `${at}.nodePort ${p.nodePort} needs type NodePort or LoadBalancer, but type is ClusterIP: `
            + 'drop the nodePort or change the type');
        }
        checkNodePort(this.owner, `${at}.nodePort`, p.nodePort);
        if (seenNodePorts.has(p.nodePort)) fail(this.owner, `${at}.nodePort ${p.nodePort} is used twice: give each port its own`);
        seenNodePorts.add(p.nodePort);
      }
    });
  }

  private checkTypeSpecificProps(props: ExposedServiceProps): void {
    if (props.loadBalancerSourceRanges !== undefined && !Array.isArray(props.loadBalancerSourceRanges)) {
      fail(this.owner, `loadBalancerSourceRanges ${show(props.loadBalancerSourceRanges)} is not a list: pass e.g. ["203.0.113.0/24"]`);
    }
    if (props.loadBalancerSourceRanges && this.type !== ServiceType.LOAD_BALANCER) {
      fail(this.owner, `loadBalancerSourceRanges is only for type LoadBalancer, but type is ${this.type}: `
        + 'drop it or set type to LoadBalancer');
    }
    for (const range of props.loadBalancerSourceRanges ?? []) {
      checkString(this.owner, 'loadBalancerSourceRanges entry', range);
      const problem = cidrProblem(range);
      if (problem) fail(this.owner, `loadBalancerSourceRanges entry "${range}" ${problem}: use e.g. "203.0.113.0/24"`);
    }
    if (props.externalTrafficPolicy !== undefined) {
      if (this.type === ServiceType.CLUSTER_IP) {
        fail(this.owner, 'externalTrafficPolicy is only for types NodePort and LoadBalancer, but type is ClusterIP: '
          + 'drop it or change the type');
      }
      checkOneOf(this.owner, 'externalTrafficPolicy', props.externalTrafficPolicy, ['Cluster', 'Local']);
    }
  }
}

/** A Service made inside the workload it fronts (exposeViaService) cannot be ordered before it: its parent is emitted first. */
function isAncestorOf(ancestor: Construct, node: Construct): boolean {
  return node.node.scopes.includes(ancestor);
}
