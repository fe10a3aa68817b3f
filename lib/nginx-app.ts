import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Autoscaling, autoscalingOf, AutoscalingProps } from './autoscaling';
import { Construct } from 'constructs';
import { CERTIFICATE_FINGERPRINT_ANNOTATION } from './certificate';
import { checkSameNamespace, claimName, claimSelector } from './chart-claims';
import { ExposedService, ExposedServiceProps } from './exposed-service';
import {
  EXPORTER_HARDENING, EXPORTER_PORT, NGINX_RESOURCES, NGINX_SECURITY_CONTEXT, NGINX_WRITABLE_PATHS, nginxCertificateLoading, nginxListenPorts, nginxProbes, PRESTOP_SLEEP_SECONDS,
  RESTRICTED_POD_SECURITY, spreadOverNodes, TERMINATION_GRACE_SECONDS, ZERO_DOWNTIME_ROLLOUT,
} from './hardening';
import { bakesItsOwnConfig, IMAGES, ImageSet, restrictedImageProblem } from './images';
import * as k8s from './imports/k8s';
import { PodMonitor } from './imports/monitoring.coreos.com';
import { CERTIFICATE_LOADINGS, CertificateLoading, GUIDE_LISTEN_PORTS, NGINX_CONF_DIR, NGINX_SSL_DIR, NginxConfig } from './nginx-config';
import { checkMadeObjects, recordOrigin } from './output-check';
import { LabelSelectorLike, NetworkPolicyPeerConfigLike, podSelectorConfig, PodSelectorConfigLike } from './pod-selector';
import { ServicePortSpec, ServingContainer } from './ports';
import { checkResources, ContainerResources, resourcesToKube } from './resources';
import { RolloutStrategy } from './rollout';
import { IServiceBackend, markAsServiceBackend } from './service-backend';
import { ServiceType } from './service-type';
import { TlsSecret } from './tls-secret';
import {
  checkBoolean, checkConstruct, checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabelValue, checkOneOf,
  checkProps, checkReplicas, fail, NAME_RULES, ownerOf, show, uniqueId,
} from './validation';

/** nginx's plain http port. */
export const HTTP_PORT = GUIDE_LISTEN_PORTS.http;
/** nginx's https port, served only with a TlsSecret. */
export const HTTPS_PORT = GUIDE_LISTEN_PORTS.https;
// Part of this construct's API; beside the certificate checks so the diff's redaction needs no construct to name it.
export { CERTIFICATE_FINGERPRINT_ANNOTATION };

/** The name of the exporter's port, which a PodMonitor scrapes. */
export const METRICS_PORT_NAME = 'metrics';

/** The guide's replica counts: run-my-nginx.yaml's plain nginx, and nginx-secure-app.yaml's https nginx. */
export const GUIDE_REPLICAS = {
  /** run-my-nginx.yaml's plain nginx. */
  plain: 2,
  /** nginx-secure-app.yaml's https nginx. */
  https: 1,
} as const;

/** Props of {@link NginxApp}. */
export interface NginxAppProps {
  /**
   * Name of the Deployment, and the value of its `run` label that Services select.
   * @default 'my-nginx'
   */
  readonly name?: string;

  /**
   * Number of nginx pods.
   * @default - 2 (run-my-nginx.yaml), or 1 with `tls` (nginx-secure-app.yaml)
   */
  readonly replicas?: number;

  /**
   * The Secret whose certificate nginx serves on port 443, mounted at /etc/nginx/ssl.
   * @default - no https: the plain Deployment of run-my-nginx.yaml
   */
  readonly tls?: TlsSecret;

  /**
   * The ConfigMap with default.conf, mounted at /etc/nginx/conf.d. The official nginx image needs it to
   * serve https; bprashanth/nginxhttps (the guide's Japanese page) bakes its own.
   * @default - with `tls`, a ConfigMap `<name>-conf` with the guide's default.conf (none for bprashanth/nginxhttps);
   * without `tls`, none
   */
  readonly config?: NginxConfig;

  /**
   * Which image family to take the default image from.
   * @default ImageSet.PINNED
   */
  readonly imageSet?: ImageSet;

  /**
   * Container image, overriding `imageSet`.
   * @default - `nginx:1.27.4` (pinned) or the guide's `nginx` / `bprashanth/nginxhttps:1.0`
   */
  readonly image?: string;

  /**
   * Name of the container.
   * @default - `name` (run-my-nginx.yaml), or 'nginxhttps' with `tls` (nginx-secure-app.yaml)
   */
  readonly containerName?: string;

  /**
   * Whether pods get `<SERVICE>_SERVICE_HOST`-style variables for every Service of the namespace. The guide
   * relies on them (MY_NGINX_SERVICE_HOST), which is why its Services come before their Deployments.
   * @default - unset (Kubernetes' default: true)
   * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#environment-variables
   */
  readonly enableServiceLinks?: boolean;

