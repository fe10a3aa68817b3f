// Entry point of the Pulumi program: reads the stack's config and deploys the guide's final state.
import * as pulumi from '@pulumi/pulumi';
import { SecureNginxDeployment } from './secure-nginx-deployment';
import { CONFIG_NAMESPACE, readStackSettings, StackSettings } from './stack-settings';
import { GuideConfigError } from '../lib/validation';

function settings(): StackSettings {
  try {
    return readStackSettings(new pulumi.Config(CONFIG_NAMESPACE), Object.keys(pulumi.runtime.allConfig()));
  } catch (e) {
    // A RunError is printed as its message alone, without a stack trace.
    throw e instanceof GuideConfigError ? new pulumi.RunError(e.message) : e;
  }
}

const guide = new SecureNginxDeployment('guide', settings());

export const loadBalancerAddress = guide.loadBalancerAddress;
export const serviceName = guide.serviceName;
export const clusterIP = guide.clusterIP;
export const nodePorts = guide.nodePorts;
export const certificatePem = guide.certificatePem;
export const certificateExpiry = guide.certificateExpiry;
