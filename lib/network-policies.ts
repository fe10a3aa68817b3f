import { Construct } from 'constructs';
import { checkSameNamespace, claimName } from './chart-claims';
import { ExposedService, IServiceClient } from './exposed-service';
import * as k8s from './imports/k8s';
import { checkMadeObjects, recordOrigin } from './output-check';
import { DEFAULT_SCRAPER_NAMESPACE } from './settings';
import { checkConstruct, checkProps, fail, ownerOf, show, uniqueId } from './validation';

/** The cluster DNS as kubeadm (and kind, k3s' CoreDNS chart) labels it: the `kube-dns` pods in `kube-system`. */
export const CLUSTER_DNS = {
  /** The namespace of the DNS pods. */
  namespace: 'kube-system',
  /** The labels of the DNS pods. */
  podLabels: {
    /** kubeadm's label of CoreDNS. */
    'k8s-app': 'kube-dns',
  },
} as const;

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps {
  /** The Service whose app gets traffic: any client may reach the app's pods on their container ports. */
  readonly service: ExposedService;

  /**
   * The clients that call the Service: each may reach the app's https port and the cluster DNS, and nothing else. A
   * client of the Service left out would have no egress under the default deny, so that is refused.
   * @default - every client of the Service (each CurlProbe of it), made before or after these policies
   */
  readonly clients?: IServiceClient[];

  /**
   * Who may scrape the app's metrics exporter (`NginxApp`'s `metrics`): pods of a namespace, optionally only those
   * with some labels. They reach the exporter's port and nothing else of the app.
   * @default - with an exporter, every pod of the namespace `monitoring` (where kube-prometheus-stack installs Prometheus)
   */
  readonly scraper?: ScraperProps;
}

/** The pods that scrape an exporter: a namespace, and optionally the labels of the scraper's pods in it. */
export interface ScraperProps {
  /**
   * The scraper's namespace.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Labels of the scraper's pods, e.g. `{ 'app.kubernetes.io/name': 'prometheus' }`.
   * @default - every pod of the namespace
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}


const NETWORK_POLICIES_PROPS = ['service', 'clients', 'scraper'] as const satisfies readonly (keyof NetworkPoliciesProps)[];

/**
 * The NetworkPolicies of the production preset: everything in the namespace is denied, in and out, except the guide's
 * own traffic, all derived from the constructs (no label is retyped): any client to nginx on its container ports
 * (it is published by NodePort and LoadBalancer), each client (the curl Deployment and its check Job) to nginx's https
 * port and to the cluster DNS on 53 (UDP and TCP). nginx itself opens no connection. They take effect only on a
 * cluster with a NetworkPolicy enforcer (Calico, Cilium, kube-router, ...).
 *
 * The clients' policies follow their pods whenever they come: a CurlProbe made later, or a check added later, gets
 * its egress as well, so the order of the calls does not matter.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkPolicies extends Construct {
  /** The policy that denies all ingress and egress of every pod in the namespace. */
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  /** Clients to the app. */
  public readonly appIngress: k8s.KubeNetworkPolicy;
  /** The scraper to the app's metrics exporter, when the app has one. */
  public readonly metricsIngress?: k8s.KubeNetworkPolicy;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  private readonly egress: k8s.KubeNetworkPolicy[] = [];
  private readonly service: ExposedService;

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(uniqueId(scope, id, 'NetworkPolicies'), id);
    const owner = this.owner = ownerOf('NetworkPolicies', id);
    checkProps(owner, props, NETWORK_POLICIES_PROPS);
    checkConstruct(owner, 'service', props?.service, ExposedService, "service: new ExposedService(chart, 'svc', { app })");
    const { service } = props;
    this.service = service;
    const selectorLabels = service.selectorLabels;
    // Policies see traffic after the Service: the pods' ports, or where unknown, the ports the Service targets.
    const podPorts = service.servedPorts?.map((p) => ({ port: p.number, protocol: p.protocol ?? 'TCP' }))
      ?? [...new Set(service.ports.map((p) => `${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`))]
        .map((key) => ({ port: Number(key.split('/')[0]), protocol: key.split('/')[1] }));
    const listed = props.clients;
    if (listed !== undefined && !Array.isArray(listed)) fail(owner, `clients ${show(listed)} is not a list: pass e.g. [probe]`);
    (listed ?? []).forEach((c, i) => {
      if (!service.serviceClients.includes(c)) {
        const shown = typeof c === 'object' && c !== null && 'owner' in c ? c.owner : show(c);
        fail(owner, `clients[${i}] ${shown} is not a client of ${service.owner}: list CurlProbes of the policies' own Service, `
          + "e.g. clients: [new CurlProbe(chart, 'curl', { service })]");
      }
    });
    checkSameNamespace(owner, 'service', this, service, service.owner, 'a NetworkPolicy selects pods of its own namespace only');

