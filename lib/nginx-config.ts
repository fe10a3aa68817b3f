import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { recordOrigin } from './output-check';
import { TlsSecret } from './tls-secret';
import { checkSameNamespace, claimName } from './chart-claims';
import {
  checkConstruct, checkDns1123Subdomain, checkPort, checkProps, checkString, fail, ownerOf, show,
} from './validation';

/** Where the nginx image reads server blocks from; the ConfigMap is mounted here. */
export const NGINX_CONF_DIR = '/etc/nginx/conf.d';
/** Where the TLS Secret is mounted; default.conf names its files under here. */
export const NGINX_SSL_DIR = '/etc/nginx/ssl';

/** The ports nginx listens on inside the pod. */
export interface ListenPorts {
  /** The plain http port. */
  readonly http: number;
  /** The https port (with TLS). */
  readonly https: number;
}

/** The guide's: nginx's plain http on 80 and https on 443. */
export const GUIDE_LISTEN_PORTS: ListenPorts = { http: 80, https: 443 };

/**
 * The https-nginx example's default.conf (the file `kubectl create configmap --from-file=default.conf` reads),
 * with the certificate and key file names of the Secret it is served with.
 */
export function guideDefaultConf(certificateFile = 'tls.crt', privateKeyFile = 'tls.key', httpPort = GUIDE_LISTEN_PORTS.http,
  httpsPort = GUIDE_LISTEN_PORTS.https): string {
  return `server {
        listen ${httpPort} default_server;
        listen [::]:${httpPort} default_server ipv6only=on;

        listen ${httpsPort} ssl;

        root /usr/share/nginx/html;
        index index.html;

        server_name localhost;
        ssl_certificate ${NGINX_SSL_DIR}/${certificateFile};
        ssl_certificate_key ${NGINX_SSL_DIR}/${privateKeyFile};

        location / {
                try_files $uri $uri/ =404;
        }
}
`;
}

/** Props of {@link NginxConfig}. */
export interface NginxConfigProps {
  /**
   * Name of the ConfigMap.
   * @default 'nginxconfigmap'
   */
  readonly name?: string;

  /**
   * The Secret whose file names default.conf points `ssl_certificate` and `ssl_certificate_key` at.
   * @default - the `kubernetes.io/tls` names `tls.crt` and `tls.key`
   */
  readonly tls?: TlsSecret;

  /**
   * The whole default.conf, replacing the guide's.
   * @default - the guide's default.conf for `tls`
   */
  readonly defaultConf?: string;

  /**
   * The ports the guide's default.conf listens on: the guide's 80 and 443, or 8080 and 8443 for nginx without root
   * (`hardening`), which cannot bind ports below 1024.
   * @default { http: 80, https: 443 }
   */
  readonly listenPorts?: ListenPorts;
}

/**
 * The ConfigMap that holds nginx's default.conf (`kubectl create configmap nginxconfigmap --from-file=default.conf`).
 *
 * @see https://kubernetes.io/docs/tutorials/services/connect-applications-service/#securing-the-service
 */
export class NginxConfig extends Construct {
  /** The key of the one file in the ConfigMap. */
  public static readonly FILE_NAME = 'default.conf';

  /** Name of the ConfigMap. */
  public readonly name: string;
  /** The content of default.conf. */
  public readonly defaultConf: string;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;

  constructor(scope: Construct, id: string, props: NginxConfigProps = {}) {
    super(scope, id);
    checkProps(ownerOf('NginxConfig', id), props);
    this.name = props.name ?? 'nginxconfigmap';
    const owner = this.owner = ownerOf('NginxConfig', this.name);
    checkDns1123Subdomain(owner, 'name', this.name);
    if (props.tls !== undefined) {
      checkConstruct(owner, 'tls', props.tls, TlsSecret, "tls: TlsSecret.fromFiles(chart, 'tls', { certificateFile, privateKeyFile })");
      checkSameNamespace(owner, 'tls', this, props.tls, props.tls.owner, 'nginx mounts both from one namespace');
    }
    const ports = props.listenPorts ?? GUIDE_LISTEN_PORTS;
    if (typeof ports !== 'object' || ports === null) {
      fail(owner, `listenPorts ${show(ports)} is not an object: pass e.g. { http: 8080, https: 8443 }`);
    }
    checkPort(owner, 'listenPorts.http', ports.http);
    checkPort(owner, 'listenPorts.https', ports.https);
    if (ports.http === ports.https) {
      fail(owner, `listenPorts.http and listenPorts.https are both ${ports.http}: nginx cannot serve http and https on one port; give each its own`);
    }
    this.defaultConf = props.defaultConf
      ?? guideDefaultConf(props.tls?.certificateKey, props.tls?.privateKeyKey, ports.http, ports.https);
    checkString(owner, 'defaultConf', this.defaultConf);
    if (this.defaultConf.trim() === '') {
      fail(owner, 'defaultConf is empty: leave it unset for the guide\'s default.conf');
    }
    claimName(this, 'ConfigMap', this.name, owner);
    const configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: this.name },
      data: { [NginxConfig.FILE_NAME]: this.defaultConf },
    });
    recordOrigin(configMap, owner, { 'metadata.name': { prop: 'name' } });
  }

  /** The ports default.conf's `listen` lines open (IPv4 and IPv6 alike). */
  public get listenPorts(): number[] {
    const ports = [...this.defaultConf.matchAll(/^\s*listen\s+(?:\[[0-9a-fA-F:]*\]:)?(\d+)\b/gm)].map((m) => Number(m[1]));
    return [...new Set(ports)];
  }

  /** The files under {@link NGINX_SSL_DIR} that default.conf reads (`ssl_certificate`, `ssl_certificate_key`). */
  public get sslFiles(): string[] {
    const pattern = new RegExp(`^\\s*ssl_certificate(?:_key)?\\s+${NGINX_SSL_DIR}/([^;\\s]+)\\s*;`, 'gm');
    return [...this.defaultConf.matchAll(pattern)].map((m) => m[1]);
  }
}
