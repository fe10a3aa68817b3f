import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CurlProbe } from './curl-probe';
import { ExposedService } from './exposed-service';
import { nginxCertificateLoading, nginxListenPorts } from './hardening';
import { NginxApp } from './nginx-app';
import { NetworkPolicies } from './network-policies';
import { NginxConfig } from './nginx-config';
import { GuideSettingsValues, resolveSettings, settingsOf } from './settings';
import { GuideChartSettings } from './settings.generated';
import { TlsSecret } from './tls-secret';
import { checkProps, uniqueId } from './validation';

export { SERVICE_PORT_NAMES } from './settings';

/** Props of {@link SecureNginxChart}: the settings of the final state (lib/settings.ts), and cdk8s' `ChartProps` (namespace, labels). */
export interface SecureNginxChartProps extends ChartProps, GuideChartSettings {}

/** Every prop of a chart of the final state: its settings and cdk8s' ChartProps. */
export const CHART_PROPS: readonly string[] = [...settingsOf('chart'), 'namespace', 'labels', 'disableResourceNameHashes'];

/**
 * The guide's final state in one chart: default.conf, the TLS Secret (or a reference to it), nginx behind a
 * LoadBalancer Service (emitted before its Deployment), and the curl client with its https check.
 */
export class SecureNginxChart extends Chart {
  /** The settings the chart was built with, each default applied. */
  public readonly settings: GuideSettingsValues;
  /** The TLS Secret (synthesized or referenced). */
  public readonly tls: TlsSecret;
  /** The ConfigMap with default.conf. */
  public readonly config: NginxConfig;
  /** The https nginx Deployment. */
  public readonly app: NginxApp;
  /** The Service in front of nginx. */
  public readonly service: ExposedService;
  /** The curl client (and its check Job). */
  public readonly probe: CurlProbe;
  /** With `networkPolicies`: default deny, plus exactly the guide's traffic. */
  public readonly networkPolicies?: NetworkPolicies;

  constructor(scope: Construct, id: string, props: SecureNginxChartProps = {}) {
    super(uniqueId(scope, id, 'SecureNginxChart'), id, props);
    const owner = `SecureNginxChart "${id}"`;
    checkProps(owner, props, CHART_PROPS);
    // The chart's settings under their own names, before the constructs below would name theirs (image, type, ...).
    const { namespace: _namespace, labels: _labels, disableResourceNameHashes: _hashes, ...given } = props;
    const s = this.settings = resolveSettings(given, 'chart', owner);
    this.tls = TlsSecret.fromSource(this, 'Secret', s.tls);
    // Restricted nginx (the preset's) listens on 8080/8443; the Service keeps the guide's ports in front.
    this.config = new NginxConfig(this, 'Config', {
      tls: this.tls, listenPorts: nginxListenPorts(s.hardening), certificateLoading: nginxCertificateLoading(s.hardening),
      ...(s.metrics ? { stubStatus: true } : {}),
    });
    this.app = new NginxApp(this, 'App', {
      tls: this.tls,
      config: this.config,
      // With an autoscaler the count is its: the manifest sets none.
      ...(s.autoscaling ? {
        autoscaling: { minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, cpuUtilization: s.cpuUtilization, scaleDownStabilization: s.scaleDownStabilization },
      } : { replicas: s.replicas }),
      imageSet: s.imageSet,
      image: s.nginxImage,
      enableServiceLinks: s.enableServiceLinks,
      hardening: s.hardening,
      ...(s.metrics ? { metrics: true, exporterImage: s.exporterImage, podMonitor: s.podMonitor } : {}),
    });
    this.service = this.app.exposeViaService({ serviceType: s.serviceType, nodePorts: s.nodePorts, annotations: s.serviceAnnotations });
    this.probe = new CurlProbe(this, 'Curl', { service: this.service, imageSet: s.imageSet, image: s.curlImage, hardening: s.hardening });
    if (s.networkPolicies) {
      this.networkPolicies = new NetworkPolicies(this, 'NetworkPolicies', {
        service: this.service, ...(s.metrics ? { scraper: { namespace: s.scraperNamespace } } : {}),
      });
    }
    if (s.check) this.probe.addCheck();
  }
}
