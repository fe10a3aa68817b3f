import { createHash } from 'node:crypto';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { checkSameNamespace, claimName, claimSelector } from './chart-claims';
import { ExposedService, IServiceClient } from './exposed-service';
import { CURL_HARDENING, CURL_IDLE_COMMAND } from './hardening';
import { IMAGES, ImageSet } from './images';
import * as k8s from './imports/k8s';
import { NGINX_SSL_DIR } from './nginx-config';
import { checkMadeObjects, FieldOrigin, recordOrigin } from './output-check';
import { resourcesToKube } from './resources';
import { TlsSecret } from './tls-secret';
import { checkBoolean, checkConstruct, checkDns1123Subdomain, checkImage, checkLabelValue, checkOneOf, checkProps, fail, ownerOf, show, uniqueId } from './validation';

/** Props of {@link CurlProbe}. */
export interface CurlProbeProps {
  /** The Service to reach over https; its app's TlsSecret is mounted as the CA the client trusts. */
  readonly service: ExposedService;

  /**
   * Name of the client Deployment.
   * @default 'curl-deployment'
   */
  readonly name?: string;

  /**
   * Which image family to take the default image from.
   * @default ImageSet.PINNED
   */
  readonly imageSet?: ImageSet;

  /**
   * Container image, overriding `imageSet`. It needs `sh`, `curl` and `nslookup`.
   * @default - `curlimages/curl:8.18.0` (pinned) or the guide's `radial/busyboxplus:curl`
   */
  readonly image?: string;

  /**
   * Add resource requests and limits and a non-root, read-only container security context.
   * @default false
   */
  readonly hardening?: boolean;
}

/** Props of {@link CurlProbe.addCheck}. */
export interface CurlCheckProps {
  /**
   * Name of the Job.
   * @default - `<service>-https-check`
   */
  readonly name?: string;

  /**
   * How often the Job retries a failed check before it is marked failed (nginx may still be starting).
   * @default 6
   */
  readonly backoffLimit?: number;

  /**
   * How long after it finished a Job is deleted. Each change of the check gives it a new name (a Job's pod template
   * is immutable, so `kubectl apply` could not change it in place); this removes the old ones.
   * @default Duration.hours(1)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/
   */
  readonly ttlAfterFinished?: Duration;
}

const CURL_PROBE_PROPS = ['service', 'name', 'imageSet', 'image', 'hardening'] as const satisfies readonly (keyof CurlProbeProps)[];
const CHECK_PROPS = ['name', 'backoffLimit', 'ttlAfterFinished'] as const satisfies readonly (keyof CurlCheckProps)[];

/** The guide's name for the client Deployment (curlpod.yaml). */
const DEFAULT_NAME = 'curl-deployment';

/** Eight hex digits of SHA-256 over the JSON of `value`: stable for the same content, new for any change. */
function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}

/**
 * The guide's curl client (curlpod.yaml): a pod that mounts the TLS Secret so that
 * `kubectl exec <pod> -- curl https://my-nginx --cacert /etc/nginx/ssl/tls.crt` works, plus an optional one-shot check.
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#securing-the-service
 */
export class CurlProbe extends Construct implements IServiceClient {
  /** Name of the client Deployment. */
  public readonly name: string;
  /** The client's container image. */
  public readonly image: string;
  /** The Service the client and the check call. */
  public readonly service: ExposedService;
  /** The Secret whose certificate the client trusts (the app's). */
  public readonly tls: TlsSecret;
  /** Whether the client's pods run as Pod Security "restricted" admits. */
  public readonly hardening: boolean;
  /** The labels of the client pods: the guide's `app: curlpod`, or `app: <name>` for a probe with a name of its own. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;
  /** The client Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The check Job, once {@link addCheck} added it. */
  private checkJob?: k8s.KubeJob;
  /** The labels of the check Job's pods, once {@link addCheck} added it. */
  private checkLabels?: Readonly<Record<string, string>>;
  private readonly podListeners: ((labels: Readonly<Record<string, string>>) => void)[] = [];

