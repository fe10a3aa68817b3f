import { k8s } from 'cdk8s-plus-27';
import { GUIDE_LISTEN_PORTS, ListenPorts } from './nginx-config';

/**
 * The opt-in hardening of `hardening: true`: every pod satisfies the Pod Security Standard "restricted". The guide
 * has none of this, so it is off by default and the manifests stay those of the guide.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export interface HardeningSettings {
  readonly resources: k8s.ResourceRequirements;
  readonly securityContext: k8s.SecurityContext;
}

const DROP_ALL = { drop: ['ALL'] };
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

/** The uid and gid of the `nginx` user in the official image (and in the e2e's Debian-built one). */
export const NGINX_UID = 101;

/**
 * nginx unprivileged: no root master, so it cannot bind ports below 1024 or switch users; it listens on
 * {@link UNPRIVILEGED_PORTS} and writes only to the emptyDir volumes of {@link NGINX_WRITABLE_PATHS}.
 */
export const NGINX_HARDENING: HardeningSettings = {
  resources: {
    requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
    limits: { memory: k8s.Quantity.fromString('128Mi') },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: DROP_ALL,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: NGINX_UID,
    runAsGroup: NGINX_UID,
    seccompProfile: RUNTIME_DEFAULT,
  },
};

/** The ports unprivileged nginx listens on inside the pod; the Service keeps the guide's ports in front of them. */
export const UNPRIVILEGED_PORTS: ListenPorts = { http: 8080, https: 8443 };

/** Where nginx listens inside the pod: the guide's ports, or without root (hardening) ports above 1024. */
export function nginxListenPorts(hardening: boolean): ListenPorts {
  return hardening ? UNPRIVILEGED_PORTS : GUIDE_LISTEN_PORTS;
}

/**
 * Where nginx writes at run time (temp files, the pid file, scratch), each an emptyDir, so the root filesystem can be
 * read-only. The official image keeps its temp paths under /var/cache/nginx and its pid under /var/run.
 */
export const NGINX_WRITABLE_PATHS: Readonly<Record<string, string>> = {
  'nginx-cache': '/var/cache/nginx',
  'nginx-run': '/var/run',
  'tmp': '/tmp',
};

/** The pod-level half of "restricted": non-root and the runtime's default seccomp profile for every container. */
export const RESTRICTED_POD_SECURITY: k8s.PodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: RUNTIME_DEFAULT,
};

/** curlimages/curl runs as its own unprivileged user, so it can be non-root with a read-only root. */
export const CURL_HARDENING: HardeningSettings = {
  resources: {
    requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') },
    limits: { memory: k8s.Quantity.fromString('64Mi') },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: DROP_ALL,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 100,
    seccompProfile: RUNTIME_DEFAULT,
  },
};

/** Liveness and readiness over plain http on `port`, where nginx answers `/` with its welcome page. */
export function httpProbes(port: number): Pick<k8s.Container, 'livenessProbe' | 'readinessProbe'> {
  const httpGet = { path: '/', port: k8s.IntOrString.fromNumber(port) };
  return {
    readinessProbe: { httpGet, periodSeconds: 5 },
    livenessProbe: { httpGet, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 1 },
  };
}
