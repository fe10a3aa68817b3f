// Generated from lib/settings.ts by `npm run settings:generate`: edit that table, not this file.
import type { Duration } from 'cdk8s';
import type { ImageSet } from './images';
import type { ServiceType } from './service-type';
import type { CertificateSetting, ClusterSetting } from './settings';
import type { TlsSecretSource } from './tls-secret';

/** Every setting once read, checked and defaulted: a setting with a default always has a value. */
export interface GuideSettingsValues {
  /**
   * Namespace of every object, and of the Service names the certificate must cover.
   */
  readonly namespace?: string;

  /**
   * How the final state's Service is reached: `ClusterIP`, `NodePort` or `LoadBalancer`.
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   */
  readonly serviceType: ServiceType;

  /**
   * The final state's nginx pods.
   */
  readonly replicas: number;

  /**
   * Which images the manifests use: `pinned`, or `guide` for the guide's exact images.
   */
  readonly imageSet: ImageSet;

  /**
   * The nginx image of every chart, overriding the image set.
   */
  readonly nginxImage?: string;

  /**
   * The curl client's image of every chart, overriding the image set.
   */
  readonly curlImage?: string;

  /**
   * Fixed node ports of the final state's Service by port name, e.g. `{"http": 30080, "https": 30443}` (NodePort and LoadBalancer).
   */
  readonly nodePorts: Readonly<Record<string, number>>;

  /**
   * Where the certificate comes from: PEM text or files are synthesized into the Secret (the key then lands in the output); an existing Secret is only referenced.
   */
  readonly tls: TlsSecretSource;

  /**
   * Annotations of the final state's Service (cloud load balancer settings, `pulumi.com/skipAwait`).
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;

  /**
   * Whether nginx's pods get `MY_NGINX_SERVICE_HOST`-style variables of every Service in the namespace.
   */
  readonly enableServiceLinks?: boolean;

  /**
   * The production preset: Pod Security "restricted" (unprivileged nginx on 8080/8443), probes, resources, rollout and shutdown, PodDisruptionBudget, certificate per handshake.
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly hardening: boolean;

  /**
   * NetworkPolicies that deny everything in the namespace but the guide's traffic (need a NetworkPolicy enforcer).
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  readonly networkPolicies: boolean;

  /**
   * The one-shot https check Job; `false` leaves it out.
   */
  readonly check: boolean;

  /**
   * A HorizontalPodAutoscaler on CPU owns nginx's replica count (between `minReplicas` and `maxReplicas`); the manifest then sets none.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling: boolean;

  /**
   * With `autoscaling`, the fewest nginx pods (the disruption budget protects them).
   */
  readonly minReplicas: number;

  /**
   * With `autoscaling`, the most nginx pods.
   */
  readonly maxReplicas: number;

  /**
   * With `autoscaling`, the average CPU use kept, in percent of each pod's CPU request (the preset requests 50m for nginx).
   */
  readonly cpuUtilization: number;

  /**
   * With `autoscaling`, how long the load must stay low before pods are removed.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly scaleDownStabilization: Duration;

  /**
   * Nginx serves `stub_status` on the pod's loopback and an nginx-prometheus-exporter sidecar publishes it on port 9113 (`metrics`), which no Service exposes.
   */
  readonly metrics: boolean;

  /**
   * With `metrics`, the exporter's image, overriding the image set.
   */
  readonly exporterImage?: string;

  /**
   * With `metrics`, a Prometheus Operator PodMonitor that scrapes the exporter (the cluster needs the operator's CRDs).
   */
  readonly podMonitor: boolean;

  /**
   * With `metrics` and NetworkPolicies, the namespace whose pods may scrape the exporter (its port only).
   */
  readonly scraperNamespace: string;

  /**
   * Where a stack's certificate comes from: made by `@pulumi/tls`, an existing Secret, or PEMs in stack config.
   */
  readonly certificate: CertificateSetting;

  /**
   * How long a generated certificate is valid.
   */
  readonly certificateValidity: Duration;

  /**
   * How long before its expiry `pulumi up` replaces a generated certificate.
   */
  readonly certificateEarlyRenewal: Duration;

  /**
   * `pulumi up` waits for the LoadBalancer's address; `false` sets `pulumi.com/skipAwait` on clusters without one.
   */
  readonly waitForLoadBalancer: boolean;