  constructor(scope: Construct, id: string, props: CurlProbeProps) {
    super(uniqueId(scope, id, 'CurlProbe'), id);
    checkProps(ownerOf('CurlProbe', id), props, CURL_PROBE_PROPS);
    this.name = props?.name ?? DEFAULT_NAME;
    this.owner = ownerOf('CurlProbe', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    checkConstruct(this.owner, 'service', props?.service, ExposedService, "service: new ExposedService(chart, 'svc', { app })");
    this.service = props.service;
    checkSameNamespace(this.owner, 'service', this, props.service, props.service.owner,
      'the client resolves the Service\'s short name and mounts its Secret in its own namespace only');
    const nginx = props.service.backend;
    if (!nginx) {
      fail(this.owner, `service "${props.service.name}" fronts no NginxApp, so there is no TlsSecret to check https against: `
        + 'probe a Service whose app is an NginxApp with tls');
    }
    const tls = nginx.tls;
    if (!tls) {
      fail(this.owner, `service "${props.service.name}" fronts NginxApp "${nginx.name}", which has no tls Secret: `
        + 'give the NginxApp a TlsSecret so there is a certificate to check https against');
    }
    this.tls = tls;
    const imageSet = checkOneOf(this.owner, 'imageSet', props.imageSet ?? ImageSet.PINNED, Object.values(ImageSet));
    this.image = props.image ?? IMAGES[imageSet].curl;
    checkImage(this.owner, 'image', this.image, 'use e.g. "curlimages/curl:8.18.0" (it needs sh, curl and nslookup)');
    checkBoolean(this.owner, 'hardening', props.hardening);
    this.hardening = props.hardening ?? false;
    // The guide's label for the guide's client; any other probe gets its own, so two never select each other's pods.
    this.selectorLabels = { app: this.name === DEFAULT_NAME ? 'curlpod' : this.name };
    checkLabelValue(this.owner, 'name', this.selectorLabels.app);
    claimName(this, 'Deployment', this.name, this.owner);
    claimSelector(this, this.selectorLabels, this.owner, 'give each CurlProbe its own name (its app label follows it)');

    const deployment = this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        selector: { matchLabels: { ...this.selectorLabels } },
        replicas: 1,
        template: {
          metadata: { labels: { ...this.selectorLabels } },
          spec: this.podSpec(this.hardening ? CURL_IDLE_COMMAND : ['sh', '-c', 'while true; do sleep 1; done']),
        },
      },
    });
    this.imageOrigin = props.image !== undefined ? { prop: 'image' } : { prop: 'imageSet', value: imageSet };
    this.nameOrigin = { prop: 'name', value: this.name };
    recordOrigin(deployment, this.owner, {
      'metadata.name': { prop: 'name' },
      'spec.selector.matchLabels': this.nameOrigin,
      'spec.template.metadata.labels': this.nameOrigin,
      'spec.template.spec.containers[0].image': this.imageOrigin,
    });
    checkMadeObjects(deployment);
    props.service._addClient(this);
  }

  /** The check Job, once {@link addCheck} added it. */
  public get check(): k8s.KubeJob | undefined {
    return this.checkJob;
  }

  /** Calls `listener` with each label set this probe's pods get from now on (the check Job's, when it is added). */
  public onPods(listener: (labels: Readonly<Record<string, string>>) => void): void {
    this.podListeners.push(listener);
  }

  /** Which prop the client image came from, for the output check's messages. */
  private readonly imageOrigin: FieldOrigin;
  /** The name, which the labels of the client's and the check Job's pods are made from. */
  private readonly nameOrigin: FieldOrigin;

  /** The labels of every pod of this probe: the client's, and the check Job's once added. */
  public get podLabelSets(): Readonly<Record<string, string>>[] {
    return this.checkLabels ? [this.selectorLabels, this.checkLabels] : [this.selectorLabels];
  }

  /** The URL the guide curls: `https://my-nginx`, with the port when it is not 443. */
  public get url(): string {
    const https = this.service.httpsPort;
    if (!https) {
      fail(this.owner, `service "${this.service.name}" has no https port: add a port named "https"`);
    }
    return https.port === 443 ? `https://${this.service.name}` : `https://${this.service.name}:${https.port}`;
  }

  /** The certificate file inside the client pod, given as `--cacert`. */
  public get caCertPath(): string {
    return `${NGINX_SSL_DIR}/${this.tls.certificateKey}`;
  }

  /**
   * Adds a one-shot Job in the style of a `helm test` hook: it resolves the Service by DNS and fetches the page
   * over https, trusting only the Secret's certificate, and exits non-zero when either fails.
   */
  public addCheck(props: CurlCheckProps = {}): k8s.KubeJob {
    checkProps(`${this.owner} addCheck()`, props, CHECK_PROPS, { ttlSecondsAfterFinished: 'ttlAfterFinished' });
    if (this.checkJob) {
      fail(this.owner, `addCheck() was called again, but the probe has its check (Job "${this.checkJob.name}"): a probe runs one check; `
        + 'make another CurlProbe for a second one');
    }
    const app = this.service.backend!;
    if (app.minReplicas === 0) {
      fail(this.owner, `addCheck() needs pods to answer, but service "${this.service.name}" fronts ${app.constructor.name} "${app.name}" with `
        + '0 replicas, so the check could never pass: give the app replicas, or leave the check out');
    }
    const backoffLimit = props.backoffLimit ?? 6;
    const ttl = props.ttlAfterFinished ?? Duration.hours(1);
    if (!(ttl instanceof Duration)) fail(this.owner, `check ttlAfterFinished ${show(ttl)} is not a Duration: write e.g. Duration.hours(1)`);
    const ttlSecondsAfterFinished = ttl.toSeconds({ integral: false });
    const script = [
      'set -e',
      `nslookup ${this.service.name}`,
      `curl --fail --silent --show-error --max-time 10 --cacert ${this.caCertPath} ${this.url} | grep -q '<title>Welcome to nginx!</title>'`,
      `echo "ok: ${this.url} answered over https, trusting the certificate of Secret ${this.tls.name}"`,
    ].join('\n');
    const labels = { app: `${this.selectorLabels.app}-check` };
    const template: k8s.PodTemplateSpec = {
      metadata: { labels },
      spec: { ...this.podSpec(['sh', '-c', script]), restartPolicy: 'Never' },
    };
    // A Job's pod template is immutable: a name that follows its content makes a changed check a new Job, so
    // re-applying the manifests (kubectl apply, pulumi up) creates it instead of failing to patch the old one.
    const prefix = props.name ?? `${this.service.name}-https-check`;
    checkDns1123Subdomain(this.owner, 'check name', prefix);
    const name = `${prefix}-${contentHash({ template, backoffLimit })}`;
    if (name.length > 63) {
      fail(this.owner, `check name "${prefix}" is too long: with its content hash the Job's name must fit 63 characters `
        + '(its pods carry it as a label); use at most 54');
    }
    claimName(this, 'Job', name, this.owner);
    const job = new k8s.KubeJob(this, 'Check', {
      metadata: { name, labels },
      spec: { backoffLimit, ttlSecondsAfterFinished, template },
    });
    // The Job's labels follow the probe's name: a name that fits a Deployment may make a label too long.
    recordOrigin(job, this.owner, {
      'metadata.name': props.name !== undefined ? { prop: 'check name', value: prefix } : { prop: 'service', shown: this.service.owner },
      'metadata.labels': this.nameOrigin,
      'spec.backoffLimit': { prop: 'check backoffLimit' },
      'spec.ttlSecondsAfterFinished': { prop: 'check ttlAfterFinished' },
      'spec.template.metadata.labels': this.nameOrigin,
      'spec.template.spec.containers[0].image': this.imageOrigin,
    });
    checkMadeObjects(job);
    this.checkJob = job;
    this.checkLabels = labels;
    for (const listener of this.podListeners) listener(labels);
    return job;
  }

  private podSpec(command: string[]): k8s.PodSpec {
    return {
      volumes: [{ name: 'secret-volume', secret: { secretName: this.tls.name } }],
      containers: [{
        name: 'curlpod',
        command,
        image: this.image,
        volumeMounts: [{ mountPath: NGINX_SSL_DIR, name: 'secret-volume' }],
        ...(this.hardening ? { resources: resourcesToKube(CURL_HARDENING.resources), securityContext: CURL_HARDENING.securityContext } : {}),
      }],
      ...(this.hardening ? { automountServiceAccountToken: false } : {}),
    };
  }
}
