// SecureNginxDeployment in a user's own Pulumi program: its Args with their defaults, the provider through the
// resource options, and bad Args refused before anything is registered.
import * as k8s from '@pulumi/kubernetes';
import { Duration } from 'cdk8s';
import { SETTINGS } from '../lib/settings';
import { SecureNginxDeployment } from '../pulumi/secure-nginx-deployment';
import { runProgram } from './support/pulumi-harness';

describe('SecureNginxDeployment in a program of its own', () => {
  test('with no Args: the defaults of stack config, in namespace default, through the provider of its options', async () => {
    // GIVEN a program that names its cluster and nothing else
    const program = () => {
      const provider = new k8s.Provider('mine', { context: 'kind-mine' });
      const guide = new SecureNginxDeployment('web', {}, { provider });
      return { serviceName: guide.serviceName };
    };
    // WHEN
    const run = await runProgram(program, {});
    // THEN
    expect(run.error).toBeUndefined();
    expect(run.outputs.serviceName).toBe('my-nginx');
    const kubernetes = run.resources.filter((r) => r.type.startsWith('kubernetes:'));
    expect(kubernetes.filter((r) => r.provider !== 'mine').map((r) => r.name)).toEqual([]);
    // namespace default exists already, so no Namespace is made; the certificate is generated
    expect(kubernetes.map((r) => r.type)).not.toContain('kubernetes:core/v1:Namespace');
    expect(run.resources.map((r) => r.type)).toContain('tls:index/selfSignedCert:SelfSignedCert');
    const service = run.resources.find((r) => r.type === 'kubernetes:core/v1:Service')!;
    expect(service.inputs.spec.type).toBe(SETTINGS.serviceType.default);
    const deployment = run.resources.find((r) => r.type === 'kubernetes:apps/v1:Deployment')!;
    expect(deployment.inputs.spec.replicas).toBe(SETTINGS.replicas.default);
  });

  test('Args override the defaults one by one', async () => {
    const run = await runProgram(() => {
      const guide = new SecureNginxDeployment('web', { namespace: 'shop', replicas: 3, certificate: { source: 'existingSecret', secretName: 'shop-tls' } });
      return { serviceName: guide.serviceName };
    }, {});
    expect(run.error).toBeUndefined();
    const deployment = run.resources.find((r) => r.type === 'kubernetes:apps/v1:Deployment')!;
    expect(deployment.inputs.metadata.namespace ?? 'shop').toBe('shop');
    expect(deployment.inputs.spec.replicas).toBe(3);
    expect(deployment.inputs.spec.template.spec.volumes).toContainEqual({ name: 'secret-volume', secret: { secretName: 'shop-tls' } });
    expect(run.resources.map((r) => r.type).filter((t) => t.startsWith('tls:'))).toEqual([]);
  });

  test('a bad Arg is refused with the component\'s name before a resource is registered', async () => {
    const run = await runProgram(() => {
      new SecureNginxDeployment('web', { replicas: -1 });
      return {};
    }, {});
    expect(run.error?.message).toBe('SecureNginxDeployment "web": replicas -1 is not a whole number of at least 0: use e.g. 2');
    expect(run.resources.filter((r) => r.type.startsWith('kubernetes:'))).toEqual([]);
  });

  test.each([
    // What stack config refuses, the Args refuse: a renewal window as long as the validity replaces the certificate on every up.
    [{ certificateValidity: Duration.hours(24), certificateEarlyRenewal: Duration.hours(24) }, 'SecureNginxDeployment "web": certificateEarlyRenewal 24 hours '
      + 'is not less than certificateValidity 24 hours, so every `pulumi up` would replace the certificate: renew less early, or issue for longer'],
    [{ certificateValidity: Duration.minutes(90) }, 'SecureNginxDeployment "web": certificateValidity Duration.minutes(90) is not a whole '
      + 'number of hours of at least 1: use e.g. Duration.hours(8760)'],
    [{ nodePorts: { metrics: 30090 } }, 'SecureNginxDeployment "web": nodePorts {"metrics":30090} names port "metrics", but the Service\'s ports are '
      + '"http" and "https": key the node ports by one of those names'],
    [{ replica: 2 }, 'SecureNginxDeployment "web": replica is not a prop of SecureNginxDeployment: use replicas'],
  ])('Args the stack config would refuse are refused the same way: %j', async (args, message) => {
    const run = await runProgram(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      new SecureNginxDeployment('web', args as any);
      return {};
    }, {});
    expect(run.error?.message).toBe(message);
    expect(run.resources.filter((r) => r.type.startsWith('kubernetes:') || r.type.startsWith('tls:'))).toEqual([]);
  });
});
