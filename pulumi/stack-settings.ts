// What a stack deploys: the settings of lib/settings.ts as `Pulumi.<stack>.yaml` and the component's Args give them,
// and the chart of the guide's final state they make.
import { App } from 'cdk8s';
import { validationProblems } from '../lib/output-check';
import { SecureNginxChart, SecureNginxChartProps } from '../lib/secure-nginx-chart';
import { CONFIG_NAMESPACE, configCertificate, GuideSettingsValues, inSettingTerms, KUBERNETES_DEFAULT_NAMESPACE, SETTINGS, settingsInEffect, settingsOf } from '../lib/settings';
import { GuideConfigError } from '../lib/validation';

export { CERTIFICATE_SOURCES, CONFIG_NAMESPACE, readStackSettings, STACK_CONFIG_KEYS } from '../lib/settings';
export type { CertificateSetting, ClusterSetting, ConfigSource, StackSettings } from '../lib/settings';

/** What a deployment of the guide is made of, whoever gives it: stack config or a program's component Args. */
export type DeploymentSettings = GuideSettingsValues;

/**
 * The chart a stack deploys: the guide's final state in the stack's namespace, referencing the TLS Secret that the
 * deployer creates, so no key is ever part of a synthesized object.
 */
export function chartPropsFor(settings: DeploymentSettings): SecureNginxChartProps {
  const certificate = settings.certificate;
  const inEffect = settingsInEffect(settings);
  const chartSettings = Object.fromEntries(settingsOf('chart').filter((s) => s !== 'tls' && s !== 'serviceAnnotations')
    .map((s) => [s, inEffect[s]]));
  return {
    ...chartSettings,
    namespace: settings.namespace ?? KUBERNETES_DEFAULT_NAMESPACE,
    // Referenced, never synthesized: the component creates the Secret from secret Outputs (or finds it existing). With
    // PEMs from config the chart knows the certificate, so the pod template carries its fingerprint.
    tls: certificate.source === 'existingSecret' ? { from: 'existing', name: certificate.secretName }
      // The stack checks the names itself (stackChart), so its message names the stack config keys.
      : certificate.source === 'config' ? { from: 'existing', certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem,
        checkServiceNames: false }
        : { from: 'existing' },
    serviceAnnotations: settings.waitForLoadBalancer ? settings.serviceAnnotations : { ...settings.serviceAnnotations, 'pulumi.com/skipAwait': 'true' },
  };
}

/**
 * A construct's refusal of a value the stack's settings gave it, restated in terms of the stack config key (`stack
 * config: guide-as-code:nginxImage "..." gives NginxApp "my-nginx" image ...`); other errors as they are. `present`
 * are the keys the stack sets (without the namespace); by default every setting that differs from unset counts.
 */
export function stackErrorInSettingTerms(error: GuideConfigError, settings: Partial<DeploymentSettings>, present?: readonly string[]): GuideConfigError {
  const given = Object.fromEntries(settingsOf('stack')
    .filter((s) => typeof SETTINGS[s].stack === 'string' && (present === undefined || present.includes(SETTINGS[s].stack as string)))
    .map((s) => [s, settings[s] === undefined ? undefined : typeof settings[s] === 'object' ? JSON.stringify(settings[s]) : String(settings[s])]));
  return inSettingTerms(error, 'stack', given);
}

/** The stack's chart and the objects it synthesized, which passed the App's output check. */
export interface CheckedStack {
  /** The chart, built from the settings. */
  readonly chart: SecureNginxChart;
  /** Its synthesized objects, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly objects: any[];
}

/**
 * The stack's chart, built and synthesized once (which runs the App's output check): what the constructs or the
 * check refuse is a {@link GuideConfigError} here, before the program registers anything.
 */
export function stackChart(settings: DeploymentSettings): CheckedStack {
  const chart = new SecureNginxChart(new App(), 'guide', chartPropsFor(settings));
  if (settings.certificate.source === 'config') {
    configCertificate(settings.certificate.certificatePem, settings.certificate.privateKeyPem)
      .checkCovers(chart.service.name, chart.namespace ?? 'default', `set ${CONFIG_NAMESPACE}:certificateSource generated`);
  }
  try {
    return { chart, objects: chart.toJson() };
  } catch (e) {
    const problems = validationProblems(e);
    throw problems ? new GuideConfigError(problems.join('\n')) : e;
  }
}
