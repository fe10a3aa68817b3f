// The Pulumi program: reads the stack's settings and deploys the guide's final state. `pulumi up` runs it through
// pulumi/index.ts; the e2e suite runs this same function as an inline program of the Automation API.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { settingsInEffect, settingsOf } from '../lib/settings';
import { GuideConfigError } from '../lib/validation';
import { SecureNginxDeployment } from './secure-nginx-deployment';
import { CONFIG_NAMESPACE, ConfigSource, readStackSettings, StackSettings, stackChart, stackErrorInSettingTerms } from './stack-settings';

/** The stack's outputs. */
export interface GuideOutputs {
  readonly loadBalancerAddress: pulumi.Output<string | undefined>;
  readonly serviceName: pulumi.Output<string>;
  readonly clusterIP: pulumi.Output<string>;
  readonly nodePorts: pulumi.Output<Record<string, number>>;
  readonly certificatePem: pulumi.Output<string | undefined>;
  readonly certificateExpiry: pulumi.Output<string | undefined>;
}

// Which config values are secrets is known to the SDK's runtime (the engine passes the secret keys along), but its
// typings mark the function internal; the e2e suite proves it against the real engine.
const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };

/** The stack's config as the engine hands it over, including which values are secrets. */
const stackConfig: ConfigSource = {
  get: (key) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`),
  isSecret: (key) => {
    if (!isConfigSecret) throw new Error('@pulumi/pulumi no longer exports runtime.isConfigSecret: update pulumi/program.ts');
    return isConfigSecret(`${CONFIG_NAMESPACE}:${key}`);
  },
};

/**
 * The stack's settings, with its chart built and checked once here, so every config error surfaces before anything is
 * registered (the component builds the same chart again from the same settings).
 */
function settings(): StackSettings {
  let s: StackSettings | undefined;
  const present = Object.keys(pulumi.runtime.allConfig());
  try {
    s = readStackSettings(stackConfig, present);
    stackChart(s);
    return s;
  } catch (e) {
    if (!(e instanceof GuideConfigError)) throw e;
    // A construct's refusal of what a key gave it names the key; a RunError is printed as its message alone.
    const keys = present.filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`)).map((k) => k.slice(CONFIG_NAMESPACE.length + 1));
    throw new pulumi.RunError((s ? stackErrorInSettingTerms(e, s, keys) : e).message);
  }
}

/** Deploys the guide's final state with the current stack's settings and returns its outputs. */
export function guideProgram(): GuideOutputs {
  const { cluster, ...deployment } = settings();
  // The settings a component takes that take effect (the component applies the defaults again); the rest (the cluster)
  // goes into its provider.
  const inEffect = settingsInEffect(deployment);
  const args = Object.fromEntries(settingsOf('args').map((s) => [s, inEffect[s]]));
  // The cluster is always the one the stack names; a kubeconfig is stored as a secret, as it can hold keys.
  const provider = new k8s.Provider('cluster', {
    ...(cluster.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(cluster.kubeconfig) } : {}),
    ...(cluster.context !== undefined ? { context: cluster.context } : {}),
  });
  const guide = new SecureNginxDeployment('guide', args, { provider });
  return {
    loadBalancerAddress: guide.loadBalancerAddress,
    serviceName: guide.serviceName,
    clusterIP: guide.clusterIP,
    nodePorts: guide.nodePorts,
    certificatePem: guide.certificatePem,
    certificateExpiry: guide.certificateExpiry,
  };
}
