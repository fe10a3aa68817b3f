import { IPodSelector, k8s, LabelSelector, PodSelectorConfig } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { JsonPatch } from 'cdk8s';
import {
  NGINX_HARDENING, NGINX_WRITABLE_PATHS, nginxListenPorts, nginxProbes, PRESTOP_SLEEP_SECONDS, RESTRICTED_POD_SECURITY,
  ROLLING_UPDATE, spreadOverNodes, TERMINATION_GRACE_SECONDS,
} from './hardening';
import { IMAGES, ImageSet } from './images';
import { GUIDE_LISTEN_PORTS, NGINX_CONF_DIR, NGINX_SSL_DIR, NginxConfig } from './nginx-config';
import { TlsSecret } from './tls-secret';
import { checkSameNamespace, claimName, claimSelector } from './chart-claims';
import {
  checkBoolean, checkConstruct, checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabelValue, checkOneOf,
  checkProps, checkReplicas, fail, NAME_RULES, ownerOf,
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
   * The production preset: the Pod Security Standard "restricted" (nginx as uid 10101 with no capabilities, a
   * read-only root filesystem with emptyDir volumes where it writes, the runtime's seccomp profile, listening on 8080
   * and 8443 inside the pod behind the guide's Service ports), resources with ephemeral storage, readiness on https
   * apart from liveness, a rollout that keeps capacity (maxUnavailable 0, maxSurge 1), a preStop sleep before nginx's
   * graceful stop, and with 2 or more replicas a PodDisruptionBudget and spreading over nodes. The preStop sleep
   * action needs Kubernetes 1.30 or newer.
   * @default false
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly hardening?: boolean;
}

/**
 * The nginx Deployment of the guide: run-my-nginx.yaml, or with a TlsSecret the Deployment of nginx-secure-app.yaml.
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#exposing-pods-to-the-cluster
 */
export class NginxApp extends Construct implements IPodSelector {
  public readonly name: string;
  public readonly replicas: number;
  public readonly image: string;
  public readonly containerName: string;
  public readonly tls?: TlsSecret;
  public readonly config?: NginxConfig;
  public readonly enableServiceLinks?: boolean;
  public readonly hardening: boolean;
  /** The labels on every pod, and so the selector of the Deployment and its Services. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Container ports in the guide's order: https then http with TLS, http without. */
  public readonly containerPorts: readonly number[];
  /** The port nginx serves http on inside the pod: 80, or 8080 with hardening. */
  public readonly httpPort: number;
  /** The port nginx serves https on inside the pod (with TLS): 443, or 8443 with hardening. */
  public readonly httpsPort: number;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  /** With hardening and 2 or more replicas: the budget that lets evictions (drains) take one pod at a time. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;

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
    ({ http: this.httpPort, https: this.httpsPort } = nginxListenPorts(this.hardening));
    this.containerPorts = this.tls ? [this.httpsPort, this.httpPort] : [this.httpPort];
    this.config = this.configFor(props.config);
    this.checkHardeningCanWork(props.image !== undefined ? 'image' : 'imageSet');
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
        ...(this.hardening ? { strategy: ROLLING_UPDATE } : {}),
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
    if (this.hardening) {
      // Keeps serving while the endpoint's removal reaches every node's kube-proxy; then the image's STOPSIGNAL
      // (SIGQUIT, nginx's graceful stop). The native sleep action (GA in 1.34, on by default since 1.30) is newer
      // than cdk8s-plus-27's 1.27 types, hence the escape hatch; it needs no shell in the image.
      deployment.addNewerField(JsonPatch.add('/spec/template/spec/containers/0/lifecycle',
        { preStop: { sleep: { seconds: PRESTOP_SLEEP_SECONDS } } }));
      if (this.replicas >= 2) {
        // Evictions (kubectl drain) take one pod at a time; an unhealthy pod may always go, so it never blocks a drain.
        this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
          metadata: { name: this.name },
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selectorLabels } },
            unhealthyPodEvictionPolicy: 'AlwaysAllow' },
        });
        recordOrigin(this.disruptionBudget, this.owner, { 'metadata.name': { prop: 'name' }, 'spec.selector.matchLabels': { prop: 'name', value: this.name } });
      }
    }
    const fromName = { prop: 'name', value: this.name };
    recordOrigin(deployment, this.owner, {
      'metadata.name': { prop: 'name' },
      'spec.selector.matchLabels': fromName,
      'spec.template.metadata.labels': fromName,
      'spec.template.spec.containers[0].name': props.containerName !== undefined ? { prop: 'containerName' } : this.tls ? { prop: 'containerName (default)' } : fromName,
      'spec.template.spec.containers[0].image': props.image !== undefined ? { prop: 'image' } : { prop: 'imageSet', value: imageSet },
      'spec.template.spec.containers[0].ports': { prop: this.tls ? 'tls' : 'hardening' },
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
    if (this.hardening) {
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
      ...(this.hardening ? { ...nginxProbes({ http: this.httpPort, https: this.tls ? this.httpsPort : undefined }), ...NGINX_HARDENING } : {}),
    };
    return {
      ...(volumes.length > 0 ? { volumes } : {}),
      containers: [container],
      ...(this.enableServiceLinks !== undefined ? { enableServiceLinks: this.enableServiceLinks } : {}),
      // The pod needs no API access, so no service-account token either.
      ...(this.hardening ? {
        automountServiceAccountToken: false,
        securityContext: RESTRICTED_POD_SECURITY,
        terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
        ...(this.replicas >= 2 ? { topologySpreadConstraints: spreadOverNodes(this.selectorLabels) } : {}),
      } : {}),
    };
  }

  /**
   * The official nginx image serves only http unless default.conf says otherwise, so an app with `tls` and no
   * config would expose 443 and never answer there: it gets the guide's default.conf of its own.
   */
  private configFor(config: NginxConfig | undefined): NginxConfig | undefined {
    if (config !== undefined) {
      checkConstruct(this.owner, 'config', config, NginxConfig, "config: new NginxConfig(chart, 'config', { tls })");
      checkSameNamespace(this.owner, 'config', this, config, config.owner, 'a pod mounts ConfigMaps of its own namespace only');
      return config;
    }
    if (!this.tls || bakesItsOwnConfig(this.image)) return undefined;
    return new NginxConfig(this, 'Config', { name: `${this.name}-conf`, tls: this.tls, listenPorts: nginxListenPorts(this.hardening) });
  }

  /**
   * Hardened nginx has no root, so it can only bind 8080 and 8443, which only a default.conf of ours makes it do: an
   * image that brings its own configuration (the guide's bprashanth/nginxhttps, root on 80 and 443) or an app without
   * an NginxConfig would give pods that never bind their ports.
   */
  private checkHardeningCanWork(imageProp: string): void {
    if (!this.hardening) return;
    const instead = 'use an official nginx image (imageSet ImageSet.PINNED, or image "nginx:1.27.4") with an NginxConfig, or turn hardening off';
    if (bakesItsOwnConfig(this.image)) {
      fail(this.owner, `hardening cannot work with ${imageProp === 'image' ? 'image' : 'imageSet\'s image'} "${this.image}": it runs nginx as root on `
        + `80 and 443 from a default.conf of its own, and hardened pods have no root to bind those ports: ${instead}`);
    }
    if (!this.config) {
      fail(this.owner, `hardening needs nginx to listen on ${this.containerPorts.join(' and ')} without root, which only an NginxConfig `
        + `sets up, and this app has none (nginx would try port ${HTTP_PORT}): give it tls (it then makes its own NginxConfig) or a config, `
        + 'or turn hardening off');
    }
  }

  /** A default.conf that listens elsewhere than the container's ports serves nothing the Service sends. */
  private checkConfigListensOnPorts(): void {
    if (!this.config) return;
    const listening = this.config.listenPorts;
    const missed = this.containerPorts.filter((p) => !listening.includes(p));
    if (missed.length > 0) {
      fail(this.owner, `config "${this.config.name}" listens on ${listening.join(' and ') || 'no port'} but the container serves `
        + `${this.containerPorts.join(' and ')}${this.hardening ? ' (hardening: nginx without root cannot bind ports below 1024)' : ''}: `
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

/** bprashanth/nginxhttps (the guide's Japanese page) carries a default.conf that serves https from /etc/nginx/ssl. */
function bakesItsOwnConfig(image: string): boolean {
  return image.split(/[:@]/)[0] === IMAGES[ImageSet.GUIDE].nginxHttps.split(':')[0];
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
