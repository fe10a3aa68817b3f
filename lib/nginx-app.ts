import { IPodSelector, k8s, LabelSelector, PodSelectorConfig } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Duration, JsonPatch } from 'cdk8s';
import {
  NGINX_RESOURCES, NGINX_SECURITY_CONTEXT, NGINX_WRITABLE_PATHS, nginxCertificateLoading, nginxListenPorts, nginxProbes, PRESTOP_SLEEP_SECONDS,
  RESTRICTED_POD_SECURITY, spreadOverNodes, TERMINATION_GRACE_SECONDS, ZERO_DOWNTIME_ROLLOUT,
} from './hardening';
import { bakesItsOwnConfig, IMAGES, ImageSet, restrictedImageProblem } from './images';
import { CERTIFICATE_LOADINGS, CertificateLoading, GUIDE_LISTEN_PORTS, NGINX_CONF_DIR, NGINX_SSL_DIR, NginxConfig } from './nginx-config';
import { TlsSecret } from './tls-secret';
import { checkSameNamespace, claimName, claimSelector } from './chart-claims';
import {
  checkBoolean, checkConstruct, checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabelValue, checkOneOf,
  checkProps, checkReplicas, fail, NAME_RULES, ownerOf, show,
} from './validation';
import { recordOrigin } from './output-check';
import { CERTIFICATE_FINGERPRINT_ANNOTATION } from './certificate';
// A cycle (the Service reads the app), safe because neither module uses the other before a constructor runs.
import { ExposedService, ExposeViaServiceProps } from './exposed-service';

/** nginx's plain http port. */
export const HTTP_PORT = GUIDE_LISTEN_PORTS.http;
/** nginx's https port, served only with a TlsSecret. */
export const HTTPS_PORT = GUIDE_LISTEN_PORTS.https;
// Part of this construct's API; beside the certificate checks so the diff's redaction needs no construct to name it.
export { CERTIFICATE_FINGERPRINT_ANNOTATION };

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
   * Requests and limits of the nginx container.
   * @default - with `hardening`, 50m CPU, 64Mi memory and 64Mi ephemeral storage requested and 500m, 128Mi and 256Mi
   * as limits; otherwise none (the guide's)
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly resources?: k8s.ResourceRequirements;

  /**
   * Readiness on what clients use (https when served, every 2 s), so a pod gets traffic only once it serves it, and a
   * slower, more forgiving liveness on http.
   * @default - `hardening`
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
   */
  readonly probes?: boolean;

  /**
   * How a rollout replaces pods.
   * @default - with `hardening`, maxUnavailable 0 and maxSurge 1 (never fewer ready pods than `replicas`); otherwise
   * unset (Kubernetes' 25% and 25%)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
   */
  readonly strategy?: k8s.DeploymentStrategy;

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
   * so it never blocks a drain).
   * @default - `hardening` with 2 or more replicas
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   */
  readonly disruptionBudget?: boolean;

  /**
   * Spreads replicas over nodes where there are several (still scheduling where there is one).
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
}

/**
 * The nginx Deployment of the guide: run-my-nginx.yaml, or with a TlsSecret the Deployment of nginx-secure-app.yaml.
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#exposing-pods-to-the-cluster
 */
export class NginxApp extends Construct implements IPodSelector {
  /** Name of the Deployment, and the value of its pods' `run` label. */
  public readonly name: string;
  /** Number of nginx pods. */
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
  public readonly resources?: k8s.ResourceRequirements;
  /** See {@link NginxAppProps.probes}. */
  public readonly probes: boolean;
  /** See {@link NginxAppProps.strategy}. */
  public readonly strategy?: k8s.DeploymentStrategy;
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
  /** The port nginx serves https on inside the pod (with TLS): 443, or 8443 when `restricted`. */
  public readonly httpsPort: number;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  /** The budget that lets evictions (drains) take one pod at a time, when `disruptionBudget` is on. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The prop that turned `restricted` on, for the messages: 'restricted', or 'hardening' through the preset. */
  private readonly restrictedBy: string;

