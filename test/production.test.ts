// The production preset (`hardening: true`), rule by rule, read from the synthesized objects: what keeps nginx
// serving through rollouts and drains, and the NetworkPolicies that admit only the guide's traffic. Each rule is also
// checked against the guide's own final state, which must break it, so no rule passes by construction.
import { isDeepStrictEqual } from 'node:util';
import { Testing } from 'cdk8s';
import { CLUSTER_DNS } from '../lib/network-policies';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { readStackFile, stackSettingsOf } from '../pulumi/stack-file';
import { chartPropsFor } from '../pulumi/stack-settings';
import { Manifest, nginxDeploymentOf, podTemplatesOf, synth, validateSchema } from './support/helpers';

const preset = synth(new SecureNginxChart(Testing.app(), 'preset', { hardening: true, replicas: 2 }));
const prod = synth(new SecureNginxChart(Testing.app(), 'prod', chartPropsFor(stackSettingsOf(readStackFile('prod')))));
const guide = synth(new SecureNginxChart(Testing.app(), 'guide', { replicas: 2 }));

const policies = (objects: Manifest[]) => objects.filter((o) => o.kind === 'NetworkPolicy');

/** Each rule returns what is wrong with the final state, or undefined. */
const RULES: Record<string, (objects: Manifest[]) => string | undefined> = {
  'readiness on the https port, apart from liveness': (objects) => {
    const c = nginxDeploymentOf(objects).spec.template.spec.containers[0];
    if (c.readinessProbe?.httpGet?.scheme !== 'HTTPS') return 'readiness is not an https GET';
    const https = c.ports.find((p: Manifest) => p.containerPort === c.readinessProbe.httpGet.port);
    if (!https) return 'readiness probes no container port';
    return JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe) ? 'readiness equals liveness' : undefined;
  },
  'RollingUpdate with maxUnavailable 0 and maxSurge 1': (objects) => {
    const s = nginxDeploymentOf(objects).spec.strategy;
    return s?.type === 'RollingUpdate' && s.rollingUpdate?.maxUnavailable === 0 && s.rollingUpdate?.maxSurge === 1 ? undefined : `strategy ${JSON.stringify(s)}`;
  },
  'a preStop sleep within a grace period that covers it and a graceful stop': (objects) => {
    const pod = nginxDeploymentOf(objects).spec.template.spec;
    const sleep = pod.containers[0].lifecycle?.preStop?.sleep?.seconds;
    if (!(sleep > 0)) return 'no preStop sleep';
    // The sleep, then nginx's graceful stop (SIGQUIT) with at least 20 s for the requests in flight.
    return (pod.terminationGracePeriodSeconds ?? 30) >= sleep + 20 && pod.terminationGracePeriodSeconds !== undefined
      ? undefined : `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} does not cover ${sleep} s + a graceful stop`;
  },
  'a PodDisruptionBudget for the replicas that never blocks on unhealthy pods': (objects) => {
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
    if (!pdb) return 'no PodDisruptionBudget';
    const nginx = nginxDeploymentOf(objects);
    if (JSON.stringify(pdb.spec.selector.matchLabels) !== JSON.stringify(nginx.spec.selector.matchLabels)) return 'it selects other pods';
    if (pdb.spec.unhealthyPodEvictionPolicy !== 'AlwaysAllow') return 'unhealthy pods can block a drain';
    return pdb.spec.maxUnavailable === 1 && pdb.spec.minAvailable === undefined ? undefined : 'it does not let one pod go at a time';
  },
  'spreading over nodes that still schedules on one node': (objects) => {
    const spread = nginxDeploymentOf(objects).spec.template.spec.topologySpreadConstraints ?? [];
    return spread.some((t: Manifest) => t.topologyKey === 'kubernetes.io/hostname' && t.whenUnsatisfiable === 'ScheduleAnyway'
      && JSON.stringify(t.labelSelector?.matchLabels) === JSON.stringify(nginxDeploymentOf(objects).spec.selector.matchLabels))
      ? undefined : 'no ScheduleAnyway spread by hostname over the app\'s pods';
  },
  'every container: cpu, memory and ephemeral-storage requests and limits; uid and gid above 10000; read-only root': (objects) => {
    const bad = podTemplatesOf(objects).flatMap(([id, template]) => template.spec.containers.flatMap((c: Manifest) => {
      const problems: string[] = [];
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory', 'ephemeral-storage']) if (c.resources?.[kind]?.[resource] === undefined) problems.push(`${kind}.${resource}`);
      }
      const sc = c.securityContext ?? {};
      if (!(sc.runAsUser > 10000) || !(sc.runAsGroup > 10000)) problems.push('uid/gid');
      if (sc.readOnlyRootFilesystem !== true) problems.push('root filesystem');
      return problems.map((p) => `${id} ${c.name}: ${p}`);
    }));
    return bad.length > 0 ? bad.join(', ') : undefined;
  },
  'NetworkPolicy: default deny of ingress and egress for every pod of the namespace': (objects) => {
    const deny = policies(objects).find((p) => JSON.stringify(p.spec.podSelector) === '{}' && !p.spec.ingress && !p.spec.egress);
    return deny && ['Ingress', 'Egress'].every((t) => deny.spec.policyTypes.includes(t)) ? undefined : 'no default deny';
  },
  'NetworkPolicy: any client to nginx on its container ports, and nothing from nginx': (objects) => {
    const nginx = nginxDeploymentOf(objects);
    const labels = JSON.stringify(nginx.spec.selector.matchLabels);
    const forNginx = policies(objects).filter((p) => JSON.stringify(p.spec.podSelector.matchLabels) === labels);
    const ingress = forNginx.find((p) => p.spec.policyTypes.includes('Ingress'));
    const ports = nginx.spec.template.spec.containers[0].ports.map((p: Manifest) => p.containerPort).sort();
    if (!ingress || ingress.spec.ingress.length !== 1 || ingress.spec.ingress[0].from !== undefined) return 'nginx is not open to any client';
    if (JSON.stringify(ingress.spec.ingress[0].ports.map((p: Manifest) => p.port).sort()) !== JSON.stringify(ports)) return 'not its container ports';
    return forNginx.some((p) => p.spec.egress) ? 'nginx is allowed egress' : undefined;
  },
  'NetworkPolicy: the curl client and the check Job to nginx\'s https port and the cluster DNS, nothing else': (objects) => {
    const nginx = nginxDeploymentOf(objects);
    const httpsPort = nginx.spec.template.spec.containers[0].readinessProbe?.httpGet?.port ?? 443;
    const clients = podTemplatesOf(objects).filter(([id]) => id !== 'Deployment/my-nginx');
    const problems = clients.flatMap(([id, template]) => {
      const egress = policies(objects).filter((p) => p.spec.egress && Object.entries(p.spec.podSelector.matchLabels ?? {})
        .every(([k, v]) => template.metadata.labels[k] === v)).flatMap((p) => p.spec.egress);
      const expected = [
        { to: [{ podSelector: { matchLabels: nginx.spec.selector.matchLabels } }], ports: [{ port: httpsPort, protocol: 'TCP' }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } }, podSelector: { matchLabels: CLUSTER_DNS.podLabels } }],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      ];
      return isDeepStrictEqual(egress, expected) ? [] : [`${id}: egress ${JSON.stringify(egress)}`];
    });
    return clients.length === 2 && problems.length === 0 ? undefined : problems.join('; ') || `${clients.length} clients`;
  },
};

