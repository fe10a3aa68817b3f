// Value types shared with cdk8s-plus by their values: each is a set of strings, so cdk8s-plus's own enum members
// (`kplus.ServiceType.NODE_PORT`, `kplus.Protocol.TCP`, of any cdk8s-plus version) are accepted where these are, and
// these where cdk8s-plus's are not needed. In a file of their own, so the settings load no construct.

/** How the Service is reached. */
export const ServiceType = {
  /** Inside the cluster only: `kubectl expose deployment/my-nginx` (nginx-svc.yaml). */
  CLUSTER_IP: 'ClusterIP',
  /** On a port of every node as well (nginx-secure-app.yaml). */
  NODE_PORT: 'NodePort',
  /** Through the cloud's load balancer: the guide's last step, `kubectl edit svc my-nginx`. */
  LOAD_BALANCER: 'LoadBalancer',
} as const;

/** One of {@link ServiceType}'s values: `'ClusterIP'`, `'NodePort'` or `'LoadBalancer'`. */
export type ServiceType = typeof ServiceType[keyof typeof ServiceType];

/** The transport protocol of a port. */
export const Protocol = {
  /** TCP: http and https. */
  TCP: 'TCP',
  /** UDP, e.g. DNS. */
  UDP: 'UDP',
  /** SCTP. */
  SCTP: 'SCTP',
} as const;

/** One of {@link Protocol}'s values: `'TCP'`, `'UDP'` or `'SCTP'`. */
export type Protocol = typeof Protocol[keyof typeof Protocol];
