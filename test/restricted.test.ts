// hardening: every pod the project makes satisfies Pod Security "restricted", rule by rule, read from the objects;
// the guide's own manifests do not, which shows the rules can fail.
import { Testing } from 'cdk8s';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { readStackFile, stackSettingsOf } from '../pulumi/stack-file';
import { chartPropsFor } from '../pulumi/stack-settings';
import { Manifest, synth } from './support/helpers';
import { podsOf, RESTRICTED, restrictedViolations } from './support/pod-security';

const hardened = synth(new SecureNginxChart(Testing.app(), 'hardened', { hardening: true }));
const prod = synth(new SecureNginxChart(Testing.app(), 'prod', chartPropsFor(stackSettingsOf(readStackFile('prod')))));
const guide = synth(new SecureNginxChart(Testing.app(), 'guide'));

const cases = [...podsOf(hardened).map(([id, pod]) => [`hardened ${id}`, pod]), ...podsOf(prod).map(([id, pod]) => [`prod stack ${id}`, pod])] as [string, Manifest][];

test('the hardened final state and the prod stack have nginx, the curl client and the check Job', () => {
  expect(cases.map(([id]) => id.replace(/-[0-9a-f]{8}$/, ''))).toEqual([
    'hardened Deployment/my-nginx', 'hardened Deployment/curl-deployment', 'hardened Job/my-nginx-https-check',
    'prod stack Deployment/my-nginx', 'prod stack Deployment/curl-deployment', 'prod stack Job/my-nginx-https-check',
  ]);
});

describe.each(Object.keys(RESTRICTED))('%s', (rule) => {
  test.each(cases)('%s', (_id, pod) => {
    expect(RESTRICTED[rule](pod)).toBeUndefined();
  });
});

test('the guide\'s nginx, as the guide has it, violates the restricted rules (so they can fail)', () => {
  const nginx = podsOf(guide).find(([id]) => id === 'Deployment/my-nginx')![1];
  expect(restrictedViolations(nginx)).toEqual([
    'allowPrivilegeEscalation false: allowPrivilegeEscalation != false: nginxhttps',
    'runAsNonRoot true: runAsNonRoot != true: nginxhttps',
    'seccomp RuntimeDefault or Localhost: seccompProfile not RuntimeDefault or Localhost: nginxhttps',
    'capabilities: drop ALL, add at most NET_BIND_SERVICE: capabilities not dropped, or added: nginxhttps',
    'no service-account token (the project\'s own rule): automountServiceAccountToken is not false',
  ]);
});

test('the old hardening (root master with CHOWN, SETGID, SETUID) would fail: the capability rule reads the objects', () => {
  const nginx = structuredClone(podsOf(hardened)[0][1]);
  nginx.containers[0].securityContext.capabilities.add = ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'];
  expect(RESTRICTED['capabilities: drop ALL, add at most NET_BIND_SERVICE'](nginx)).toBe('capabilities not dropped, or added: nginxhttps');
});