  constructor(scope: Construct, id: string, props: NginxAppProps = {}) {
    super(scope, id);
    checkProps(ownerOf('NginxApp', id), props);
    this.name = props.name ?? 'my-nginx';
    this.owner = ownerOf('NginxApp', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    checkLabelValue(this.owner, 'name', this.name);
    if (props.tls !== undefined) {
      checkConstruct(this.owner, 'tls', props.tls, TlsSecret, "tls: TlsSecret.fromFiles(chart, 'tls', { certificateFile, privateKeyFile })");
      checkSameNamespace(this.owner, 'tls', this, props.tls, props.tls.owner, 'a pod mounts Secrets of its own namespace only');
    }
    this.tls = props.tls;
    this.replicas = props.replicas ?? (this.tls ? 1 : 2);
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
    checkBoolean(this.owner, 'enableServiceLinks', props.enableServiceLinks);
    this.enableServiceLinks = props.enableServiceLinks;
    checkBoolean(this.owner, 'hardening', props.hardening);
    this.hardening = props.hardening ?? false;
    for (const part of ['restricted', 'probes', 'disruptionBudget', 'spread'] as const) checkBoolean(this.owner, part, props[part]);
    this.restricted = props.restricted ?? this.hardening;
    this.restrictedBy = props.restricted !== undefined ? 'restricted' : 'hardening';
    checkResources(this.owner, props.resources);
    this.resources = props.resources ?? (this.hardening ? NGINX_RESOURCES : undefined);
    this.probes = props.probes ?? this.hardening;
    this.strategy = props.strategy ?? (this.hardening ? ZERO_DOWNTIME_ROLLOUT : undefined);
    checkStrategy(this.owner, this.strategy);
    this.preStopSleep = props.preStopSleep ?? (this.hardening ? Duration.seconds(PRESTOP_SLEEP_SECONDS) : undefined);
    this.terminationGracePeriod = props.terminationGracePeriod ?? (this.hardening ? Duration.seconds(TERMINATION_GRACE_SECONDS) : undefined);
    this.checkShutdown();
    this.spread = props.spread ?? (this.hardening && this.replicas >= 2);
    ({ http: this.httpPort, https: this.httpsPort } = nginxListenPorts(this.restricted));
    this.containerPorts = this.tls ? [this.httpsPort, this.httpPort] : [this.httpPort];
    this.config = this.configFor(props.config, props.certificateLoading);
    this.checkRestrictedCanWork(props.image !== undefined ? 'image' : 'imageSet');
    this.selectorLabels = { run: this.name };
    this.checkConfigMatchesSecret();
    this.checkConfigListensOnPorts();
    claimName(this, 'Deployment', this.name, this.owner);
    claimSelector(this, this.selectorLabels, this.owner, 'give each NginxApp its own name (the run label follows it)');

    const deployment = new DeploymentWithNewerFields(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        selector: { matchLabels: { ...this.selectorLabels } },
        replicas: this.replicas,
        ...(this.strategy ? { strategy: this.strategy } : {}),
        template: {
          metadata: {
            labels: { ...this.selectorLabels },
            ...(this.tls?.certificateFingerprint
              ? { annotations: { [CERTIFICATE_FINGERPRINT_ANNOTATION]: this.tls.certificateFingerprint } } : {}),
          },
          spec: this.podSpec(),
        },
      },
    });
    const sleepSeconds = this.preStopSleep?.toSeconds() ?? 0;
    if (sleepSeconds > 0) {
      // Keeps serving while the endpoint's removal reaches every node's kube-proxy; then the image's STOPSIGNAL
      // (SIGQUIT, nginx's graceful stop). The native sleep action (GA in 1.34, on by default since 1.30) is newer
      // than cdk8s-plus-27's 1.27 types, hence the escape hatch; it needs no shell in the image.
      deployment.addNewerField(JsonPatch.add('/spec/template/spec/containers/0/lifecycle',
        { preStop: { sleep: { seconds: sleepSeconds } } }));
    }
    checkBoolean(this.owner, 'disruptionBudget', props.disruptionBudget);
    if (props.disruptionBudget ?? (this.hardening && this.replicas >= 2)) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selectorLabels } },
          unhealthyPodEvictionPolicy: 'AlwaysAllow' },
      });
      recordOrigin(this.disruptionBudget, this.owner, { 'metadata.name': { prop: 'name' }, 'spec.selector.matchLabels': { prop: 'name', value: this.name } });
    }
    const fromName = { prop: 'name', value: this.name };
    recordOrigin(deployment, this.owner, {
      'metadata.name': { prop: 'name' },
      'spec.selector.matchLabels': fromName,
      'spec.template.metadata.labels': fromName,
      'spec.template.spec.containers[0].name': props.containerName !== undefined ? { prop: 'containerName' } : this.tls ? { prop: 'containerName (default)' } : fromName,
      'spec.template.spec.containers[0].image': props.image !== undefined ? { prop: 'image' } : { prop: 'imageSet', value: imageSet },
      'spec.template.spec.containers[0].ports': { prop: this.tls ? 'tls' : this.restrictedBy },
    });
  }

  /**
   * Selects this app's pods by their `run` label, as a cdk8s-plus pod selector (e.g. for a cdk8s-plus NetworkPolicy).
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
   */
  public toPodSelectorConfig(): PodSelectorConfig {
    return { labelSelector: LabelSelector.of({ labels: { ...this.selectorLabels } }) };
  }

  /**
   * Exposes the app through a new {@link ExposedService} beside it, named after the app (as `kubectl expose
   * deployment my-nginx` does) unless `props.name` says otherwise.
   * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#creating-a-service
   */
  public exposeViaService(props: ExposeViaServiceProps = {}): ExposedService {
    // Beside the app, not inside it, so the Service is still emitted before the Deployment (the guide's order).
    const scope = this.node.scope ?? this;
    return new ExposedService(scope, `${this.node.id}${props.name === undefined ? '' : `-${props.name}`}Service`, { ...props, app: this });
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
    const container: k8s.Container = {
      name: this.containerName,
      image: this.image,
      ports: this.containerPorts.map((containerPort) => ({ containerPort })),
      ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
      ...(this.probes ? nginxProbes({ http: this.httpPort, https: this.tls ? this.httpsPort : undefined }) : {}),
      ...(this.resources ? { resources: this.resources } : {}),
      ...(this.restricted ? { securityContext: NGINX_SECURITY_CONTEXT } : {}),
    };
    return {
      ...(volumes.length > 0 ? { volumes } : {}),
      containers: [container],
      ...(this.enableServiceLinks !== undefined ? { enableServiceLinks: this.enableServiceLinks } : {}),
      // The pod needs no API access, so no service-account token either.
      ...(this.restricted ? { automountServiceAccountToken: false, securityContext: RESTRICTED_POD_SECURITY } : {}),
      ...(this.terminationGracePeriod ? { terminationGracePeriodSeconds: this.terminationGracePeriod.toSeconds() } : {}),
      ...(this.spread ? { topologySpreadConstraints: spreadOverNodes(this.selectorLabels) } : {}),
    };
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
    });
  }

  /**
   * Restricted nginx has no root, so it can only bind 8080 and 8443, which only a default.conf of ours makes it do: an
   * image that brings its own configuration (the guide's bprashanth/nginxhttps, root on 80 and 443) or an app without
   * an NginxConfig would give pods that never bind their ports.
   */
  private checkRestrictedCanWork(imageProp: string): void {
    if (!this.restricted) return;
    const by = this.restrictedBy;
    const instead = `use an official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4") with an NginxConfig, or turn ${by} off`;
    const problem = restrictedImageProblem(this.image);
    if (problem) fail(this.owner, `${by} cannot work with ${imageProp === 'image' ? 'image' : 'imageSet\'s image'} "${this.image}": ${problem}: ${instead}`);
    if (!this.config) {
      fail(this.owner, `${by} needs nginx to listen on ${this.containerPorts.join(' and ')} without root, which only an NginxConfig `
        + `sets up, and this app has none (nginx would try port ${HTTP_PORT}): give it tls (it then makes its own NginxConfig) or a config, `
        + `or turn ${by} off`);
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
        + `build the NginxConfig with listenPorts { http: ${this.httpPort}, https: ${this.httpsPort} }`);
    }
  }

  /** nginx refuses to start when default.conf names a certificate file that the Secret does not hold. */
  private checkConfigMatchesSecret(): void {
    if (!this.config) return;
    const wanted = this.config.sslFiles;
    if (wanted.length > 0 && !this.tls) {
      fail(this.owner, `config "${this.config.name}" serves https from ${wanted.join(', ')} but no tls Secret is given: `
        + 'pass tls (a TlsSecret) or a default.conf without ssl_certificate');
    }
    const held = this.tls ? [this.tls.certificateKey, this.tls.privateKeyKey] : [];
    const absent = wanted.filter((f) => !held.includes(f));
    if (absent.length > 0) {
      fail(this.owner, `config "${this.config.name}" reads ${absent.join(', ')} but TlsSecret "${this.tls?.name}" holds `
        + `${held.join(' and ')}: build the NginxConfig with tls set to that TlsSecret so the file names match`);
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

/**
 * Quantities must be k8s.Quantity: the conversion to JSON reads a Quantity's value, so a plain "500m" would vanish
 * from the manifest without a word.
 */
function checkResources(owner: string, resources: unknown): void {
  if (resources === undefined) return;
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    fail(owner, `resources ${show(resources)} is not an object: pass { requests: { cpu: k8s.Quantity.fromString('50m') }, limits: {...} }`);
  }
  for (const [key, quantities] of Object.entries(resources)) {
    if (key !== 'requests' && key !== 'limits') {
      fail(owner, `resources.${key} is not requests or limits${key === 'claims' ? ' (claims are for dynamic resource allocation, which nginx does not use)' : ''}: `
        + 'pass only requests and limits');
    }
    for (const [resource, quantity] of Object.entries(quantities ?? {})) {
      if (!(quantity instanceof k8s.Quantity)) {
        fail(owner, `resources.${key}.${resource} ${show(quantity)} is not a k8s.Quantity: write k8s.Quantity.fromString(${show(String(quantity))})`);
      }
    }
  }
}

/** Kubernetes knows two strategies; a typo is accepted by the schema-less JSON and refused by the API server. */
function checkStrategy(owner: string, strategy: k8s.DeploymentStrategy | undefined): void {
  if (strategy === undefined) return;
  checkOneOf(owner, 'strategy.type', strategy.type ?? 'RollingUpdate', ['RollingUpdate', 'Recreate']);
  if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    fail(owner, 'strategy.rollingUpdate is set with type "Recreate", which the API server refuses: drop rollingUpdate or use type "RollingUpdate"');
  }
}

/**
 * The escape hatch for fields newer than cdk8s-plus-27's Kubernetes 1.27 types: KubeDeployment converts its JSON
 * through the 1.27 schema, which drops fields it does not know (even those of `addJsonPatch`), so these patches apply
 * after that conversion.
 */
class DeploymentWithNewerFields extends k8s.KubeDeployment {
  private readonly newerFields: JsonPatch[] = [];

  public addNewerField(...patches: JsonPatch[]): void {
    this.newerFields.push(...patches);
  }

  public toJson(): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    return JsonPatch.apply(super.toJson(), ...this.newerFields);
  }
}