  /**
   * The production preset: the default of every part below (`restricted`, `resources`, `probes`, `strategy`,
   * `preStopSleep`, `terminationGracePeriod`, `disruptionBudget`, `spread`, `certificateLoading`), so one word turns them all on and each
   * can still be set on its own. The guide has none of them, so the manifests stay the guide's without it.
   * @default false
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly hardening?: boolean;

  /**
   * Runs nginx as the Pod Security Standard "restricted" admits: uid 10101 with no capabilities and no privilege
   * escalation, the runtime's seccomp profile, a read-only root filesystem with emptyDir volumes where nginx writes,
   * no service-account token, and listening on 8080 and 8443 inside the pod (no root to bind lower ports) behind the
   * guide's Service ports. Needs an NginxConfig of this library, which sets those ports.
   * @default - `hardening`
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly restricted?: boolean;

  /**
   * Requests and limits of the nginx container, e.g. `{ cpu: { request: Cpu.millis(50) }, memory: { limit: Size.mebibytes(128) } }`.
   * @default - with `hardening`, {@link NGINX_RESOURCES} (50m CPU, 64Mi memory and 64Mi ephemeral storage requested and 500m,
   * 128Mi and 256Mi as limits); otherwise none (the guide's)
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly resources?: ContainerResources;

  /**
   * Readiness on what clients use (https when served, every 2 s), so a pod gets traffic only once it serves it, and a
   * slower, more forgiving liveness on http.
   * @default - `hardening`
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
   */
  readonly probes?: boolean;

  /**
   * How a rollout replaces pods: `RolloutStrategy.rollingUpdate({ maxSurge, maxUnavailable })` or `RolloutStrategy.recreate()`.
   * @default - with `hardening`, {@link ZERO_DOWNTIME_ROLLOUT} (maxSurge 1, maxUnavailable 0: never fewer ready pods than
   * `replicas`); otherwise unset (Kubernetes' 25% and 25%)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
   */
  readonly strategy?: RolloutStrategy;

  /**
   * How long a terminating pod keeps serving before nginx is told to stop (a preStop sleep), so its endpoint's removal
   * reaches every node first; `Duration.seconds(0)` for none. The sleep action needs Kubernetes 1.30 or newer.
   * @default - 10 s with `hardening`, otherwise none
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  readonly preStopSleep?: Duration;

  /**
   * Time from a pod's deletion to its forced kill: the preStop sleep, then nginx's graceful stop (SIGQUIT finishes the
   * requests in flight). Must be longer than `preStopSleep`.
   * @default - 30 s written out with `hardening`, otherwise unset (Kubernetes' 30 s)
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * A PodDisruptionBudget with maxUnavailable 1, so a drain evicts one pod at a time (an unhealthy pod may always go,
   * so it never blocks a drain). It protects something only with 2 or more replicas, so fewer are refused.
   * @default - `hardening` with 2 or more replicas
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   */
  readonly disruptionBudget?: boolean;

  /**
   * Spreads replicas over nodes where there are several (still scheduling where there is one). It spreads something
   * only with 2 or more replicas, so fewer are refused.
   * @default - `hardening` with 2 or more replicas
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  readonly spread?: boolean;

  /**
   * When nginx reads the certificate of `tls`: at start (the guide), or at every TLS handshake, so a Secret renewed
   * behind the IaC tool is served within the kubelet's volume sync (about a minute) with no restart. Sets the
   * NginxConfig the app makes; an app given a `config` takes that config's.
   * @default - `'per-handshake'` with `hardening`, otherwise `'at-start'`
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#mounted-secrets-are-updated-automatically
   */
  readonly certificateLoading?: CertificateLoading;

  /**
   * A HorizontalPodAutoscaler (autoscaling/v2) on CPU, which then owns the replica count: the Deployment leaves
   * `replicas` out, so neither `kubectl apply` nor `pulumi up` resets what the autoscaler chose. It needs a CPU request
   * (the preset's `resources` have one). The preset's disruption budget (maxUnavailable 1) and spreading hold for any
   * count, and are on when the maximum is 2 or more.
   * @default - none: `replicas` pods
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling?: AutoscalingProps;

  /**
   * Publishes what nginx serves to Prometheus: nginx serves `stub_status` on the pod's loopback (127.0.0.1:8081) and an
   * nginx-prometheus-exporter sidecar publishes it on port 9113, named `metrics`, which no Service exposes (a
   * NetworkPolicies' `scraper` may reach it). Needs an NginxConfig of this library, which adds the stub_status server.
   * @default false
   * @see https://github.com/nginx/nginx-prometheus-exporter
   */
  readonly metrics?: boolean;

  /**
   * The exporter's image, overriding `imageSet`'s.
   * @default - `nginx/nginx-prometheus-exporter:1.4.0`
   */
  readonly exporterImage?: string;

  /**
   * A Prometheus Operator `PodMonitor` (monitoring.coreos.com/v1) that scrapes the exporter, for a Prometheus that
   * selects it; the cluster needs the operator's CRDs. Needs `metrics`.
   * @default false
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
   */
  readonly podMonitor?: boolean;
}