  /**
   * The cluster a stack deploys to (a component takes it as its provider).
   */
  readonly cluster?: ClusterSetting;
}

/** The settings the guide's final state takes as props (SecureNginxChart, addGuideCharts). */
export interface GuideChartSettings {
  /**
   * How the final state's Service is reached: `ClusterIP`, `NodePort` or `LoadBalancer`.
   * @default - `LoadBalancer` (the guide's last step)
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   */
  readonly serviceType?: ServiceType;

  /**
   * The final state's nginx pods.
   * @default - `1` (nginx-secure-app.yaml)
   */
  readonly replicas?: number;

  /**
   * Which images the manifests use: `pinned`, or `guide` for the guide's exact images.
   * @default - `pinned`
   */
  readonly imageSet?: ImageSet;

  /**
   * The nginx image of every chart, overriding the image set.
   * @default - from the image set
   */
  readonly nginxImage?: string;

  /**
   * The curl client's image of every chart, overriding the image set.
   * @default - from the image set
   */
  readonly curlImage?: string;

  /**
   * Fixed node ports of the final state's Service by port name, e.g. `{"http": 30080, "https": 30443}` (NodePort and LoadBalancer).
   * @default - none: chosen by the cluster
   */
  readonly nodePorts?: Readonly<Record<string, number>>;

  /**
   * Where the certificate comes from: PEM text or files are synthesized into the Secret (the key then lands in the output); an existing Secret is only referenced.
   * @default - `{ from: 'existing' }`: the Secret `nginxsecret` that `kubectl create secret tls` makes, so no key is synthesized
   */
  readonly tls?: TlsSecretSource;

  /**
   * Annotations of the final state's Service (cloud load balancer settings, `pulumi.com/skipAwait`).
   * @default - none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;

  /**
   * Whether nginx's pods get `MY_NGINX_SERVICE_HOST`-style variables of every Service in the namespace.
   * @default - unset (Kubernetes' default: true)
   */
  readonly enableServiceLinks?: boolean;

  /**
   * The production preset: Pod Security "restricted" (unprivileged nginx on 8080/8443), probes, resources, rollout and shutdown, PodDisruptionBudget, certificate per handshake.
   * @default - `false`
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly hardening?: boolean;

  /**
   * NetworkPolicies that deny everything in the namespace but the guide's traffic (need a NetworkPolicy enforcer).
   * @default - the value of `hardening`
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  readonly networkPolicies?: boolean;

  /**
   * The one-shot https check Job; `false` leaves it out.
   * @default - `true`
   */
  readonly check?: boolean;

  /**
   * A HorizontalPodAutoscaler on CPU owns nginx's replica count (between `minReplicas` and `maxReplicas`); the manifest then sets none.
   * @default - `false`: `replicas` pods
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling?: boolean;

  /**
   * With `autoscaling`, the fewest nginx pods (the disruption budget protects them).
   * @default - `2`
   */
  readonly minReplicas?: number;

  /**
   * With `autoscaling`, the most nginx pods.
   * @default - `6`
   */
  readonly maxReplicas?: number;

  /**
   * With `autoscaling`, the average CPU use kept, in percent of each pod's CPU request (the preset requests 50m for nginx).
   * @default - `60`
   */
  readonly cpuUtilization?: number;

  /**
   * With `autoscaling`, how long the load must stay low before pods are removed.
   * @default - 300 seconds
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly scaleDownStabilization?: Duration;

  /**
   * Nginx serves `stub_status` on the pod's loopback and an nginx-prometheus-exporter sidecar publishes it on port 9113 (`metrics`), which no Service exposes.
   * @default - `false`
   */
  readonly metrics?: boolean;

  /**
   * With `metrics`, the exporter's image, overriding the image set.
   * @default - from the image set
   */
  readonly exporterImage?: string;

  /**
   * With `metrics`, a Prometheus Operator PodMonitor that scrapes the exporter (the cluster needs the operator's CRDs).
   * @default - `false`
   */
  readonly podMonitor?: boolean;

  /**
   * With `metrics` and NetworkPolicies, the namespace whose pods may scrape the exporter (its port only).
   * @default - `monitoring`
   */
  readonly scraperNamespace?: string;
}

