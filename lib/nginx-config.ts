import { Construct } from 'constructs';
import * as k8s from './imports/k8s';
import { checkMadeObjects, recordOrigin } from './output-check';
import { TlsSecret } from './tls-secret';
import { checkSameNamespace, claimName } from './chart-claims';
import { checkConstruct, checkDns1123Subdomain, checkOneOf, checkPort, checkProps, checkString, fail, ownerOf, show, uniqueId } from './validation';

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

/**
 * When nginx reads the certificate and key: `'at-start'` as the guide does (a renewed Secret is served only by pods
 * started after it), or `'per-handshake'`, at every TLS handshake, so a Secret renewed behind the IaC tool (cert-manager,
 * `kubectl create secret tls ... | kubectl apply -f -`) is served once the kubelet has updated the pods' volume, with no
 * restart. nginx reads the files per handshake when `ssl_certificate` holds a variable (nginx 1.15.9 or newer); that
 * costs a file read and a key parse per new connection, not per request.
 * @see https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#mounted-secrets-are-updated-automatically
 */
export type CertificateLoading = 'at-start' | 'per-handshake';

/** Every {@link CertificateLoading}, for the checks of the props that take one. */
export const CERTIFICATE_LOADINGS: readonly CertificateLoading[] = ['at-start', 'per-handshake'];

/** The variable `'per-handshake'` puts in `ssl_certificate`: it always holds {@link NGINX_SSL_DIR}. */
const SSL_DIR_VARIABLE = '$guide_ssl_dir';

/**
 * Where nginx serves `stub_status` inside the pod for the metrics exporter: on the pod's loopback only, so the exporter
 * beside it reads it and nothing outside the pod can (no Service or policy ever opens it).
 */
export const STUB_STATUS = {
  /** The pod's loopback: only containers of the pod reach it. */
  address: '127.0.0.1',
  /** A port of its own, which no Service or policy names. */
  port: 8081,
  /** The location that serves the counters. */
  path: '/stub_status',
} as const;

/** The server block of {@link STUB_STATUS}; requests to it are counted in stub_status too (one per scrape). */
const STUB_STATUS_SERVER = `
server {
        listen ${STUB_STATUS.address}:${STUB_STATUS.port};
        access_log off;

        location = ${STUB_STATUS.path} {
                stub_status;
        }
}
`;

/** The guide's: nginx's plain http on 80 and https on 443. */
export const GUIDE_LISTEN_PORTS: ListenPorts = { http: 80, https: 443 };

/**
 * The https-nginx example's default.conf (the file `kubectl create configmap --from-file=default.conf` reads),
 * with the certificate and key file names of the Secret it is served with.
 */