/** Every prop of {@link NginxAppProps}, for the check of a JavaScript caller's unknown ones. */
const NGINX_APP_PROPS = [
  'name', 'replicas', 'tls', 'config', 'imageSet', 'image', 'containerName', 'enableServiceLinks', 'hardening', 'restricted',
  'resources', 'probes', 'strategy', 'preStopSleep', 'terminationGracePeriod', 'disruptionBudget', 'spread', 'certificateLoading',
  'autoscaling', 'metrics', 'exporterImage', 'podMonitor',
] as const satisfies readonly (keyof NginxAppProps)[];
/** cdk8s-plus Deployment props a user may bring, and this construct's prop that does it. */
const FROM_CDK8S_PLUS = { metadata: 'name', containers: 'image', securityContext: 'restricted', minReady: 'probes', select: 'name' };

/** Options of {@link NginxApp.exposeViaService}: those of an ExposedService but the app, named as cdk8s-plus names them. */
export interface NginxAppExposeViaServiceOptions extends Omit<ExposedServiceProps, 'app' | 'type'> {
  /**
   * How the Service is reached.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
}

const EXPOSE_OPTIONS = ['name', 'serviceType', 'ports', 'nodePorts', 'loadBalancerSourceRanges', 'externalTrafficPolicy', 'annotations'] as const satisfies readonly (keyof NginxAppExposeViaServiceOptions)[];

/**
 * The nginx Deployment of the guide: run-my-nginx.yaml, or with a TlsSecret the Deployment of nginx-secure-app.yaml.
 *
 * It selects its pods for a cdk8s-plus NetworkPolicy and is a network peer for `connections.allowTo()` of any
 * cdk8s-plus version (docs/constructs.md says how one library meets every version).
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#exposing-pods-to-the-cluster
 */
export class NginxApp extends Construct implements IServiceBackend {
  /** Name of the Deployment, and the value of its pods' `run` label. */
  public readonly name: string;
  /** Number of nginx pods; with `autoscaling`, its minimum (the autoscaler chooses the count). */
  public readonly replicas: number;
  /** The nginx container image. */
  public readonly image: string;
  /** Name of the nginx container. */
  public readonly containerName: string;
  /** The Secret nginx serves https with, if any. */
  public readonly tls?: TlsSecret;
  /** The ConfigMap with default.conf, if any (given, or made for `tls`). */
  public readonly config?: NginxConfig;
  /** Whether pods get the Service environment variables, when set. */
  public readonly enableServiceLinks?: boolean;
  /** Whether the production preset was asked for; the parts below say what is on. */
  public readonly hardening: boolean;
  /** See {@link NginxAppProps.restricted}. */
  public readonly restricted: boolean;
  /** See {@link NginxAppProps.resources}. */
  public readonly resources?: ContainerResources;
  /** See {@link NginxAppProps.probes}. */
  public readonly probes: boolean;
  /** See {@link NginxAppProps.strategy}. */
  public readonly strategy?: RolloutStrategy;
  /** See {@link NginxAppProps.preStopSleep}. */
  public readonly preStopSleep?: Duration;
  /** See {@link NginxAppProps.terminationGracePeriod}. */
  public readonly terminationGracePeriod?: Duration;
  /** See {@link NginxAppProps.spread}. */
  public readonly spread: boolean;
  /** The labels on every pod, and so the selector of the Deployment and its Services. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Container ports in the guide's order: https then http with TLS, http without. */
  public readonly containerPorts: readonly number[];
  /** The port nginx serves http on inside the pod: 80, or 8080 when `restricted`. */
  public readonly httpPort: number;
  /** The port nginx serves https on inside the pod (with TLS): 443, or 8443 when `restricted`; undefined without TLS. */
  public readonly httpsPort?: number;
  /** The autoscaling bounds and target, when a HorizontalPodAutoscaler owns the replica count. */
  public readonly autoscaling?: Autoscaling;
  /** Whether the exporter sidecar publishes nginx's stub_status (see {@link NginxAppProps.metrics}). */
  public readonly metrics: boolean;
  /** The exporter's image, with `metrics`. */
  public readonly exporterImage?: string;
  /** The port the exporter publishes on, with `metrics`: only a scraper may reach it. */
  public readonly metricsPort?: number;
  /** The Deployment this app makes. */
  public readonly deployment: k8s.KubeDeployment;
  /** The HorizontalPodAutoscaler, with `autoscaling`. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodMonitor, with `podMonitor`. */
  public readonly podMonitor?: PodMonitor;
  /** The budget that lets evictions (drains) take one pod at a time, when `disruptionBudget` is on. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  /** The prop that turned `restricted` on, for the messages: 'restricted', or 'hardening' through the preset. */
  private readonly restrictedBy: string;
  /** Whether exposeViaService() has made a Service of the app's own name. */
  private readonly exposed = new Map<string, ExposedService>();

