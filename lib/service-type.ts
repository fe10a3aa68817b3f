/** How the Service is reached. */
export enum ServiceType {
  /** Inside the cluster only: `kubectl expose deployment/my-nginx` (nginx-svc.yaml). */
  CLUSTER_IP = 'ClusterIP',
  /** On a port of every node as well (nginx-secure-app.yaml). */
  NODE_PORT = 'NodePort',
  /** Through the cloud's load balancer: the guide's last step, `kubectl edit svc my-nginx`. */
  LOAD_BALANCER = 'LoadBalancer',
}