/** The settings the Pulumi component takes as Args (SecureNginxDeployment). */
export interface SecureNginxDeploymentSettings {
  /**
   * Namespace of every object, and of the Service names the certificate must cover.
   * @default - none: kubectl's current namespace (a stack deploys to `default`)
   */
  readonly namespace?: string;

  /**
   * How the final state's Service is reached: `ClusterIP`, `NodePort` or `LoadBalancer`.
   * @default - `LoadBalancer` (the guide's last step)
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   */
  readonly serviceType?: ServiceType;

  /**
   * The final state's nginx pods.
   * @default - `1` (nginx-secure-app.yaml)
   */
  readonly replicas?: number;

  /**
   * Which images the manifests use: `pinned`, or `guide` for the guide's exact images.
   * @default - `pinned`
   */
  readonly imageSet?: ImageSet;

  /**
   * The nginx image of every chart, overriding the image set.
   * @default - from the image set
   */
  readonly nginxImage?: string;

  /**
   * The curl client's image of every chart, overriding the image set.
   * @default - from the image set
   */
  readonly curlImage?: string;

  /**
   * Fixed node ports of the final state's Service by port name, e.g. `{"http": 30080, "https": 30443}` (NodePort and LoadBalancer).
   * @default - none: chosen by the cluster
   */
  readonly nodePorts?: Readonly<Record<string, number>>;

  /**
   * The production preset: Pod Security "restricted" (unprivileged nginx on 8080/8443), probes, resources, rollout and shutdown, PodDisruptionBudget, certificate per handshake.
   * @default - `false`
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly hardening?: boolean;

  /**
   * NetworkPolicies that deny everything in the namespace but the guide's traffic (need a NetworkPolicy enforcer).
   * @default - the value of `hardening`
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  readonly networkPolicies?: boolean;

  /**
   * The one-shot https check Job; `false` leaves it out.
   * @default - `true`
   */
  readonly check?: boolean;

  /**
   * A HorizontalPodAutoscaler on CPU owns nginx's replica count (between `minReplicas` and `maxReplicas`); the manifest then sets none.
   * @default - `false`: `replicas` pods
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling?: boolean;

  /**
   * With `autoscaling`, the fewest nginx pods (the disruption budget protects them).
   * @default - `2`
   */
  readonly minReplicas?: number;

  /**
   * With `autoscaling`, the most nginx pods.
   * @default - `6`
   */
  readonly maxReplicas?: number;

  /**
   * With `autoscaling`, the average CPU use kept, in percent of each pod's CPU request (the preset requests 50m for nginx).
   * @default - `60`
   */
  readonly cpuUtilization?: number;

  /**
   * With `autoscaling`, how long the load must stay low before pods are removed.
   * @default - 300 seconds
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly scaleDownStabilization?: Duration;

  /**
   * Nginx serves `stub_status` on the pod's loopback and an nginx-prometheus-exporter sidecar publishes it on port 9113 (`metrics`), which no Service exposes.
   * @default - `false`
   */
  readonly metrics?: boolean;

  /**
   * With `metrics`, the exporter's image, overriding the image set.
   * @default - from the image set
   */
  readonly exporterImage?: string;

  /**
   * With `metrics`, a Prometheus Operator PodMonitor that scrapes the exporter (the cluster needs the operator's CRDs).
   * @default - `false`
   */
  readonly podMonitor?: boolean;

  /**
   * With `metrics` and NetworkPolicies, the namespace whose pods may scrape the exporter (its port only).
   * @default - `monitoring`
   */
  readonly scraperNamespace?: string;

  /**
   * Where a stack's certificate comes from: made by `@pulumi/tls`, an existing Secret, or PEMs in stack config.
   * @default - `{ source: 'generated' }` (`@pulumi/tls`, renewed by `pulumi up` near its expiry)
   */
  readonly certificate?: CertificateSetting;

  /**
   * How long a generated certificate is valid.
   * @default - 8760 hours (a year)
   */
  readonly certificateValidity?: Duration;

  /**
   * How long before its expiry `pulumi up` replaces a generated certificate.
   * @default - 720 hours (30 days)
   */
  readonly certificateEarlyRenewal?: Duration;

  /**
   * `pulumi up` waits for the LoadBalancer's address; `false` sets `pulumi.com/skipAwait` on clusters without one.
   * @default - `true`
   */
  readonly waitForLoadBalancer?: boolean;
}
