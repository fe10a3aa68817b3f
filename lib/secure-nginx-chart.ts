import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CurlProbe } from './curl-probe';
import { ExposedService, ServiceType } from './exposed-service';
import { nginxCertificateLoading, nginxListenPorts } from './hardening';
import { ImageSet } from './images';
import { NginxApp } from './nginx-app';
import { NetworkPolicies } from './network-policies';
import { NginxConfig } from './nginx-config';
import { TlsSecret, TlsSecretSource } from './tls-secret';
import {
  checkBoolean, checkImage, checkNodePort, checkNodePortKey, checkOneOf, checkProps, checkQualifiedName, checkReplicas, checkStringMap,
} from './validation';

/** The port names of the final state's Service (nginx-secure-app.yaml's http and https): what nodePorts is keyed by. */
export const SERVICE_PORT_NAMES = ['http', 'https'] as const;

/** Props of {@link SecureNginxChart}: the chart's own, and cdk8s' `ChartProps` (namespace, labels). */
export interface SecureNginxChartProps extends ChartProps {
  /**
   * Where the certificate comes from: PEM text or files (synthesized into the Secret), or an existing Secret.
   * @default - `{ from: 'existing' }`: the Secret `nginxsecret` must already exist (`kubectl create secret tls`), so no key is synthesized
   */
  readonly tls?: TlsSecretSource;

  /**
   * How the Service is reached.
   * @default ServiceType.LOAD_BALANCER (the guide's last step)
   */
  readonly serviceType?: ServiceType;

  /**
   * Number of nginx pods.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Which image family the defaults come from.
   * @default ImageSet.PINNED
   */
  readonly imageSet?: ImageSet;

  /**
   * nginx image, overriding `imageSet`.
   * @default - from `imageSet`
   */
  readonly nginxImage?: string;

  /**
   * curl client image, overriding `imageSet`.
   * @default - from `imageSet`
   */
  readonly curlImage?: string;

  /**
   * Fixed node ports by port name (`http`, `https`).
   * @default - chosen by the cluster
   */
  readonly nodePorts?: Readonly<Record<string, number>>;

  /**
   * Annotations on the Service (cloud load balancer settings, `pulumi.com/skipAwait`).
   * @default - none
   */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;

  /**
   * See {@link NginxAppProps.enableServiceLinks}.
   * @default - unset (Kubernetes' default: true)
   */
  readonly enableServiceLinks?: boolean;

  /**
   * The production preset ({@link NginxAppProps.hardening}) for every pod, plus `networkPolicies`.
   * @default false
   */
  readonly hardening?: boolean;

  /**
   * NetworkPolicies that deny everything in the namespace but the guide's traffic ({@link NetworkPolicies}).
   * @default - `hardening`
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  readonly networkPolicies?: boolean;

  /**
   * Add the one-shot https check Job.
   * @default true
   */
  readonly check?: boolean;
}

/**
 * The guide's final state in one chart: default.conf, the TLS Secret (or a reference to it), nginx behind a
 * LoadBalancer Service (emitted before its Deployment), and the curl client with its https check.
 */
export class SecureNginxChart extends Chart {
  /** The TLS Secret (synthesized or referenced). */
  public readonly tls: TlsSecret;
  /** The ConfigMap with default.conf. */
  public readonly config: NginxConfig;
  /** The https nginx Deployment. */
  public readonly app: NginxApp;
  /** The Service in front of nginx. */
  public readonly service: ExposedService;
  /** The curl client (and its check Job). */
  public readonly probe: CurlProbe;
  /** With `networkPolicies`: default deny, plus exactly the guide's traffic. */
  public readonly networkPolicies?: NetworkPolicies;

  constructor(scope: Construct, id: string, props: SecureNginxChartProps = {}) {
    super(scope, id, props);
    const owner = `SecureNginxChart "${id}"`;
    checkProps(owner, props);
    checkBoolean(owner, 'check', props.check);
    checkBoolean(owner, 'hardening', props.hardening);
    checkBoolean(owner, 'networkPolicies', props.networkPolicies);
    // The chart's own props first, under their own names: the constructs below would name theirs (image, type, ...).
    if (props.serviceType !== undefined) checkOneOf(owner, 'serviceType', props.serviceType, Object.values(ServiceType));
    if (props.replicas !== undefined) checkReplicas(owner, 'replicas', props.replicas);
    if (props.nginxImage !== undefined) checkImage(owner, 'nginxImage', props.nginxImage);
    if (props.curlImage !== undefined) checkImage(owner, 'curlImage', props.curlImage, 'use e.g. "curlimages/curl:8.18.0"');
    checkStringMap(owner, 'serviceAnnotations', props.serviceAnnotations, "{ 'pulumi.com/skipAwait': 'true' }");
    for (const key of Object.keys(props.serviceAnnotations ?? {})) checkQualifiedName(owner, 'serviceAnnotations', key);
    if (props.nodePorts !== undefined) {
      checkStringMap(owner, 'nodePorts', props.nodePorts, '{ https: 30443 }', 'number');
      for (const [name, port] of Object.entries(props.nodePorts)) {
        checkNodePortKey(owner, 'nodePorts', name, SERVICE_PORT_NAMES);
        checkNodePort(owner, `nodePorts.${name}`, port);
      }
    }
    this.tls = TlsSecret.fromSource(this, 'Secret', props.tls ?? { from: 'existing' });
    // Restricted nginx (the preset's) listens on 8080/8443; the Service keeps the guide's ports in front.
    this.config = new NginxConfig(this, 'Config', {
      tls: this.tls, listenPorts: nginxListenPorts(props.hardening ?? false), certificateLoading: nginxCertificateLoading(props.hardening ?? false),
    });
    this.app = new NginxApp(this, 'App', {
      tls: this.tls,
      config: this.config,
      replicas: props.replicas ?? 1,
      imageSet: props.imageSet,
      image: props.nginxImage,
      enableServiceLinks: props.enableServiceLinks,
      hardening: props.hardening,
    });
    this.service = new ExposedService(this, 'Service', {
      app: this.app,
      type: props.serviceType ?? ServiceType.LOAD_BALANCER,
      nodePorts: props.nodePorts,
      annotations: props.serviceAnnotations,
    });
    this.probe = new CurlProbe(this, 'Curl', {
      service: this.service,
      imageSet: props.imageSet,
      image: props.curlImage,
      hardening: props.hardening,
    });
    if (props.check ?? true) this.probe.addCheck();
    // After the check, so its pods get their egress too.
    this.networkPolicies = (props.networkPolicies ?? props.hardening) ? new NetworkPolicies(this, 'NetworkPolicies', { service: this.service, clients: [this.probe] }) : undefined;
  }
}
