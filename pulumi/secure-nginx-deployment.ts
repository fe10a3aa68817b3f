import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { App } from 'cdk8s';
import { CertificatePair } from '../lib/certificate';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { chartPropsFor, StackSettings } from './stack-settings';
import { base64, TlsSecret } from '../lib/tls-secret';
import { GuideConfigError } from '../lib/validation';

/** The Pulumi type token of {@link SecureNginxDeployment}. */
export const SECURE_NGINX_DEPLOYMENT_TYPE = 'guide-as-code:k8s:SecureNginxDeployment';

export interface SecureNginxDeploymentArgs extends StackSettings {
  /**
   * Kubernetes provider to deploy with.
   * @default - the default provider (the current kubeconfig context)
   */
  readonly provider?: k8s.Provider;
}

/** A synthesized object, as cdk8s writes it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [field: string]: any };

/**
 * Deploys the guide's final state (the {@link SecureNginxChart} that `cdk8s synth` writes) with a certificate made by
 * `@pulumi/tls`. Every synthesized object becomes its own Kubernetes resource, so `pulumi preview` lists and diffs each
 * one, and each depends on the objects before it, so the Service exists before the Deployment it fronts.
 */
export class SecureNginxDeployment extends pulumi.ComponentResource {
  /** The chart whose objects are deployed. */
  public readonly chart: SecureNginxChart;
  public readonly privateKey: tls.PrivateKey;
  public readonly certificate: tls.SelfSignedCert;
  public readonly secret: k8s.core.v1.Secret;
  public readonly service: k8s.core.v1.Service;
  /** The deployed objects by `<kind>/<name>`, in the chart's order. */
  public readonly resources: Readonly<Record<string, pulumi.CustomResource>>;

  /** The load balancer's hostname (AWS ELB and others), else its IP; undefined until the cloud assigns one. */
  public readonly loadBalancerAddress: pulumi.Output<string | undefined>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly clusterIP: pulumi.Output<string>;
  /** Node ports by Service port name (NodePort and LoadBalancer). */
  public readonly nodePorts: pulumi.Output<Record<string, number>>;
  /** The certificate (public) that curl trusts with --cacert. */
  public readonly certificatePem: pulumi.Output<string>;
  /** When the certificate expires (RFC 3339); `pulumi up` replaces it within the early-renewal window. */
  public readonly certificateExpiry: pulumi.Output<string>;

  constructor(name: string, args: SecureNginxDeploymentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(SECURE_NGINX_DEPLOYMENT_TYPE, name, {}, opts);
    const child = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions =>
      ({ parent: this, ...(args.provider ? { provider: args.provider } : {}), ...extra });

    this.chart = new SecureNginxChart(new App(), 'guide', chartPropsFor(args));
    const objects = this.chart.toJson() as Manifest[];

    this.privateKey = new tls.PrivateKey(`${name}-key`, { algorithm: 'RSA', rsaBits: 2048 }, { parent: this });
    const serviceName = this.chart.service.name;
    this.certificate = new tls.SelfSignedCert(`${name}-certificate`, {
      privateKeyPem: this.privateKey.privateKeyPem,
      subject: { commonName: serviceName, organization: serviceName },
      dnsNames: CertificatePair.serviceDnsNames(serviceName, args.namespace),
      validityPeriodHours: args.certificateValidityHours,
      earlyRenewalHours: args.certificateEarlyRenewalHours,
      // Its own CA, as `openssl req -x509` makes it, so curl can trust it with --cacert.
      isCaCertificate: true,
      allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'cert_signing'],
    }, { parent: this });

    const namespace = args.namespace === 'default'
      ? undefined
      : new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: args.namespace } }, child());

    const tlsSecret = this.chart.tls;
    this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
      ...TlsSecret.manifest({
        name: tlsSecret.name,
        layout: tlsSecret.layout,
        certificate: this.certificate.certPem.apply(base64),
        privateKey: pulumi.secret(this.privateKey.privateKeyPem.apply(base64)),
      }),
      metadata: { name: tlsSecret.name, namespace: args.namespace },
    }, child({ dependsOn: namespace ? [namespace] : [], additionalSecretOutputs: ['data', 'stringData'] }));

    const resources: Record<string, pulumi.CustomResource> = {};
    let before: pulumi.Resource[] = namespace ? [namespace, this.secret] : [this.secret];
    for (const object of objects) {
      const resource = register(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, child({ dependsOn: before }));
      resources[`${object.kind}/${object.metadata.name}`] = resource;
      before = [...before, resource];
    }
    this.resources = resources;
    this.service = resources[`Service/${serviceName}`] as k8s.core.v1.Service;

    this.loadBalancerAddress = this.service.status.apply((status) => {
      const ingress = status?.loadBalancer?.ingress?.[0];
      return ingress?.hostname || ingress?.ip || undefined;
    });
    this.serviceName = this.service.metadata.name;
    this.clusterIP = this.service.spec.clusterIP;
    this.nodePorts = this.service.spec.ports.apply((ports) =>
      Object.fromEntries((ports ?? []).filter((p) => p.nodePort).map((p) => [p.name ?? String(p.port), p.nodePort])));
    this.certificatePem = this.certificate.certPem;
    this.certificateExpiry = this.certificate.validityEndTime;

    this.registerOutputs({
      loadBalancerAddress: this.loadBalancerAddress,
      serviceName: this.serviceName,
      clusterIP: this.clusterIP,
      nodePorts: this.nodePorts,
      certificatePem: this.certificatePem,
      certificateExpiry: this.certificateExpiry,
    });
  }
}

/** Registers one synthesized object as the typed Pulumi resource of its kind. */
function register(name: string, object: Manifest, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  // The typed classes set apiVersion and kind themselves.
  const { apiVersion, kind, ...body } = object;
  switch (`${apiVersion}/${kind}`) {
    case 'v1/ConfigMap': return new k8s.core.v1.ConfigMap(name, body, opts);
    case 'v1/Service': return new k8s.core.v1.Service(name, body, opts);
    case 'apps/v1/Deployment': return new k8s.apps.v1.Deployment(name, body, opts);
    case 'batch/v1/Job': return new k8s.batch.v1.Job(name, body, opts);
    default:
      throw new GuideConfigError(`SecureNginxDeployment "${name}": no Pulumi resource class for ${apiVersion} ${kind}: `
        + 'add it to register() in lib/secure-nginx-deployment.ts');
  }
}
