import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ExposedService } from './exposed-service';
import { CURL_HARDENING } from './hardening';
import { IMAGES, ImageSet } from './images';
import { NGINX_SSL_DIR } from './nginx-config';
import { TlsSecret } from './tls-secret';
import { checkDns1123Subdomain, checkOneOf, fail, ownerOf } from './validation';

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
}

/**
 * The guide's curl client (curlpod.yaml): a pod that mounts the TLS Secret so that
 * `kubectl exec <pod> -- curl https://my-nginx --cacert /etc/nginx/ssl/tls.crt` works, plus an optional one-shot check.
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#securing-the-service
 */
export class CurlProbe extends Construct {
  public readonly name: string;
  public readonly image: string;
  public readonly service: ExposedService;
  public readonly tls: TlsSecret;
  public readonly hardening: boolean;
  /** The labels of the client pods. */
  public readonly selectorLabels: Readonly<Record<string, string>> = { app: 'curlpod' };
  /** Used as the prefix of every error about this construct. */
  public readonly owner: string;

  constructor(scope: Construct, id: string, props: CurlProbeProps) {
    super(scope, id);
    this.name = props.name ?? 'curl-deployment';
    this.owner = ownerOf('CurlProbe', this.name);
    checkDns1123Subdomain(this.owner, 'name', this.name);
    this.service = props.service;
    const tls = props.service.app.tls;
    if (!tls) {
      fail(this.owner, `service "${props.service.name}" fronts NginxApp "${props.service.app.name}", which has no tls Secret: `
        + 'give the NginxApp a TlsSecret so there is a certificate to check https against');
    }
    this.tls = tls;
    const imageSet = checkOneOf(this.owner, 'imageSet', props.imageSet ?? ImageSet.PINNED, Object.values(ImageSet));
    this.image = props.image ?? IMAGES[imageSet].curl;
    this.hardening = props.hardening ?? false;

    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        selector: { matchLabels: { ...this.selectorLabels } },
        replicas: 1,
        template: {
          metadata: { labels: { ...this.selectorLabels } },
          spec: this.podSpec(['sh', '-c', 'while true; do sleep 1; done']),
        },
      },
    });
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
    const name = props.name ?? `${this.service.name}-https-check`;
    checkDns1123Subdomain(this.owner, 'check name', name);
    const backoffLimit = props.backoffLimit ?? 6;
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) {
      fail(this.owner, `check backoffLimit ${backoffLimit} is not a whole number of at least 0: use e.g. 6`);
    }
    const script = [
      'set -e',
      `nslookup ${this.service.name}`,
      `curl --fail --silent --show-error --max-time 10 --cacert ${this.caCertPath} ${this.url} | grep -q '<title>Welcome to nginx!</title>'`,
      `echo "ok: ${this.url} answered over https, trusting the certificate of Secret ${this.tls.name}"`,
    ].join('\n');
    return new k8s.KubeJob(this, 'Check', {
      metadata: { name, labels: { app: 'curlpod-check' } },
      spec: {
        backoffLimit,
        template: {
          metadata: { labels: { app: 'curlpod-check' } },
          spec: { ...this.podSpec(['sh', '-c', script]), restartPolicy: 'Never' },
        },
      },
    });
  }

  private podSpec(command: string[]): k8s.PodSpec {
    return {
      volumes: [{ name: 'secret-volume', secret: { secretName: this.tls.name } }],
      containers: [{
        name: 'curlpod',
        command,
        image: this.image,
        volumeMounts: [{ mountPath: NGINX_SSL_DIR, name: 'secret-volume' }],
        ...(this.hardening ? CURL_HARDENING : {}),
      }],
      ...(this.hardening ? { automountServiceAccountToken: false } : {}),
    };
  }
}
