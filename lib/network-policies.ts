import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CurlProbe } from './curl-probe';
import { ExposedService } from './exposed-service';
import { recordOrigin } from './output-check';
import { checkSameNamespace, claimName } from './chart-claims';
import { checkConstruct, checkProps, fail, ownerOf, show } from './validation';

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
   * The clients that call the Service: each may reach the app's https port and the cluster DNS, and nothing else.
   * @default - none
   */
  readonly clients?: CurlProbe[];
}

/**
 * The NetworkPolicies of the production preset: everything in the namespace is denied, in and out, except the guide's
 * own traffic, all derived from the constructs (no label is retyped): any client to nginx on its container ports
 * (it is published by NodePort and LoadBalancer), each client (the curl Deployment and its check Job) to nginx's https
 * port and to the cluster DNS on 53 (UDP and TCP). nginx itself opens no connection. They take effect only on a
 * cluster with a NetworkPolicy enforcer (Calico, Cilium, kube-router, ...).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkPolicies extends Construct {
  /** The policy that denies all ingress and egress of every pod in the namespace. */
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  /** Clients to the app. */
  public readonly appIngress: k8s.KubeNetworkPolicy;
  /** Per client pod label set, its egress to the app's https port and the DNS. */
  public readonly clientEgress: k8s.KubeNetworkPolicy[];
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;

  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const owner = this.owner = ownerOf('NetworkPolicies', id);
    checkProps(owner, props);
    checkConstruct(owner, 'service', props?.service, ExposedService, "service: new ExposedService(chart, 'svc', { app })");
    const { service } = props;
    const selectorLabels = service.selectorLabels;
    // Policies see traffic after the Service: the pods' ports, or where unknown, the ports the Service targets.
    const podPorts = service.containerPorts ?? [...new Set(service.ports.map((p) => p.targetPort ?? p.port))];
    const clients = props.clients ?? [];
    if (!Array.isArray(clients)) fail(owner, `clients ${show(clients)} is not a list: pass e.g. [probe]`);
    clients.forEach((c, i) => {
      checkConstruct(owner, `clients[${i}]`, c, CurlProbe, "clients: [new CurlProbe(chart, 'curl', { service })]");
      checkSameNamespace(owner, `clients[${i}]`, this, c, c.owner, 'a NetworkPolicy selects pods of its own namespace only');
      if (c.service !== service) {
        fail(owner, `clients[${i}] ${c.owner} calls ${c.service.owner}, not ${service.owner}: list it with the policies of its own Service`);
      }
    });
    checkSameNamespace(owner, 'service', this, service, service.owner, 'a NetworkPolicy selects pods of its own namespace only');
    const https = service.httpsPort;
    if (clients.length > 0 && !https) fail(owner, `service ${service.owner} has no https port for its clients to reach: add a port named "https"`);
    const tcp = (port: number) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });

    claimName(this, 'NetworkPolicy', 'default-deny', owner);
    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    recordOrigin(this.defaultDeny, owner, {});

    const ingressName = `${service.nginxApp?.name ?? service.name}-ingress`;
    claimName(this, 'NetworkPolicy', ingressName, owner);
    this.appIngress = new k8s.KubeNetworkPolicy(this, 'AppIngress', {
      metadata: { name: ingressName },
      spec: {
        podSelector: { matchLabels: { ...selectorLabels } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: podPorts.map(tcp) }],
      },
    });
    recordOrigin(this.appIngress, owner, { 'metadata.name': { prop: 'service', shown: service.owner }, 'spec.podSelector': { prop: 'service', shown: service.owner } });

    this.clientEgress = clients.flatMap((client) => client.podLabelSets.map((labels, i) => {
      const name = `${client.name}${i === 0 ? '' : '-check'}-egress`;
      claimName(this, 'NetworkPolicy', name, owner);
      const policy = new k8s.KubeNetworkPolicy(this, `Egress-${client.node.id}-${i}`, {
        metadata: { name },
        spec: {
          podSelector: { matchLabels: { ...labels } },
          policyTypes: ['Egress'],
          egress: [
            // To the pods behind the Service, on the port they serve https on (policies see traffic after the Service).
            { to: [{ podSelector: { matchLabels: { ...selectorLabels } } }], ports: [tcp(https!.targetPort ?? https!.port)] },
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
      recordOrigin(policy, owner, { 'metadata.name': { prop: 'clients', shown: client.owner }, 'spec.podSelector': { prop: 'clients', shown: client.owner } });
      return policy;
    }));
    // A client's pods can still change after this (addCheck adds the check Job's): checked at synth, when they are final.
    const covered = new Map(clients.map((c) => [c, c.podLabelSets.length]));
    this.node.addValidation({
      validate: () => clients.filter((c) => c.podLabelSets.length !== covered.get(c)).map((c) => `${owner}: clients ${c.owner} got `
        + 'its check Job after these policies were made, so the default deny leaves the check\'s pods without egress and the '
        + 'check fails: call addCheck() before new NetworkPolicies(...)'),
    });
  }
}