describe.each(Object.keys(RULES))('%s', (rule) => {
  test('holds for the preset (2 replicas) and the prod stack', () => {
    expect(RULES[rule](preset)).toBeUndefined();
    expect(RULES[rule](prod)).toBeUndefined();
  });

  test('is broken by the guide\'s own final state (the negative control)', () => {
    expect(RULES[rule](guide)).toEqual(expect.any(String));
  });
});

test('with one replica: no PodDisruptionBudget (it would block every drain) and no spreading; the rest stays', () => {
  const single = synth(new SecureNginxChart(Testing.app(), 'single', { hardening: true }));
  expect(single.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  expect(nginxDeploymentOf(single).spec.template.spec.topologySpreadConstraints).toBeUndefined();
  expect(RULES['RollingUpdate with maxUnavailable 0 and maxSurge 1'](single)).toBeUndefined();
});

test('the preset\'s objects are valid against the Kubernetes 1.27 schema, the preStop sleep aside (newer than 1.27)', () => {
  for (const object of preset) {
    const copy = structuredClone(object);
    if (copy.kind === 'Deployment') for (const c of copy.spec.template.spec.containers) delete c.lifecycle?.preStop?.sleep;
    expect(() => validateSchema(copy)).not.toThrow();
  }
});

test('networkPolicies is a part of its own: off under the preset, or on without it', () => {
  const count = (props: ConstructorParameters<typeof SecureNginxChart>[2]) => policies(synth(new SecureNginxChart(Testing.app(), 'c', props))).length;
  expect(count({ hardening: true })).toBe(policies(preset).length);
  expect(count({ hardening: true, networkPolicies: false })).toBe(0);
  expect(count({ networkPolicies: true })).toBe(policies(preset).length);
  expect(policies(preset).length).toBeGreaterThan(0);
});