  constructor(scope: Construct, id: string, props: NginxAppProps = {}) {
    super(uniqueId(scope, id, 'NginxApp'), id);
    checkProps(ownerOf('NginxApp', id), props, NGINX_APP_PROPS, FROM_CDK8S_PLUS);
    this.name = props.name ?? 'my-nginx';
    this.owner = ownerOf('NginxApp', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    checkLabelValue(this.owner, 'name', this.name);
    if (props.tls !== undefined) {
      checkConstruct(this.owner, 'tls', props.tls, TlsSecret, "tls: TlsSecret.fromFiles(chart, 'tls', { certificateFile, privateKeyFile })");
      checkSameNamespace(this.owner, 'tls', this, props.tls, props.tls.owner, 'a pod mounts Secrets of its own namespace only');
    }
    this.tls = props.tls;
    this.autoscaling = autoscalingOf(this.owner, 'autoscaling', props.autoscaling);
    if (this.autoscaling && props.replicas !== undefined) {
      fail(this.owner, `replicas ${show(props.replicas)} is given with autoscaling, which owns the replica count: a count in the manifest would `
        + `reset the autoscaler's on every kubectl apply or pulumi up; leave replicas out (autoscaling.minReplicas is the fewest pods)`);
    }
    this.replicas = this.autoscaling?.minReplicas ?? props.replicas ?? (this.tls ? GUIDE_REPLICAS.https : GUIDE_REPLICAS.plain);
    checkReplicas(this.owner, 'replicas', this.replicas);
    const imageSet = checkOneOf(this.owner, 'imageSet', props.imageSet ?? ImageSet.PINNED, Object.values(ImageSet));
    this.image = props.image ?? (this.tls ? IMAGES[imageSet].nginxHttps : IMAGES[imageSet].nginx);
    checkImage(this.owner, 'image', this.image);
    this.containerName = props.containerName ?? (this.tls ? 'nginxhttps' : this.name);
    // The guide names the container after the Deployment; a Deployment name may hold '.', a container name not.
    const asContainerName = props.containerName === undefined && !this.tls ? NAME_RULES.dns1123Label(this.name) : undefined;
    if (asContainerName) {
      fail(this.owner, `name "${this.name}" is also the container's name (as in run-my-nginx.yaml), which ${asContainerName}; `
        + 'or keep the name and set containerName');
    }
    checkDns1123Label(this.owner, 'containerName', this.containerName);
    for (const flag of ['enableServiceLinks', 'hardening', 'restricted', 'probes', 'disruptionBudget', 'spread'] as const) checkBoolean(this.owner, flag, props[flag]);
    this.enableServiceLinks = props.enableServiceLinks;
    this.hardening = props.hardening ?? false;
    this.restricted = props.restricted ?? this.hardening;
    this.restrictedBy = props.restricted !== undefined ? 'restricted' : 'hardening';
    checkResources(this.owner, 'resources', props.resources);
    this.resources = props.resources ?? (this.hardening ? NGINX_RESOURCES : undefined);
    if (this.autoscaling && this.resources?.cpu?.request === undefined) {
      fail(this.owner, `autoscaling targets ${this.autoscaling.cpuUtilization}% of each pod's CPU request, but ${props.resources !== undefined ? 'resources has' : 'the app has no resources, so'} `
        + 'no cpu request: the autoscaler could not compute a utilization; give resources.cpu.request (e.g. Cpu.millis(50)), or take hardening\'s resources');
    }
    checkBoolean(this.owner, 'metrics', props.metrics);
    checkBoolean(this.owner, 'podMonitor', props.podMonitor);
    this.metrics = props.metrics ?? false;
    for (const needsMetrics of ['exporterImage', 'podMonitor'] as const) {
      if (props[needsMetrics] !== undefined && props[needsMetrics] !== false && !this.metrics) {
        fail(this.owner, `${needsMetrics} ${show(props[needsMetrics])} is given without metrics, so there is no exporter: turn metrics on, or leave ${needsMetrics} out`);
      }
    }
    if (this.metrics) {
      this.exporterImage = props.exporterImage ?? IMAGES[imageSet].exporter;
      checkImage(this.owner, 'exporterImage', this.exporterImage, 'use e.g. "nginx/nginx-prometheus-exporter:1.4.0"');
      this.metricsPort = EXPORTER_PORT;
    }
    this.probes = props.probes ?? this.hardening;
    if (props.strategy !== undefined) {
      checkConstruct(this.owner, 'strategy', props.strategy, RolloutStrategy, 'strategy: RolloutStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.absolute(1) })');
    }
    this.strategy = props.strategy ?? (this.hardening ? ZERO_DOWNTIME_ROLLOUT : undefined);
    this.preStopSleep = props.preStopSleep ?? (this.hardening ? Duration.seconds(PRESTOP_SLEEP_SECONDS) : undefined);
    this.terminationGracePeriod = props.terminationGracePeriod ?? (this.hardening ? Duration.seconds(TERMINATION_GRACE_SECONDS) : undefined);
    this.checkShutdown();
    this.spread = this.withEnoughReplicas('spread', props.spread, 'has no other replica to spread from');
    const disruptionBudget = this.withEnoughReplicas('disruptionBudget', props.disruptionBudget,
      'lets a drain evict every pod it has (maxUnavailable 1), so it protects nothing');
    ({ http: this.httpPort, https: this.httpsPort } = nginxListenPorts(this.restricted));
    if (!this.tls) this.httpsPort = undefined;
    this.containerPorts = this.httpsPort !== undefined ? [this.httpsPort, this.httpPort] : [this.httpPort];
    this.config = this.configFor(props.config, props.certificateLoading);
    this.checkConfigCanWork(props.image !== undefined ? 'image' : 'imageSet', props.certificateLoading);
    this.checkStubStatus(props.image !== undefined ? 'image' : 'imageSet');
    this.selectorLabels = { run: this.name };
    this.checkConfigReadsMountedFiles();
    this.checkConfigListensOnPorts();
    claimName(this, 'Deployment', this.name, this.owner);
    claimSelector(this, this.selectorLabels, this.owner, 'give each NginxApp its own name (the run label follows it)');
    markAsServiceBackend(this);

    // Built when synthesized, as cdk8s-plus builds its specs: what the app is given later (none yet) shows up too.
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name },
      spec: Lazy.any({ produce: () => this.deploymentSpec() }),
    });
    const fromName = { prop: 'name', value: this.name };
    recordOrigin(this.deployment, this.owner, {
      'metadata.name': { prop: 'name' },
      'spec.replicas': { prop: 'replicas' },
      'spec.strategy': { prop: props.strategy !== undefined ? 'strategy' : 'hardening' },
      'spec.selector.matchLabels': fromName,
      'spec.template.metadata.labels': fromName,
      'spec.template.spec.terminationGracePeriodSeconds': { prop: 'terminationGracePeriod' },
      'spec.template.spec.containers[0].name': props.containerName !== undefined ? { prop: 'containerName' } : this.tls ? { prop: 'containerName (default)' } : fromName,
      'spec.template.spec.containers[0].image': props.image !== undefined ? { prop: 'image' } : { prop: 'imageSet', value: imageSet },
      'spec.template.spec.containers[0].ports': { prop: this.tls ? 'tls' : this.restrictedBy },
      'spec.template.spec.containers[0].resources': { prop: props.resources !== undefined ? 'resources' : 'hardening' },
      'spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds': { prop: 'preStopSleep' },
      'spec.template.spec.containers[1].image': { prop: props.exporterImage !== undefined ? 'exporterImage' : 'imageSet', value: this.exporterImage },
    });
    if (this.autoscaling) {
      const a = this.autoscaling;
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name: this.name },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuUtilization } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilization.toSeconds() } },
        },
      });
      recordOrigin(this.autoscaler, this.owner, {
        'metadata.name': { prop: 'name' },
        'spec.minReplicas': { prop: 'autoscaling.minReplicas' },
        'spec.maxReplicas': { prop: 'autoscaling.maxReplicas' },
        'spec.metrics': { prop: 'autoscaling.cpuUtilization' },
        'spec.behavior': { prop: 'autoscaling.scaleDownStabilization' },
      });
    }
    if (props.podMonitor) {
      this.podMonitor = new PodMonitor(this, 'PodMonitor', {
        metadata: { name: this.name },
        spec: {
          selector: { matchLabels: { ...this.selectorLabels } },
          podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: '/metrics' }],
        },
      });
      recordOrigin(this.podMonitor, this.owner, { 'metadata.name': { prop: 'name' }, 'spec.selector.matchLabels': fromName });
    }
    if (disruptionBudget) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selectorLabels } },
          unhealthyPodEvictionPolicy: 'AlwaysAllow' },
      });
      recordOrigin(this.disruptionBudget, this.owner, { 'metadata.name': { prop: 'name' }, 'spec.selector.matchLabels': fromName });
    }
    checkMadeObjects(this.deployment, ...[this.disruptionBudget, this.autoscaler, this.podMonitor].filter((o): o is ApiObject => o !== undefined));
  }

  /** The pods' containers and the ports they serve, as cdk8s-plus describes a workload's (its `allowTo` reads them). */
  public get containers(): readonly ServingContainer[] {
    return [{ name: this.containerName, ports: this.containerPorts.map((number) => ({ number, protocol: 'TCP' as const })) }];
  }

  /** The fewest pods there are: the replica count. */
  public get minReplicas(): number {
    return this.replicas;
  }

  /**
   * Selects this app's pods by their `run` label, in its chart's namespace: a cdk8s-plus `IPodSelector` of whichever
   * version the caller uses (a cdk8s-plus `NetworkPolicy`'s `selector`, `Pods.select`-style peers).
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
   */
  public toPodSelectorConfig<L extends LabelSelectorLike = LabelSelectorLike>(): PodSelectorConfigLike<L> {
    return podSelectorConfig<L>(this, this.selectorLabels);
  }

  /** This app as a peer of a cdk8s-plus NetworkPolicy rule, or of `connections.allowTo()`, of any cdk8s-plus version. */
  public toNetworkPolicyPeerConfig<L extends LabelSelectorLike = LabelSelectorLike>(): NetworkPolicyPeerConfigLike<L> {
    return { podSelector: this.toPodSelectorConfig<L>() };
  }

  /** This app's pods, for the policies cdk8s-plus makes on the peer's side. */
  public toPodSelector(): this {
    return this;
  }

  /** The guide's ports for this app: what `kubectl expose` makes, or nginx-secure-app.yaml's http/https pair. */
  public defaultServicePorts(): ServicePortSpec[] {
    // The guide's Service ports, whichever ports nginx listens on inside the pod (8080/8443 without root).
    const to = (port: number, target: number) => (target === port ? { port } : { port, targetPort: target });
    return this.httpsPort !== undefined
      ? [{ name: 'http', ...to(8080, this.httpPort) }, { name: 'https', ...to(HTTPS_PORT, this.httpsPort) }]
      : [to(HTTP_PORT, this.httpPort)];
  }

  /**
   * Exposes the app through a new {@link ExposedService} beside it, named after the app (as `kubectl expose
   * deployment my-nginx` does) unless `options.name` says otherwise.
   * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#creating-a-service
   */
  public exposeViaService(options: NginxAppExposeViaServiceOptions = {}): ExposedService {
    checkProps(`${this.owner} exposeViaService()`, options, EXPOSE_OPTIONS, { type: 'serviceType' });
    const { serviceType, ...rest } = options;
    const name = options.name ?? this.name;
    const earlier = this.exposed.get(name);
    if (earlier) {
      fail(this.owner, `exposeViaService() was called again for a Service named "${name}", which the first call made (${earlier.owner}): `
        + 'give the second one a name of its own, e.g. exposeViaService({ name: \'my-nginx-admin\' })');
    }
    // Beside the app, not inside it, so the Service is still emitted before the Deployment (the guide's order).
    const scope = this.node.scope ?? this;
    const service = new ExposedService(scope, `${this.node.id}${options.name === undefined ? '' : `-${options.name}`}Service`,
      { ...rest, ...(serviceType !== undefined ? { type: serviceType } : {}), app: this });
    this.exposed.set(name, service);
    return service;
  }

  private deploymentSpec(): k8s.DeploymentSpec {
    return {
      selector: { matchLabels: { ...this.selectorLabels } },
      // With an autoscaler the count is its own: a count here would take it back on every apply.
      ...(this.autoscaling ? {} : { replicas: this.replicas }),
      ...(this.strategy ? { strategy: this.strategy.toKube() } : {}),
      template: {
        metadata: {
          labels: { ...this.selectorLabels },
          ...(this.tls?.certificateFingerprint
            ? { annotations: { [CERTIFICATE_FINGERPRINT_ANNOTATION]: this.tls.certificateFingerprint } } : {}),
        },
        spec: this.podSpec(),
      },
    };
  }

  private podSpec(): k8s.PodSpec {
    const volumes: k8s.Volume[] = [];
    const volumeMounts: k8s.VolumeMount[] = [];
    if (this.tls) {
      volumes.push({ name: 'secret-volume', secret: { secretName: this.tls.name } });
      volumeMounts.push({ mountPath: NGINX_SSL_DIR, name: 'secret-volume' });
    }
    if (this.config) {
      volumes.push({ name: 'configmap-volume', configMap: { name: this.config.name } });
      volumeMounts.push({ mountPath: NGINX_CONF_DIR, name: 'configmap-volume' });
    }
    if (this.restricted) {
      for (const [name, mountPath] of Object.entries(NGINX_WRITABLE_PATHS)) {
        volumes.push({ name, emptyDir: {} });
        volumeMounts.push({ mountPath, name });
      }
    }
    const sleepSeconds = this.preStopSleep?.toSeconds() ?? 0;
    const container: k8s.Container = {
      name: this.containerName,
      image: this.image,
      ports: this.containerPorts.map((containerPort) => ({ containerPort })),
      ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
      ...(this.probes ? nginxProbes({ http: this.httpPort, https: this.httpsPort }) : {}),
      ...(this.resources ? { resources: resourcesToKube(this.resources) } : {}),
      ...(this.restricted ? { securityContext: NGINX_SECURITY_CONTEXT } : {}),
      // Keeps serving while the endpoint's removal reaches every node's kube-proxy; then the image's STOPSIGNAL
      // (SIGQUIT, nginx's graceful stop). The sleep action (GA in 1.34) needs no shell in the image.
      ...(sleepSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: sleepSeconds } } } } : {}),
    };
    return {
      ...(volumes.length > 0 ? { volumes } : {}),
      containers: [container, ...(this.metrics ? [this.exporterContainer()] : [])],
      ...(this.enableServiceLinks !== undefined ? { enableServiceLinks: this.enableServiceLinks } : {}),
      // The pod needs no API access, so no service-account token either.
      ...(this.restricted ? { automountServiceAccountToken: false, securityContext: RESTRICTED_POD_SECURITY } : {}),
      ...(this.terminationGracePeriod ? { terminationGracePeriodSeconds: this.terminationGracePeriod.toSeconds() } : {}),
      ...(this.spread ? { topologySpreadConstraints: spreadOverNodes(this.selectorLabels) } : {}),
    };
  }

  /** The metrics sidecar: it reads stub_status over the pod's loopback and publishes it on {@link EXPORTER_PORT}. */
  private exporterContainer(): k8s.Container {
    const hardened = this.restricted || this.resources !== undefined;
    return {
      name: 'exporter',
      image: this.exporterImage,
      args: [`--nginx.scrape-uri=${this.config!.stubStatusUrl}`, `--web.listen-address=:${EXPORTER_PORT}`],
      ports: [{ name: METRICS_PORT_NAME, containerPort: EXPORTER_PORT }],
      // Its CPU is part of the pod's: an autoscaler on CPU needs a request of every container.
      ...(hardened ? { resources: resourcesToKube(EXPORTER_HARDENING.resources) } : {}),
      ...(this.restricted ? { securityContext: EXPORTER_HARDENING.securityContext } : {}),
    };
  }

  /** The exporter reads stub_status, which only a default.conf that serves it has (the app's own does with metrics). */
  private checkStubStatus(imageProp: string): void {
    if (!this.metrics) return;
    if (!this.config) {
      fail(this.owner, `metrics needs nginx to serve stub_status, which only an NginxConfig sets up, and ${this.tls
        ? `${imageProp === 'image' ? 'image' : 'imageSet\'s image'} "${this.image}" brings a default.conf of its own`
        : 'this app has none'}: give it tls (it then makes its own NginxConfig), or use an official nginx image, or turn metrics off`);
    }
    if (this.config.stubStatusUrl === undefined) {
      fail(this.owner, `metrics is on, but config "${this.config.name}" serves no stub_status for the exporter to read: build it with `
        + 'stubStatus: true (or a server with a location of stub_status), or turn metrics off');
    }
  }

  /**
   * A part that acts across replicas (a disruption budget, spreading): on by the preset when the app can have 2 or
   * more pods (with autoscaling, up to its maximum: both are written for any count), and refused when asked for where
   * it never has 2, where it would do nothing.
   */
  private withEnoughReplicas(prop: 'spread' | 'disruptionBudget', given: boolean | undefined, withOne: string): boolean {
    const most = this.autoscaling?.maxReplicas ?? this.replicas;
    if (given === true && most < 2) {
      const count = this.autoscaling ? `autoscaling.maxReplicas ${most}` : `replicas ${most}`;
      fail(this.owner, `${prop} is on with ${count}, where it ${most === 1 ? withOne : 'has no pod to act on'}: `
        + `give the app 2 or more ${this.autoscaling ? 'as its maximum' : 'replicas'}, or leave ${prop} off`);
    }
    return given ?? (this.hardening && most >= 2);
  }

  /**
   * The official nginx image serves only http unless default.conf says otherwise, so an app with `tls` and no
   * config would expose 443 and never answer there: it gets the guide's default.conf of its own.
   */
  private configFor(config: NginxConfig | undefined, certificateLoading: CertificateLoading | undefined): NginxConfig | undefined {
    if (certificateLoading !== undefined) {
      checkOneOf(this.owner, 'certificateLoading', certificateLoading, CERTIFICATE_LOADINGS);
      if (config !== undefined) {
        fail(this.owner, `certificateLoading is given with config "${config.name}", whose default.conf decides when nginx reads the `
          + 'certificate: set certificateLoading on that NginxConfig instead');
      }
      if (!this.tls) {
        fail(this.owner, `certificateLoading ${show(certificateLoading)} is given without tls: there is no certificate to read; give the app tls or leave it out`);
      }
    }
    if (config !== undefined) {
      checkConstruct(this.owner, 'config', config, NginxConfig, "config: new NginxConfig(chart, 'config', { tls })");
      checkSameNamespace(this.owner, 'config', this, config, config.owner, 'a pod mounts ConfigMaps of its own namespace only');
      return config;
    }
    if (!this.tls || bakesItsOwnConfig(this.image)) return undefined;
    return new NginxConfig(this, 'Config', {
      name: `${this.name}-conf`, tls: this.tls, listenPorts: nginxListenPorts(this.restricted), certificateLoading: certificateLoading ?? nginxCertificateLoading(this.hardening),
      ...(this.metrics ? { stubStatus: true } : {}),
    });
  }

  /**
   * Parts that act through a default.conf of this library: restricted nginx has no root, so it can only bind 8080 and
   * 8443, which only our default.conf makes it do, and reading the certificate per handshake is a line of it. An image that
   * brings its own configuration (the guide's bprashanth/nginxhttps, root on 80 and 443) or an app without an NginxConfig
   * would run without them: pods that never bind their ports, or a renewal that is never served.
   */
  private checkConfigCanWork(imageProp: string, certificateLoading: CertificateLoading | undefined): void {
    const ownImage = `${imageProp === 'image' ? 'image' : 'imageSet\'s image'} "${this.image}"`;
    if (this.restricted) {
      const by = this.restrictedBy;
      const instead = `use an official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4") with an NginxConfig, or turn ${by} off`;
      const problem = restrictedImageProblem(this.image);
      if (problem) fail(this.owner, `${by} cannot work with ${ownImage}: ${problem}: ${instead}`);
      if (!this.config) {
        fail(this.owner, `${by} needs nginx to listen on ${this.containerPorts.join(' and ')} without root, which only an NginxConfig `
          + `sets up, and this app has none (nginx would try port ${HTTP_PORT}): give it tls (it then makes its own NginxConfig) or a config, `
          + `or turn ${by} off`);
      }
    }
    const perHandshake = certificateLoading ?? (this.hardening ? nginxCertificateLoading(true) : undefined);
    if (perHandshake === 'per-handshake' && this.tls && !this.config) {
      const by = certificateLoading !== undefined ? 'certificateLoading "per-handshake"' : 'hardening (certificateLoading "per-handshake")';
      fail(this.owner, `${by} cannot work with ${ownImage}, which reads the certificate from a default.conf of its own, at start: `
        + `use an official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4"), or set certificateLoading "at-start"`);
    }
  }

  /** nginx must be told to stop before the grace period ends, or it is killed with requests in flight. */
  private checkShutdown(): void {
    checkDuration(this.owner, 'preStopSleep', this.preStopSleep);
    checkDuration(this.owner, 'terminationGracePeriod', this.terminationGracePeriod);
    const sleep = this.preStopSleep?.toSeconds() ?? 0;
    const grace = this.terminationGracePeriod?.toSeconds() ?? TERMINATION_GRACE_SECONDS;
    if (sleep > 0 && sleep >= grace) {
      fail(this.owner, `preStopSleep ${sleep} s is not shorter than terminationGracePeriod ${grace} s`
        + `${this.terminationGracePeriod ? '' : ' (Kubernetes\' default)'}: nginx would be killed before its graceful stop; `
        + `make terminationGracePeriod longer, e.g. Duration.seconds(${sleep + 20})`);
    }
  }

  /** A default.conf that listens elsewhere than the container's ports serves nothing the Service sends. */
  private checkConfigListensOnPorts(): void {
    if (!this.config) return;
    const listening = this.config.listenPorts;
    const missed = this.containerPorts.filter((p) => !listening.includes(p));
    if (missed.length > 0) {
      fail(this.owner, `config "${this.config.name}" listens on ${listening.join(' and ') || 'no port'} but the container serves `
        + `${this.containerPorts.join(' and ')}${this.restricted ? ` (${this.restrictedBy}: nginx without root cannot bind ports below 1024)` : ''}: `
        + `build the NginxConfig with listenPorts { http: ${this.httpPort}, https: ${this.httpsPort ?? HTTPS_PORT} }`);
    }
  }

  /**
   * nginx refuses to start when default.conf names a file it cannot read: every certificate, key or password file it
   * names must be a key of the Secret mounted at /etc/nginx/ssl, the only such volume of the pod.
   */
  private checkConfigReadsMountedFiles(): void {
    if (!this.config) return;
    const held = this.tls ? [this.tls.certificateKey, this.tls.privateKeyKey] : [];
    const mounted = this.tls ? `TlsSecret "${this.tls.name}" is mounted at ${NGINX_SSL_DIR} (${held.join(', ')})` : 'the pod mounts no Secret';
    for (const { directive, path } of this.config.filesRead) {
      const inSecret = path.startsWith(`${NGINX_SSL_DIR}/`) ? path.slice(NGINX_SSL_DIR.length + 1) : undefined;
      if (inSecret !== undefined && held.includes(inSecret)) continue;
      if (!this.tls && inSecret !== undefined) {
        fail(this.owner, `config "${this.config.name}" serves https from ${path} (${directive}) but no tls Secret is given: `
          + 'pass tls (a TlsSecret) or a default.conf without ssl_certificate');
      }
      if (inSecret !== undefined) {
        fail(this.owner, `config "${this.config.name}" reads ${inSecret} (${directive}) but TlsSecret "${this.tls!.name}" holds `
          + `${held.join(' and ')}: build the NginxConfig with tls set to that TlsSecret so the file names match`);
      }
      fail(this.owner, `config "${this.config.name}" reads ${path} (${directive}), which no volume of the pod holds (${mounted}), so nginx `
        + `would not start: read it from ${NGINX_SSL_DIR}/`);
    }
  }
}

/** A Duration prop: a cdk8s Duration of whole seconds (the pod spec counts seconds). */
function checkDuration(owner: string, prop: string, value: unknown): void {
  if (value === undefined) return;
  checkConstruct(owner, prop, value, Duration, `${prop}: Duration.seconds(10)`);
  const seconds = (value as Duration).toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 0) {
    fail(owner, `${prop} ${seconds} s is not a whole number of seconds of at least 0: use e.g. Duration.seconds(10)`);
  }
}
