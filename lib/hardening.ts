import { k8s } from 'cdk8s-plus-27';

/**
 * The opt-in hardening of `hardening: true`. The guide has none of this, so it is off by default and the
 * manifests stay those of the guide; cdk8s-plus's defaults (read-only root, non-root) would stop the stock
 * nginx image, which runs its master as root and writes /var/cache/nginx.
 */
export interface HardeningSettings {
  readonly resources: k8s.ResourceRequirements;
  readonly securityContext: k8s.SecurityContext;
}

const DROP_ALL = { drop: ['ALL'] };

/** nginx: root master that binds 80/443 and switches its workers to the nginx user. */
export const NGINX_HARDENING: HardeningSettings = {
  resources: {
    requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
    limits: { memory: k8s.Quantity.fromString('128Mi') },
  },
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { ...DROP_ALL, add: ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
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
    seccompProfile: { type: 'RuntimeDefault' },
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
