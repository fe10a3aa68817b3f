// The Pulumi program under mocks: it registers exactly the synthesized objects, keeps the key secret,
// orders the Service first, exports the load balancer address, and refuses bad stack config.
import { Testing } from 'cdk8s';
import { ServiceType } from '../lib/exposed-service';
import { addGuideCharts } from '../lib/guide-charts';
import { SecureNginxChart, SecureNginxChartProps } from '../lib/secure-nginx-chart';
import { Manifest } from './helpers';
import {
  FAKE_CERT_PEM, FAKE_EXPIRY, FAKE_KEY_PEM, isSecretValue, Registered, runStack, SECRET_SIG, stackConfig, StackRun,
} from './pulumi-harness';

// Each fresh import of @pulumi/pulumi (one per stack run) adds its own process exit listener.
process.setMaxListeners(50);

const objectsOf = (props: SecureNginxChartProps) => new SecureNginxChart(Testing.app(), 'expected', props).toJson() as Manifest[];
const kubernetesObjects = (run: StackRun) => run.resources
  .filter((r) => r.type.startsWith('kubernetes:') && !['kubernetes:core/v1:Namespace', 'kubernetes:core/v1:Secret'].includes(r.type))
  .map((r) => r.inputs);
const byName = (run: StackRun, name: string): Registered => {
  const found = run.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource ${name} among ${run.resources.map((r) => r.name).join(', ')}`);
  return found;
};

/** Every value of `value` outside Pulumi secret wrappers, as text. */
function plainText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (isSecretValue(v) ? '<secret>' : v));
}

describe.each([
  {
    stack: 'dev',
    expected: {
      namespace: 'guide-dev', tls: { existing: true }, serviceType: ServiceType.NODE_PORT, replicas: 1,
      nodePorts: { http: 30080, https: 30443 },
    },
  },
  {
    stack: 'prod',
    expected: {
      namespace: 'guide-prod', tls: { existing: true }, serviceType: ServiceType.LOAD_BALANCER, replicas: 2, hardening: true,
    },
  },
])('the $stack stack', ({ stack, expected }) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack(stackConfig(stack), { loadBalancer: { ingress: [{ hostname: 'my-nginx.elb.example.com' }] } });
  });

  test('loads without error', () => {
    expect(run.error).toBeUndefined();
  });

  test('registers every synthesized object as its own resource, with the spec cdk8s synthesizes', () => {
    expect(kubernetesObjects(run)).toEqual(objectsOf(expected));
    expect(run.resources.map((r) => r.type)).toEqual([
      'guide-as-code:k8s:SecureNginxDeployment',
      'tls:index/privateKey:PrivateKey',
      'kubernetes:core/v1:Namespace',
      'tls:index/selfSignedCert:SelfSignedCert',
      'kubernetes:core/v1:Secret',
      'kubernetes:core/v1:ConfigMap',
      'kubernetes:core/v1:Service',
      'kubernetes:apps/v1:Deployment',
      'kubernetes:apps/v1:Deployment',
      'kubernetes:batch/v1:Job',
    ]);
    expect(byName(run, 'guide-namespace').inputs.metadata).toEqual({ name: expected.namespace });
  });

  test('the certificate is RSA 2048, CN and O my-nginx, with the Service\'s names in its namespace', () => {
    expect(byName(run, 'guide-key').inputs).toEqual({ algorithm: 'RSA', rsaBits: 2048 });
    const cert = byName(run, 'guide-certificate').inputs;
    expect(cert.subject).toEqual({ commonName: 'my-nginx', organization: 'my-nginx' });
    expect(cert.dnsNames).toEqual(['my-nginx', `my-nginx.${expected.namespace}`, `my-nginx.${expected.namespace}.svc`,
      `my-nginx.${expected.namespace}.svc.cluster.local`]);
    const config = stackConfig(stack);
    expect(cert.validityPeriodHours).toBe(Number(config['guide-as-code:certificateValidityHours']));
    expect(cert.earlyRenewalHours).toBe(Number(config['guide-as-code:certificateEarlyRenewalHours']));
  });

  test('the Secret\'s data and the private key reach the engine only as secrets', () => {
    const secret = byName(run, 'guide-secret').inputs;
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata).toEqual({ name: 'nginxsecret', namespace: expected.namespace });
    expect(secret.data[SECRET_SIG.key]).toBe(SECRET_SIG.value);
    expect(secret.data.value).toEqual({
      'tls.crt': Buffer.from(FAKE_CERT_PEM).toString('base64'),
      'tls.key': Buffer.from(FAKE_KEY_PEM).toString('base64'),
    });
    expect(isSecretValue(byName(run, 'guide-certificate').inputs.privateKeyPem)).toBe(true);
    const everything = plainText(run.resources.map((r) => r.inputs)) + plainText(run.outputs);
    expect(everything).not.toContain('ZmFrZSBwcml2YXRlIGtleQ'); // the key's own base64 body
    expect(everything).not.toContain(Buffer.from(FAKE_KEY_PEM).toString('base64'));
  });

  test('creates the Service before the Deployment it fronts, and every object after the Secret', () => {
    expect(byName(run, 'guide-deployment-my-nginx').dependsOn).toContain('guide-service-my-nginx');
    for (const r of run.resources.filter((x) => x.type.startsWith('kubernetes:') && !x.type.endsWith(':Namespace'))) {
      expect(r.dependsOn).toContain('guide-namespace');
      if (!r.type.endsWith(':Secret')) expect(r.dependsOn).toContain('guide-secret');
    }
  });

  test('exports the Service, its node ports and the public certificate', () => {
    expect(run.outputs).toMatchObject({
      serviceName: 'my-nginx',
      clusterIP: '10.0.162.149',
      certificatePem: FAKE_CERT_PEM,
      certificateExpiry: FAKE_EXPIRY,
    });
    expect(Object.keys(run.outputs.nodePorts as object)).toEqual(['http', 'https']);
  });
});

describe('the load balancer address', () => {
  test('is the hostname when the cloud reports one (AWS ELB)', async () => {
    const run = await runStack(stackConfig('prod'), { loadBalancer: { ingress: [{ hostname: 'abc.elb.amazonaws.com' }] } });
    expect(run.outputs.loadBalancerAddress).toBe('abc.elb.amazonaws.com');
  });

  test('is the IP when the cloud reports only an IP', async () => {
    const run = await runStack(stackConfig('prod'), { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
    expect(run.outputs.loadBalancerAddress).toBe('203.0.113.10');
  });

  test('is undefined while the cloud has assigned none', async () => {
    const run = await runStack(stackConfig('prod'), { loadBalancer: {} });
    expect(run.outputs.loadBalancerAddress).toBeUndefined();
  });

  test('waitForLoadBalancer: false skips the wait with pulumi.com/skipAwait', async () => {
    const run = await runStack({ ...stackConfig('prod'), 'guide-as-code:waitForLoadBalancer': 'false' });
    const service = run.resources.find((r) => r.type === 'kubernetes:core/v1:Service')!;
    expect(service.inputs.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
  });
});

test('with default settings it deploys what `npm run synth` writes to dist/guide-final-state.k8s.yaml, in namespace default', async () => {
  const run = await runStack({});
  const dist = addGuideCharts(Testing.app()).finalState.toJson() as Manifest[];
  // The stack names its namespace even when it is `default`, so the kubeconfig's current namespace cannot move
  // the app away from the names its certificate was made for.
  const inDefault = dist.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'default' } }));
  expect(kubernetesObjects(run)).toEqual(inDefault);
  expect(run.resources.some((r) => r.type === 'kubernetes:core/v1:Namespace')).toBe(false);
});

describe('bad stack config fails before any resource is registered, naming the key', () => {
  test.each([
    ['guide-as-code:replicas', '-1', 'stack config: guide-as-code:replicas -1 is not a whole number of at least 0: use e.g. 1 or 2'],
    ['guide-as-code:replicas', 'two', 'stack config: guide-as-code:replicas "two" is not a whole number: set it with `pulumi config set guide-as-code:replicas <number>`'],
    ['guide-as-code:serviceType', 'Ingress', 'stack config: guide-as-code:serviceType "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer"'],
    ['guide-as-code:namespace', 'Guide_Dev', 'stack config: guide-as-code:namespace "Guide_Dev" is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit (e.g. "my-nginx")'],
    ['guide-as-code:nodePorts', '{"https": 443}', 'stack config: guide-as-code:nodePorts.https 443 is outside 30000-32767: pick a free port in the cluster\'s node-port range, or leave it unset to let Kubernetes choose'],
    ['guide-as-code:nodePorts', '[30080]', 'stack config: guide-as-code:nodePorts [30080] is not an object of port names to node ports: use e.g. {"http": 30080, "https": 30443}'],
    ['guide-as-code:waitForLoadBalancer', 'yes', 'stack config: guide-as-code:waitForLoadBalancer "yes" is not true or false: set it with `pulumi config set guide-as-code:waitForLoadBalancer true`'],
    ['guide-as-code:certificateEarlyRenewalHours', '9000', 'stack config: guide-as-code:certificateEarlyRenewalHours 9000 must be at least 0 and less than guide-as-code:certificateValidityHours 8760, or every `pulumi up` replaces the certificate'],
    ['guide-as-code:nginxImage', 'nginx 1.27', 'stack config: guide-as-code:nginxImage "nginx 1.27" is not a valid image reference (it contains white space): use e.g. "nginx:1.27.4", or remove the key for the default'],
    ['guide-as-code:replica', '2', 'stack config: guide-as-code:replica is not a setting: use one of guide-as-code:namespace, guide-as-code:replicas, guide-as-code:serviceType, guide-as-code:imageSet, guide-as-code:nginxImage, guide-as-code:curlImage, guide-as-code:nodePorts, guide-as-code:certificateValidityHours, guide-as-code:certificateEarlyRenewalHours, guide-as-code:waitForLoadBalancer, guide-as-code:hardening, guide-as-code:check'],
  ])('%s: %s', async (key, value, message) => {
    const run = await runStack({ ...stackConfig('prod'), [key]: value });
    expect(run.error?.message).toBe(message);
    // A RunError: Pulumi prints its message without a stack trace.
    expect((run.error as { __pulumiRunError?: boolean })?.__pulumiRunError).toBe(true);
    expect(run.resources).toEqual([]);
  });

  test('a nodePort the construct refuses (on a ClusterIP Service) is caught as config too', async () => {
    const run = await runStack({ 'guide-as-code:serviceType': 'ClusterIP', 'guide-as-code:nodePorts': '{"http": 30080}' });
    expect(run.error?.message).toBe('stack config: guide-as-code:nodePorts needs guide-as-code:serviceType NodePort or LoadBalancer, but it is ClusterIP: remove one of them');
    expect(run.resources).toEqual([]);
  });
});
