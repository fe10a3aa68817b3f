import { App, Chart } from 'cdk8s';
import { CurlProbe } from './curl-probe';
import { ExposedService, ServiceType } from './exposed-service';
import { NginxApp } from './nginx-app';
import { NginxConfig } from './nginx-config';
import { markAsSteps } from './output-check';
import { CHART_PROPS, SecureNginxChart } from './secure-nginx-chart';
import { resolveSettings } from './settings';
import { GuideChartSettings } from './settings.generated';
import { TlsSecret } from './tls-secret';
import { checkDns1123Label, checkProps, fail, show } from './validation';

/**
 * Props of {@link addGuideCharts}: the settings of the final state (lib/settings.ts), of which the images and the
 * certificate are every step's too, and the namespace of every chart.
 */
export interface GuideChartsProps extends GuideChartSettings {
  /**
   * Namespace of every chart's objects.
   * @default - none (kubectl's current namespace)
   */
  readonly namespace?: string;

  /**
   * The app the final state's chart goes to, e.g. one that writes to another folder.
   * @default - the app of the steps
   */
  readonly finalStateApp?: App;
}

/**
 * Chart ids, and so the names of the files `cdk8s synth` writes (`<id>.k8s.yaml`). The steps are numbered in the
 * guide's order, so a folder listing is the order to apply them in.
 */
export const GUIDE_FILES = {
  /** run-my-nginx.yaml: the nginx Deployment. */
  runMyNginx: '1-run-my-nginx',
  /** nginx-svc.yaml: the ClusterIP Service. */
  nginxSvc: '2-nginx-svc',
  /** The TLS Secret (only when the Secret is synthesized). */
  secret: '3-nginxsecret',
  /** The nginx ConfigMap with default.conf. */
  configMap: '4-nginxconfigmap',
  /** nginx-secure-app.yaml: the NodePort Service and the https Deployment. */
  secureApp: '5-nginx-secure-app',
  /** curlpod.yaml: the curl client. */
  curlPod: '6-curlpod',
  /** The whole final state behind a LoadBalancer, with the check Job. */
  finalState: 'guide-final-state',
} as const;

/** The charts of {@link addGuideCharts}, for tests and tools that read them without writing files. */
export interface GuideCharts {
  /** See {@link GUIDE_FILES}. */
  readonly runMyNginx: Chart;
  /** See {@link GUIDE_FILES}. */
  readonly nginxSvc: Chart;
  /** See {@link GUIDE_FILES}. */
  readonly configMap: Chart;
  /** Absent when the Secret is only referenced. */
  readonly secret?: Chart;
  /** See {@link GUIDE_FILES}. */
  readonly secureApp: Chart;
  /** See {@link GUIDE_FILES}. */
  readonly curlPod: Chart;
  /** See {@link GUIDE_FILES}. */
  readonly finalState: SecureNginxChart;
}

/**
 * Adds one chart per manifest of the guide, in the guide's order, plus the final state as one deployable chart.
 * The charts refer to each other's constructs as objects but never depend on each other, so each one is a
 * complete file of its own, as in the guide.
 */
export function addGuideCharts(app: App, props: GuideChartsProps = {}): GuideCharts {
  const owner = 'addGuideCharts';
  checkProps(owner, props, [...CHART_PROPS.filter((p) => p !== 'labels' && p !== 'disableResourceNameHashes'), 'finalStateApp']);
  const { namespace, finalStateApp, ...given } = props;
  // Under their own names: the constructs below would name theirs (image).
  const settings = resolveSettings(given, 'chart', owner);
  const { imageSet, nginxImage, curlImage, tls: tlsSource } = settings;
  if (namespace !== undefined) checkDns1123Label(owner, 'namespace', namespace);
  if (finalStateApp !== undefined && !(finalStateApp instanceof App)) {
    fail(owner, `finalStateApp ${show(finalStateApp)} is not an App: pass e.g. new App({ outdir: 'dist' })`);
  }

  // Step 1: run-my-nginx.yaml.
  const runMyNginx = new Chart(app, GUIDE_FILES.runMyNginx, { namespace });
  const plainApp = new NginxApp(runMyNginx, 'App', { imageSet, image: nginxImage });

  // Step 2: `kubectl expose deployment/my-nginx`, i.e. nginx-svc.yaml.
  const nginxSvc = new Chart(app, GUIDE_FILES.nginxSvc, { namespace });
  new ExposedService(nginxSvc, 'Service', { app: plainApp });

  // Step 3: the Secret (or a reference to the one `kubectl create secret tls` made) and the ConfigMap.
  const secret = tlsSource?.from === 'existing' ? undefined : new Chart(app, GUIDE_FILES.secret, { namespace });
  const configMap = new Chart(app, GUIDE_FILES.configMap, { namespace });
  const tls = TlsSecret.fromSource(secret ?? configMap, 'Secret', tlsSource);
  const config = new NginxConfig(configMap, 'Config', { tls });

  // Step 3b: nginx-secure-app.yaml, Service first.
  const secureApp = new Chart(app, GUIDE_FILES.secureApp, { namespace });
  const httpsApp = new NginxApp(secureApp, 'App', { tls, config, imageSet, image: nginxImage });
  const httpsService = new ExposedService(secureApp, 'Service', { app: httpsApp, type: ServiceType.NODE_PORT });

  // Step 3c: curlpod.yaml.
  const curlPod = new Chart(app, GUIDE_FILES.curlPod, { namespace });
  new CurlProbe(curlPod, 'Curl', { service: httpsService, imageSet, image: curlImage });

  // Step 4: the whole thing behind a LoadBalancer, checked by the curl Job.
  const finalState = new SecureNginxChart(finalStateApp ?? app, GUIDE_FILES.finalState, { ...given, namespace });

  // Each step is a later version of objects an earlier one made, as `kubectl apply` of the guide's files in turn.
  markAsSteps(...[runMyNginx, nginxSvc, secret, configMap, secureApp, curlPod].filter((c): c is Chart => c !== undefined));
  if (App.of(finalState) === app) markAsSteps(finalState);
  return { runMyNginx, nginxSvc, configMap, secret, secureApp, curlPod, finalState };
}
