import { Size } from 'cdk8s';
import * as k8s from './imports/k8s';
import { CertificateLoading, GUIDE_LISTEN_PORTS, ListenPorts } from './nginx-config';
import { ContainerResources, Cpu } from './resources';
import { PercentOrAbsolute, RolloutStrategy } from './rollout';

/**
 * The production preset of `hardening: true`: every pod satisfies the Pod Security Standard "restricted", and nginx
 * survives rollouts and drains (readiness on https, a rollout that keeps capacity, a preStop delay and nginx's
 * graceful stop, a PodDisruptionBudget and spreading over nodes with 2 or more replicas); NetworkPolicies admit only
 * the guide's traffic. The guide has none of this, so it is off by default and the manifests stay those of the guide.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export interface HardeningSettings {
  readonly resources: ContainerResources;
  readonly securityContext: k8s.SecurityContext;
}

const DROP_ALL = { drop: ['ALL'] };
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

/**
 * The uid and gid nginx runs as: above 10000, so they are never a user of the host (the official image's `nginx`
 * user, 101, often is). nginx needs no user of its own in the image: it writes only to its emptyDir volumes.
 */
export const NGINX_UID = 10101;
/** The uid and gid of the curl client and the check Job, likewise above 10000. */
export const CURL_UID = 10100;
/** The uid and gid of the metrics exporter, likewise above 10000. */
export const EXPORTER_UID = 10102;

/** The exporter's metrics port (its default), named `metrics`, which only the scraper may reach. */
export const EXPORTER_PORT = 9113;

/**
 * Seconds a terminating nginx keeps serving before it is told to stop: endpoint removal must reach every node's
 * kube-proxy first. 10 s covers that on a loaded node (on the two-node e2e, 5 s let a connection reach a pod that had
 * stopped) and leaves nginx's graceful stop 20 s of the grace period.
 */
export const PRESTOP_SLEEP_SECONDS = 10;
/**
 * Seconds from the delete to a forced kill: the preStop sleep, then nginx's graceful stop (SIGQUIT, the image's
 * STOPSIGNAL: it finishes the requests in flight and closes idle keep-alive connections).
 */
export const TERMINATION_GRACE_SECONDS = 30;

/** Requests and limits of the nginx container under the preset, with ephemeral storage (its emptyDirs count there). */
export const NGINX_RESOURCES: ContainerResources = {
  cpu: { request: Cpu.millis(50), limit: Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
  ephemeralStorage: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

/**
 * nginx unprivileged: no root master, so it cannot bind ports below 1024 or switch users; it listens on
 * {@link UNPRIVILEGED_PORTS} and writes only to the emptyDir volumes of {@link NGINX_WRITABLE_PATHS}.
 */
export const NGINX_SECURITY_CONTEXT: k8s.SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: DROP_ALL,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: NGINX_UID,
  runAsGroup: NGINX_UID,
  seccompProfile: RUNTIME_DEFAULT,
};

/** The ports unprivileged nginx listens on inside the pod; the Service keeps the guide's ports in front of them. */
export const UNPRIVILEGED_PORTS: ListenPorts = { http: 8080, https: 8443 };

/** Where nginx listens inside the pod: the guide's ports, or without root (`restricted`) ports above 1024. */
export function nginxListenPorts(restricted: boolean): ListenPorts {
  return restricted ? UNPRIVILEGED_PORTS : GUIDE_LISTEN_PORTS;
}

/**
 * The preset reads the certificate per handshake, so a Secret renewed behind the IaC tool is served within the kubelet's
 * volume sync, with no restart; the guide reads it at start.
 */
export function nginxCertificateLoading(hardening: boolean): CertificateLoading {
  return hardening ? 'per-handshake' : 'at-start';
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
    cpu: { request: Cpu.millis(10), limit: Cpu.millis(200) },
    memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
    ephemeralStorage: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: DROP_ALL,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: CURL_UID,
    runAsGroup: CURL_UID,
    seccompProfile: RUNTIME_DEFAULT,
  },
};

/** The exporter under Pod Security "restricted": a static binary that writes nothing. */
export const EXPORTER_HARDENING: HardeningSettings = {
  resources: {
    cpu: { request: Cpu.millis(10), limit: Cpu.millis(100) },
    memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
    ephemeralStorage: { request: Size.mebibytes(8), limit: Size.mebibytes(32) },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: DROP_ALL,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: EXPORTER_UID,
    runAsGroup: EXPORTER_UID,
    seccompProfile: RUNTIME_DEFAULT,
  },
};

/**
 * The guide's idle loop for the curl client, `while true; do sleep 1; done`, as PID 1 ignores SIGTERM (the kernel
 * gives PID 1 no default action), so every drain, rollout and namespace deletion waits out its whole grace period
 * (30 s). Hardened, it exits on SIGTERM, within the second its current sleep takes.
 */
export const CURL_IDLE_COMMAND = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"];

/**
 * Readiness on what clients use (https, when nginx serves it), so a pod gets traffic only once its certificate is
 * loaded, and checked often so a new pod joins quickly; liveness on plain http, slower and more forgiving, so a busy
 * pod is taken out of rotation long before it is restarted.
 */
export function nginxProbes(ports: { http: number; https?: number }): Pick<k8s.Container, 'livenessProbe' | 'readinessProbe'> {
  const httpGet = { path: '/', port: k8s.IntOrString.fromNumber(ports.http) };
  const ready = ports.https !== undefined ? { path: '/', port: k8s.IntOrString.fromNumber(ports.https), scheme: 'HTTPS' } : httpGet;
  return {
    readinessProbe: { httpGet: ready, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 2 },
    livenessProbe: { httpGet, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  };
}

/** A rollout that never has fewer ready pods than asked for: one new pod at a time, an old one goes once it is ready. */
export const ZERO_DOWNTIME_ROLLOUT: RolloutStrategy = RolloutStrategy.rollingUpdate({
  maxSurge: PercentOrAbsolute.absolute(1),
  maxUnavailable: PercentOrAbsolute.absolute(0),
});

/** Replicas spread over nodes where there are several, and still scheduled where there is one. */
export function spreadOverNodes(labels: Readonly<Record<string, string>>): k8s.TopologySpreadConstraint[] {
  return [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...labels } } }];
}
