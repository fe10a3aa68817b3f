import { X509Certificate } from 'node:crypto';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { CertificatePair } from '../lib/certificate';
import { CERTIFICATE_FINGERPRINT_ANNOTATION } from '../lib/nginx-app';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { KUBERNETES_DEFAULT_NAMESPACE, resolveSettings, settingsOf } from '../lib/settings';
import { SecureNginxDeploymentSettings } from '../lib/settings.generated';
import { base64, TlsSecret } from '../lib/tls-secret';
import { checkProps, GuideConfigError } from '../lib/validation';
import { stackChart } from './stack-settings';

/**
 * Labels that make a namespace enforce, warn about and audit the Pod Security Standard "restricted".
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** The Pulumi type token of {@link SecureNginxDeployment}. */
export const SECURE_NGINX_DEPLOYMENT_TYPE = 'guide-as-code:k8s:SecureNginxDeployment';

/**
 * What to deploy: the settings of lib/settings.ts that a program gives in code, checked and defaulted as stack config
 * is. The cluster is not among them: pass a Kubernetes provider in the resource options (`{ provider }`), as for any
 * Pulumi component; its children inherit it.
 */
export interface SecureNginxDeploymentArgs extends SecureNginxDeploymentSettings {}

/** A synthesized object, as cdk8s writes it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [field: string]: any };

/**
 * Deploys the guide's final state (the {@link SecureNginxChart} that `cdk8s synth` writes) with a certificate made by
 * `@pulumi/tls`, given in stack config, or already in the cluster. Every synthesized object becomes its own Kubernetes
 * resource, so `pulumi preview` lists and diffs each one, and each depends on the objects before it, so the Service
 * exists before the Deployment it fronts.
 */
export class SecureNginxDeployment extends pulumi.ComponentResource {
  /** The chart whose objects are deployed. */
  public readonly chart: SecureNginxChart;
  /** The generated key and certificate; undefined when the certificate comes from config or an existing Secret. */
  public readonly privateKey?: tls.PrivateKey;
  /** The generated self-signed certificate (with {@link privateKey}). */
  public readonly certificate?: tls.SelfSignedCert;
  /** The TLS Secret the stack creates; undefined when it uses an existing one. */
  public readonly secret?: k8s.core.v1.Secret;
  /** The Service in front of nginx. */
  public readonly service: k8s.core.v1.Service;
  /** The deployed objects by `<kind>/<name>`, in the chart's order. */
  public readonly resources: Readonly<Record<string, pulumi.CustomResource>>;

  /** The load balancer's hostname (AWS ELB and others), else its IP; undefined until the cloud assigns one. */
  public readonly loadBalancerAddress: pulumi.Output<string | undefined>;
  /** The Service's name, its DNS name in the namespace. */
  public readonly serviceName: pulumi.Output<string>;
  /** The Service's cluster IP. */
  public readonly clusterIP: pulumi.Output<string>;
  /** Node ports by Service port name (NodePort and LoadBalancer). */
  public readonly nodePorts: pulumi.Output<Record<string, number>>;
  /** The certificate (public) that curl trusts with --cacert; undefined for an existing Secret. */
  public readonly certificatePem: pulumi.Output<string | undefined>;
  /** When the certificate expires (RFC 3339); `pulumi up` replaces a generated one within the early-renewal window. */
  public readonly certificateExpiry: pulumi.Output<string | undefined>;

