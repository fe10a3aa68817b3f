// The public API of `guide-as-code/pulumi`: the Pulumi component that deploys the same constructs `cdk8s synth` uses,
// and the stack settings it takes. Its Pulumi packages are optional peers of the construct library.
export { RESTRICTED_NAMESPACE_LABELS, SECURE_NGINX_DEPLOYMENT_TYPE, SecureNginxDeployment } from './secure-nginx-deployment';
export type { SecureNginxDeploymentArgs } from './secure-nginx-deployment';
export { CERTIFICATE_SOURCES, chartPropsFor, CONFIG_NAMESPACE, readStackSettings, STACK_CONFIG_KEYS, stackChart } from './stack-settings';
export type { CertificateSetting, CheckedStack, ClusterSetting, ConfigSource, DeploymentSettings, StackSettings } from './stack-settings';
export type { SecureNginxDeploymentSettings } from '../lib/settings.generated';