    claimName(this, 'NetworkPolicy', 'default-deny', owner);
    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    recordOrigin(this.defaultDeny, owner, {});

    const ingressName = `${service.backend?.name ?? service.name}-ingress`;
    claimName(this, 'NetworkPolicy', ingressName, owner);
    this.appIngress = new k8s.KubeNetworkPolicy(this, 'AppIngress', {
      metadata: { name: ingressName },
      spec: {
        podSelector: { matchLabels: { ...selectorLabels } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: podPorts.map(({ port, protocol }) => ({ port: k8s.IntOrString.fromNumber(port), protocol })) }],
      },
    });
    recordOrigin(this.appIngress, owner, { 'metadata.name': { prop: 'service', shown: service.owner }, 'spec.podSelector': { prop: 'service', shown: service.owner } });
    const metricsPort = service.backend?.metricsPort;
    if (props.scraper !== undefined && metricsPort === undefined) {
      fail(owner, `scraper is given, but ${service.owner} fronts pods with no metrics exporter to scrape: turn the app's metrics on, or leave scraper out`);
    }
    if (metricsPort !== undefined) {
      const scraper = props.scraper ?? {};
      if (typeof scraper !== 'object' || scraper === null) fail(owner, `scraper ${show(scraper)} is not an object: pass e.g. { namespace: 'monitoring' }`);
      const namespace = scraper.namespace ?? DEFAULT_SCRAPER_NAMESPACE;
      const metricsName = `${service.backend!.name}-metrics`;
      claimName(this, 'NetworkPolicy', metricsName, owner);
      this.metricsIngress = new k8s.KubeNetworkPolicy(this, 'MetricsIngress', {
        metadata: { name: metricsName },
        spec: {
          podSelector: { matchLabels: { ...selectorLabels } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
              ...(scraper.podLabels ? { podSelector: { matchLabels: { ...scraper.podLabels } } } : {}),
            }],
            ports: [{ port: k8s.IntOrString.fromNumber(metricsPort), protocol: 'TCP' }],
          }],
        },
      });
      recordOrigin(this.metricsIngress, owner, {
        'metadata.name': { prop: 'service', shown: service.owner },
        'spec.ingress[*].from[*].namespaceSelector': { prop: 'scraper.namespace', value: namespace },
        'spec.ingress[*].from[*].podSelector': { prop: 'scraper.podLabels' },
      });
    }
    checkMadeObjects(this.defaultDeny, this.appIngress, ...(this.metricsIngress ? [this.metricsIngress] : []));

    service._onClient((client) => {
      if (listed !== undefined && !listed.includes(client)) return;
      client.podLabelSets.forEach((labels, i) => this.addEgress(client, i, labels));
      client.onPods((labels) => this.addEgress(client, client.podLabelSets.length - 1, labels));
    });
    if (listed !== undefined) {
      // A client made after these policies is known only once the tree is final.
      this.node.addValidation({
        validate: () => service.serviceClients.filter((c) => !listed.includes(c)).map((c) => `${owner}: clients leaves out ${c.owner}, which calls `
          + `${service.owner}: under the default deny its pods get no egress, so it and its check fail; list it in clients, or leave clients `
          + 'unset to cover every client of the Service'),
      });
    }
  }

  /** Per client pod label set, its egress to the app's https port and the DNS. */
  public get clientEgress(): readonly k8s.KubeNetworkPolicy[] {
    return [...this.egress];
  }

  /** The egress of one label set of a client's pods: the client's own (index 0) or its check's. */
  private addEgress(client: IServiceClient, index: number, labels: Readonly<Record<string, string>>): void {
    const https = this.service.httpsPort;
    if (!https) fail(this.owner, `service ${this.service.owner} has no https port for its clients to reach: add a port named "https"`);
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const name = `${client.name}${index === 0 ? '' : '-check'}-egress`;
    claimName(this, 'NetworkPolicy', name, this.owner);
    const policy = new k8s.KubeNetworkPolicy(this, `Egress-${(client as unknown as Construct).node.id}-${index}`, {
      metadata: { name },
      spec: {
        podSelector: { matchLabels: { ...labels } },
        policyTypes: ['Egress'],
        egress: [
          // To the pods behind the Service, on the port they serve https on (policies see traffic after the Service).
          { to: [{ podSelector: { matchLabels: { ...this.service.selectorLabels } } }], ports: [tcp(https.targetPort ?? https.port)] },
          {
            to: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } },
              podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } },
            }],
            ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)],
          },
        ],
      },
    });
    recordOrigin(policy, this.owner, { 'metadata.name': { prop: 'clients', shown: client.owner }, 'spec.podSelector': { prop: 'clients', shown: client.owner } });
    checkMadeObjects(policy);
    this.egress.push(policy);
  }
}