export function guideDefaultConf(certificateFile = 'tls.crt', privateKeyFile = 'tls.key', httpPort = GUIDE_LISTEN_PORTS.http,
  httpsPort = GUIDE_LISTEN_PORTS.https, certificateLoading: CertificateLoading = 'at-start'): string {
  const perHandshake = certificateLoading === 'per-handshake';
  const sslDir = perHandshake ? SSL_DIR_VARIABLE : NGINX_SSL_DIR;
  // A variable in ssl_certificate makes nginx read the files at each handshake; the map gives it a constant value.
  const preamble = perHandshake ? `map $ssl_server_name ${SSL_DIR_VARIABLE} {
        default ${NGINX_SSL_DIR};
}

` : '';
  return `${preamble}server {
        listen ${httpPort} default_server;
        listen [::]:${httpPort} default_server ipv6only=on;

        listen ${httpsPort} ssl;

        root /usr/share/nginx/html;
        index index.html;

        server_name localhost;
        ssl_certificate ${sslDir}/${certificateFile};
        ssl_certificate_key ${sslDir}/${privateKeyFile};

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

  /**
   * When nginx reads the certificate: at start, as the guide does, or at every TLS handshake, so a renewed Secret is
   * served without a restart (the production preset's choice).
   * @default 'at-start'
   */
  readonly certificateLoading?: CertificateLoading;

  /**
   * Serve `stub_status` on 127.0.0.1:8081 for a metrics exporter in the same pod (`NginxApp`'s `metrics`).
   * @default false
   * @see https://nginx.org/en/docs/http/ngx_http_stub_status_module.html
   */
  readonly stubStatus?: boolean;
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
  /** The ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** When nginx reads the certificate ({@link NginxConfigProps.certificateLoading}). */
  public readonly certificateLoading: CertificateLoading;
  /**
   * Used as the prefix of every error about this construct.
   * @internal
   */
  public readonly owner: string;

  constructor(scope: Construct, id: string, props: NginxConfigProps = {}) {
    super(uniqueId(scope, id, 'NginxConfig'), id);
    checkProps(ownerOf('NginxConfig', id), props, NGINX_CONFIG_PROPS);
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
    if (props.certificateLoading !== undefined) checkOneOf(owner, 'certificateLoading', props.certificateLoading, CERTIFICATE_LOADINGS);
    // What the guide's default.conf is made from has no effect on a default.conf of the user's own.
    if (props.defaultConf !== undefined) {
      for (const [prop, decides] of Object.entries(MADE_FROM)) {
        if (props[prop as keyof typeof MADE_FROM] !== undefined) {
          fail(owner, `${prop} is given with defaultConf, which then decides ${decides}: leave one of them out${prop === 'certificateLoading'
            ? ' (a variable in ssl_certificate makes nginx read it per handshake)' : ''}`);
        }
      }
    }
    if (props.stubStatus !== undefined && typeof props.stubStatus !== 'boolean') fail(owner, `stubStatus ${show(props.stubStatus)} is not true or false: pass a boolean`);
    this.defaultConf = props.defaultConf
      ?? guideDefaultConf(props.tls?.certificateKey, props.tls?.privateKeyKey, ports.http, ports.https, props.certificateLoading)
        + (props.stubStatus ? STUB_STATUS_SERVER : '');
    checkString(owner, 'defaultConf', this.defaultConf);
    if (this.defaultConf.trim() === '') {
      fail(owner, 'defaultConf is empty: leave it unset for the guide\'s default.conf');
    }
    // Read from the file itself, ours or the user's: nginx reads per handshake when ssl_certificate holds a variable.
    this.certificateLoading = /(?:^|[\s;{])ssl_certificate\s+[^;]*\$/.test(this.defaultConf) ? 'per-handshake' : 'at-start';
    claimName(this, 'ConfigMap', this.name, owner);
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: this.name },
      data: { [NginxConfig.FILE_NAME]: this.defaultConf },
    });
    recordOrigin(this.configMap, owner, { 'metadata.name': { prop: 'name' } });
    checkMadeObjects(this.configMap);
  }

  /**
   * The URL default.conf serves `stub_status` at inside the pod (a server that listens on an address of the pod and a
   * `location` with `stub_status`), or undefined when it serves none.
   */
  public get stubStatusUrl(): string | undefined {
    const m = /listen\s+(?:([\d.]+|localhost):)?(\d+)[^;]*;(?:(?!server\s*\{)[\s\S])*?location\s*=?\s*(\S+)\s*\{\s*stub_status\s*;/.exec(this.defaultConf);
    return m ? `http://${m[1] ?? '127.0.0.1'}:${m[2]}${m[3]}` : undefined;
  }

  /** The ports default.conf's `listen` lines open (IPv4 and IPv6 alike). */
  public get listenPorts(): number[] {
    const ports = [...this.defaultConf.matchAll(/^\s*listen\s+(?:\[[0-9a-fA-F:]*\]:)?(\d+)\b/gm)].map((m) => Number(m[1]));
    return [...new Set(ports)];
  }

  /**
   * The files default.conf has nginx read at start or per handshake (certificates, keys, password and CA files), by the
   * directive that names each: none of them is part of the nginx image, so each must come from a volume of the pod.
   * A path under the per-handshake variable is under {@link NGINX_SSL_DIR}; a path with another variable is left out.
   */
  public get filesRead(): FileRead[] {
    const pattern = new RegExp(`^[ \\t]*(${FILE_DIRECTIVES.join('|')})[ \\t]+([^;\\s]+)[ \\t]*;`, 'gm');
    return [...this.defaultConf.matchAll(pattern)]
      .map((m) => ({ directive: m[1], path: m[2].replace(/^['"]|['"]$/g, '').replace(SSL_DIR_VARIABLE, NGINX_SSL_DIR) }))
      .filter((f) => !f.path.includes('$') && f.path !== 'off');
  }
}

/** A file default.conf has nginx read. */
export interface FileRead {
  /** The directive that names it, e.g. `ssl_certificate`. */
  readonly directive: string;
  /** Its path. */
  readonly path: string;
}

/** The props the guide's default.conf is made from, and what a default.conf of the user's own decides instead. */
const MADE_FROM = {
  tls: 'the names of the certificate files',
  listenPorts: 'the ports nginx listens on',
  certificateLoading: 'when nginx reads the certificate',
  stubStatus: 'whether and where nginx serves stub_status',
} as const satisfies Partial<Record<keyof NginxConfigProps, string>>;

/** Every prop of {@link NginxConfigProps}, for the check of a JavaScript caller's unknown ones. */
const NGINX_CONFIG_PROPS = ['name', 'tls', 'defaultConf', 'listenPorts', 'certificateLoading', 'stubStatus'] as const satisfies readonly (keyof NginxConfigProps)[];

/** nginx's directives that name a file it reads (ngx_http_ssl_module, ngx_http_auth_basic_module). */
const FILE_DIRECTIVES = [
  'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam', 'ssl_crl',
  'ssl_password_file', 'ssl_stapling_file', 'ssl_session_ticket_key', 'auth_basic_user_file',
];
