// The ports a Service carries and the ports pods serve, as the Service, the pods behind it and the policies between
// them describe them to each other.
import { Protocol } from './service-type';

/** One port of a Service. */
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
  /**
   * The transport protocol; must be the one the target port is served with.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}

/** A port a container serves, as cdk8s-plus's `ContainerPort` describes one (which every version's satisfies). */
export interface ServedPort {
  /** The port number. */
  readonly number: number;
  /**
   * Its name.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Its protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}

/** A container and the ports it serves, as cdk8s-plus's `Container` describes them. */
export interface ServingContainer {
  /** The container's name. */
  readonly name: string;
  /** The ports it serves. */
  readonly ports: readonly ServedPort[];
}