  constructor(name: string, args: SecureNginxDeploymentArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(SECURE_NGINX_DEPLOYMENT_TYPE, name, {}, opts);
    // The provider of `opts` reaches every child through its parent.
    const child = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({ parent: this, ...extra });

    const owner = `SecureNginxDeployment "${name}"`;
    checkProps(owner, args, settingsOf('args'));
    const settings = resolveSettings(args, 'args', owner);
    const namespaceName = settings.namespace ?? KUBERNETES_DEFAULT_NAMESPACE;
    const checked = stackChart(settings);
    this.chart = checked.chart;
    const objects = checked.objects as Manifest[];

    // With hardening the namespace enforces Pod Security "restricted", so the cluster refuses a later change that breaks it.
    const labels = settings.hardening ? RESTRICTED_NAMESPACE_LABELS : undefined;
    // An existing Secret lives in its namespace, so that namespace exists before the stack and is not the stack's:
    // the stack only patches its labels on (and takes them off again on destroy).
    const existingNamespace = namespaceName === KUBERNETES_DEFAULT_NAMESPACE || settings.certificate.source === 'existingSecret';
    const namespace = existingNamespace
      ? undefined
      : new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespaceName, ...(labels ? { labels } : {}) } }, child());
    const namespaceLabels = existingNamespace && labels
      ? new k8s.core.v1.NamespacePatch(`${name}-namespace-labels`, { metadata: { name: namespaceName, labels } }, child())
      : undefined;

    const serviceName = this.chart.service.name;
    const tlsSecret = this.chart.tls;
    let certificatePem: pulumi.Output<string> | undefined;
    let certificateExpiry: pulumi.Output<string> | undefined;
    let privateKeyPem: pulumi.Output<string> | undefined;
    const certificate = settings.certificate;
    if (certificate.source === 'generated') {
      this.privateKey = new tls.PrivateKey(`${name}-key`, { algorithm: 'RSA', rsaBits: 2048 }, { parent: this });
      this.certificate = new tls.SelfSignedCert(`${name}-certificate`, {
        privateKeyPem: this.privateKey.privateKeyPem,
        subject: { commonName: serviceName, organization: serviceName },
        dnsNames: CertificatePair.serviceDnsNames(serviceName, namespaceName),
        validityPeriodHours: settings.certificateValidity.toHours(),
        earlyRenewalHours: settings.certificateEarlyRenewal.toHours(),
        // Its own CA, as `openssl req -x509` makes it, so curl can trust it with --cacert.
        isCaCertificate: true,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth', 'cert_signing'],
      }, { parent: this });
      certificatePem = this.certificate.certPem;
      certificateExpiry = this.certificate.validityEndTime;
      privateKeyPem = this.privateKey.privateKeyPem;
      // A renewed certificate changes the pod template: read at start (the guide's default.conf), it rolls the pods; read
      // per handshake (the preset's), it records which certificate the pods serve.
      const nginx = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === this.chart.app.name)!;
      nginx.spec.template.metadata.annotations = {
        ...nginx.spec.template.metadata.annotations,
        [CERTIFICATE_FINGERPRINT_ANNOTATION]: certificatePem.apply((pem) => new X509Certificate(pem).fingerprint256),
      };
    } else if (certificate.source === 'config') {
      // Checked when the settings were read; the chart's pod template already carries its fingerprint.
      certificatePem = pulumi.output(certificate.certificatePem);
      certificateExpiry = pulumi.output(new Date(tlsSecret.pair!.certificate.validTo).toISOString());
      privateKeyPem = pulumi.secret(certificate.privateKeyPem);
    }

    if (certificatePem && privateKeyPem) {
      this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
        ...TlsSecret.manifest({
          name: tlsSecret.name,
          layout: tlsSecret.layout,
          certificate: certificatePem.apply(base64),
          privateKey: pulumi.secret(privateKeyPem.apply(base64)),
        }),
        metadata: { name: tlsSecret.name, namespace: namespaceName, annotations: { ...PATCH_FORCE_ANNOTATION } },
      }, child({ dependsOn: namespace ? [namespace] : [], additionalSecretOutputs: ['data', 'stringData'] }));
    }

    const resources: Record<string, pulumi.CustomResource> = {};
    let before: pulumi.Resource[] = [namespace, namespaceLabels, this.secret].filter((r): r is NonNullable<typeof r> => r !== undefined);
    for (const object of objects) {
      // The check Job's name carries a hash of its content. Its logical name does not, so a changed check is one
      // resource replaced (a Job's template is immutable: a patch would fail), not one deleted and another created.
      const isJob = object.kind === 'Job';
      const stable = isJob ? object.metadata.name.replace(/-[0-9a-f]{8}$/, '') : object.metadata.name;
      const resource = register(`${name}-${object.kind.toLowerCase()}-${stable}`, object,
        child({ dependsOn: before, ...(isJob ? { replaceOnChanges: ['spec'] } : {}) }));
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
    this.certificatePem = certificatePem ?? pulumi.output(undefined);
    this.certificateExpiry = certificateExpiry ?? pulumi.output(undefined);

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

/**
 * The stack owns every field it sets: after `kubectl scale` or `kubectl edit`, `pulumi up --refresh` takes the field
 * back (server-side apply with force) instead of failing with a field-manager conflict. Only in what Pulumi applies:
 * `cdk8s synth`'s output stays the guide's.
 * @see https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/
 */
export const PATCH_FORCE_ANNOTATION = { 'pulumi.com/patchForce': 'true' } as const;

/** Registers one synthesized object as the typed Pulumi resource of its kind. */
function register(name: string, object: Manifest, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  // The typed classes set apiVersion and kind themselves.
  const { apiVersion, kind, ...rest } = object;
  const body = { ...rest, metadata: { ...rest.metadata, annotations: { ...rest.metadata.annotations, ...PATCH_FORCE_ANNOTATION } } };
  switch (`${apiVersion}/${kind}`) {
    case 'v1/ConfigMap': return new k8s.core.v1.ConfigMap(name, body, opts);
    case 'v1/Service': return new k8s.core.v1.Service(name, body, opts);
    case 'apps/v1/Deployment': return new k8s.apps.v1.Deployment(name, body, opts);
    case 'batch/v1/Job': return new k8s.batch.v1.Job(name, body, opts);
    case 'policy/v1/PodDisruptionBudget': return new k8s.policy.v1.PodDisruptionBudget(name, body, opts);
    case 'networking.k8s.io/v1/NetworkPolicy': return new k8s.networking.v1.NetworkPolicy(name, body, opts);
    case 'autoscaling/v2/HorizontalPodAutoscaler': return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, body, opts);
    // The Prometheus Operator's CRD: a custom resource, which the provider applies as the manifest says.
    case 'monitoring.coreos.com/v1/PodMonitor': return new k8s.apiextensions.CustomResource(name, { apiVersion, kind, ...body }, opts);
    default:
      throw new GuideConfigError(`SecureNginxDeployment "${name}": no Pulumi resource class for ${apiVersion} ${kind}: `
        + 'add it to register() in pulumi/secure-nginx-deployment.ts');
  }
}
