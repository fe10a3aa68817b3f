// What the e2e suites compare a deployed stack with: the objects cdk8s synthesizes for the same settings.
import { readFileSync } from 'node:fs';
import { Testing } from 'cdk8s';
import { ConfigMap } from '@pulumi/pulumi/automation';
import { SecureNginxChart } from '../../lib/secure-nginx-chart';
import { stackSettingsOf } from '../../pulumi/stack-file';
import { chartPropsFor } from '../../pulumi/stack-settings';
import { getJson, kubeconfigPath, ok } from './kubectl';

/** What the test cluster needs beyond each stack's file, every one named here. */
export function clusterOverrides(): ConfigMap {
  const kubeconfig = readFileSync(kubeconfigPath(), 'utf8');
  const context = ok(['config', 'current-context']).trim();
  return {
    // The local control plane instead of the example stacks' clusters, named the way the README shows.
    'guide-as-code:kubeconfig': { value: kubeconfig, secret: true },
    'guide-as-code:context': { value: context, secret: false },
    // kwok runs no containers, so the https check Job could never complete here.
    'guide-as-code:check': { value: 'false', secret: false },
  };
}

/** The objects cdk8s synthesizes for a stack's config. */
export function synthesizedFor(config: ConfigMap): { namespace: string; objects: Record<string, any>[] } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const settings = stackSettingsOf(config);
  return { namespace: settings.namespace, objects: new SecureNginxChart(Testing.app(), 'expected', chartPropsFor(settings)).toJson() };
}

/** Every object of the stack exists on the server with (at least) the spec cdk8s synthesizes for the same settings. */
export function expectDeployedAsSynthesized(config: ConfigMap): void {
  const { namespace, objects } = synthesizedFor(config);
  for (const object of objects) {
    const live = getJson(['-n', namespace, object.kind.toLowerCase(), object.metadata.name]);
    const { metadata: _m, apiVersion: _a, kind: _k, ...body } = object;
    expect(live).toMatchObject(body);
  }
}

/** The kinds a stack makes, as `kubectl get` names them, in a namespace (the namespace's own root CA left out). */
export function objectsIn(namespace: string): string[] {
  return ok(['-n', namespace, 'get', 'deployments,services,configmaps,jobs,secrets', '-o', 'name']).split('\n')
    .filter((l) => l !== '' && l !== 'configmap/kube-root-ca.crt').sort();
}
