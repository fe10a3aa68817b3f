import { App, Chart } from 'cdk8s';
import { CurlProbe } from './curl-probe';
import { ExposedService, ServiceType } from './exposed-service';
import { ImageSet } from './images';
import { NginxApp } from './nginx-app';
import { NginxConfig } from './nginx-config';
import { SecureNginxChart } from './secure-nginx-chart';
import { TlsSecret, TlsSecretProps } from './tls-secret';

export interface GuideChartsProps {
  /**
   * Where the certificate comes from. With PEM text or files the Secret is synthesized into
   * `nginxsecret.k8s.yaml` and the final state; with `existing: true` nothing holds the key.
   * @default - `existing: true`
   */
  readonly tls?: TlsSecretProps;

  /**
   * Which images the manifests use.
   * @default ImageSet.PINNED
   */
  readonly imageSet?: ImageSet;
}

/** Chart ids, and so the names of the files `cdk8s synth` writes (`dist/<id>.k8s.yaml`). */
export const GUIDE_FILES = {
  runMyNginx: 'run-my-nginx',
  nginxSvc: 'nginx-svc',
  configMap: 'nginxconfigmap',
  secret: 'nginxsecret',
  secureApp: 'nginx-secure-app',
  curlPod: 'curlpod',
  finalState: 'guide-final-state',
} as const;

/** The charts of {@link addGuideCharts}, for tests and tools that read them without writing files. */
export interface GuideCharts {
  readonly runMyNginx: Chart;
  readonly nginxSvc: Chart;
  readonly configMap: Chart;
  /** Absent when the Secret is only referenced. */
  readonly secret?: Chart;
  readonly secureApp: Chart;
  readonly curlPod: Chart;
  readonly finalState: SecureNginxChart;
}

/**
 * Adds one chart per manifest of the guide, in the guide's order, plus the final state as one deployable chart.
 * The charts refer to each other's constructs as objects but never depend on each other, so each one is a
 * complete file of its own, as in the guide.
 */
export function addGuideCharts(app: App, props: GuideChartsProps = {}): GuideCharts {
  const tlsProps = props.tls ?? { existing: true };
  const imageSet = props.imageSet;

  // Step 1: run-my-nginx.yaml.
  const runMyNginx = new Chart(app, GUIDE_FILES.runMyNginx);
  const plainApp = new NginxApp(runMyNginx, 'App', { imageSet });

  // Step 2: `kubectl expose deployment/my-nginx`, i.e. nginx-svc.yaml.
  const nginxSvc = new Chart(app, GUIDE_FILES.nginxSvc);
  new ExposedService(nginxSvc, 'Service', { app: plainApp });

  // Step 3: the Secret (or a reference to the one `kubectl create secret tls` made) and the ConfigMap.
  const configMap = new Chart(app, GUIDE_FILES.configMap);
  const secret = tlsProps.existing ? undefined : new Chart(app, GUIDE_FILES.secret);
  const tls = new TlsSecret(secret ?? configMap, 'Secret', tlsProps);
  const config = new NginxConfig(configMap, 'Config', { tls });

  // Step 3b: nginx-secure-app.yaml, Service first.
  const secureApp = new Chart(app, GUIDE_FILES.secureApp);
  const httpsApp = new NginxApp(secureApp, 'App', { tls, config, imageSet });
  const httpsService = new ExposedService(secureApp, 'Service', { app: httpsApp, type: ServiceType.NODE_PORT });

  // Step 3c: curlpod.yaml.
  const curlPod = new Chart(app, GUIDE_FILES.curlPod);
  new CurlProbe(curlPod, 'Curl', { service: httpsService, imageSet });

  // Step 4: the whole thing behind a LoadBalancer, checked by the curl Job.
  const finalState = new SecureNginxChart(app, GUIDE_FILES.finalState, { tls: tlsProps, imageSet });

  return { runMyNginx, nginxSvc, configMap, secret, secureApp, curlPod, finalState };
}
