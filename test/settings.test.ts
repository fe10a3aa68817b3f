// lib/settings.ts is the one table of settings: the interfaces code takes, the tables of docs/settings.md, the readers
// of the environment and of stack config, the component's Args and the chart's props all follow it, so one entry is
// a setting on every surface that takes it, with one default and one check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Testing } from 'cdk8s';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { readStackSettings, readSynthSettings, resolveSettings, SETTINGS, settingsInEffect, settingsOf } from '../lib/settings';
import { GuideConfigError } from '../lib/validation';
import { renderTypes, withTables } from '../scripts/settings-render';

const ROOT = join(__dirname, '..');

test('lib/settings.generated.ts is what the table makes (npm run settings:generate writes it)', () => {
  expect(readFileSync(join(ROOT, 'lib', 'settings.generated.ts'), 'utf8')).toBe(renderTypes());
});

test('the tables of docs/settings.md are what the table makes, a row per variable and key', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8');
  expect(docs).toBe(withTables(docs));
  for (const setting of settingsOf('environment')) expect(docs).toContain(`| \`${SETTINGS[setting].env}\` |`);
});

/** The error a reader or a construct throws, as its message. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    if (e instanceof GuideConfigError) return e.message;
    throw e;
  }
  return 'accepted';
}

const stack = (values: Record<string, string>) => readStackSettings({ get: (k) => values[k], isSecret: () => false }, []);

describe('one default, whichever surface leaves a setting unset', () => {
  test.each(['replicas', 'serviceType', 'imageSet', 'hardening', 'check', 'networkPolicies'] as const)('%s', (setting) => {
    const fromEnv = readSynthSettings({}, () => false)[setting];
    const fromStack = stack({ context: 'kind' })[setting];
    const fromArgs = resolveSettings({}, 'args', 'SecureNginxDeployment "guide"')[setting];
    const fromChart = new SecureNginxChart(Testing.app(), 'c').settings[setting];
    expect([fromEnv, fromStack, fromArgs, fromChart]).toEqual([fromEnv, fromEnv, fromEnv, fromEnv]);
  });

  test('a default may follow another setting: networkPolicies follows hardening on every surface', () => {
    expect(readSynthSettings({ GUIDE_HARDENING: 'true' }, () => false).networkPolicies).toBe(true);
    expect(stack({ context: 'kind', hardening: 'true', networkPolicies: 'false' }).networkPolicies).toBe(false);
    expect(resolveSettings({ hardening: true }, 'args').networkPolicies).toBe(true);
  });
});

describe('one check, named in the terms of each surface', () => {
  test.each([
    ['replicas', { GUIDE_REPLICAS: '-1' }, { replicas: '-1' }, { replicas: -1 },
      ['environment: GUIDE_REPLICAS "-1" is not a whole number of at least 0 in decimal digits: set e.g. GUIDE_REPLICAS=2',
        'stack config: guide-as-code:replicas "-1" is not a whole number of at least 0 in decimal digits: set it with `pulumi config set guide-as-code:replicas 2`',
        'SecureNginxDeployment "guide": replicas -1 is not a whole number of at least 0: use e.g. 2']],
    ['nodePorts', { GUIDE_NODE_PORTS: '{"https": 80}' }, { nodePorts: '{"https": 80}' }, { nodePorts: { https: 80 } },
      ['environment: GUIDE_NODE_PORTS {"https": 80} has https 80, which is outside 30000-32767: pick a free port in the cluster\'s node-port '
        + 'range, or leave it unset to let Kubernetes choose',
      'stack config: guide-as-code:nodePorts {"https": 80} has https 80, which is outside 30000-32767: pick a free port in the cluster\'s '
        + 'node-port range, or leave it unset to let Kubernetes choose',
      'SecureNginxDeployment "guide": nodePorts {"https":80} has https 80, which is outside 30000-32767: pick a free port in the cluster\'s '
        + 'node-port range, or leave it unset to let Kubernetes choose']],
    ['serviceType', { GUIDE_SERVICE_TYPE: 'Ingress' }, { serviceType: 'Ingress' }, { serviceType: 'Ingress' },
      ['environment: GUIDE_SERVICE_TYPE "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer": set e.g. GUIDE_SERVICE_TYPE=ClusterIP',
        'stack config: guide-as-code:serviceType "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer": set it with `pulumi config set '
          + 'guide-as-code:serviceType ClusterIP`',
        'SecureNginxDeployment "guide": serviceType "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer": pass e.g. ServiceType.NODE_PORT']],
  ])('%s', (_setting, env, config, args, [byEnv, byStack, byArgs]) => {
    expect(refusal(() => readSynthSettings(env, () => false))).toBe(byEnv);
    expect(refusal(() => stack({ context: 'kind', ...config }))).toBe(byStack);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(refusal(() => resolveSettings(args as any, 'args', 'SecureNginxDeployment "guide"'))).toBe(byArgs);
  });

  test('a rule across settings holds on every surface that has both: the early renewal of a certificate within its validity', () => {
    expect(refusal(() => stack({ context: 'kind', certificateValidityHours: '24', certificateEarlyRenewalHours: '24' })))
      .toBe('stack config: guide-as-code:certificateEarlyRenewalHours 24 hours is not less than guide-as-code:certificateValidityHours 24 hours, '
        + 'so every `pulumi up` would replace the certificate: renew less early, or issue for longer');
    expect(refusal(() => resolveSettings({ certificateEarlyRenewal: Duration.days(400) }, 'args', 'SecureNginxDeployment "guide"')))
      .toBe('SecureNginxDeployment "guide": certificateEarlyRenewal 9600 hours is not less than certificateValidity 8760 hours, so every '
        + '`pulumi up` would replace the certificate: renew less early, or issue for longer');
  });
});

describe('settings that need another one on', () => {
  test.each([
    [{ GUIDE_MIN_REPLICAS: '3' }, 'environment: GUIDE_MIN_REPLICAS is set, but GUIDE_AUTOSCALING is off, so it would do nothing: turn GUIDE_AUTOSCALING on, '
      + 'or leave GUIDE_MIN_REPLICAS out'],
    [{ GUIDE_POD_MONITOR: 'true' }, 'environment: GUIDE_POD_MONITOR is set, but GUIDE_METRICS is off, so it would do nothing: turn GUIDE_METRICS on, '
      + 'or leave GUIDE_POD_MONITOR out'],
    [{ GUIDE_METRICS: 'true', GUIDE_SCRAPER_NAMESPACE: 'prometheus' }, 'environment: GUIDE_SCRAPER_NAMESPACE is set, but GUIDE_NETWORK_POLICIES is off, so '
      + 'it would do nothing: turn GUIDE_NETWORK_POLICIES on, or leave GUIDE_SCRAPER_NAMESPACE out'],
    [{ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true', GUIDE_REPLICAS: '3' }, 'environment: GUIDE_REPLICAS is set with GUIDE_AUTOSCALING on, which '
      + 'owns the replica count: a count in the manifest would reset the autoscaler\'s on every apply; leave GUIDE_REPLICAS out (GUIDE_MIN_REPLICAS is '
      + 'the fewest pods)'],
    [{ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true', GUIDE_MIN_REPLICAS: '7' }, 'environment: GUIDE_MIN_REPLICAS 7 is more than GUIDE_MAX_REPLICAS 6: '
      + 'keep the minimum at most the maximum'],
  ])('%j is refused', (env, message) => {
    expect(refusal(() => readSynthSettings(env, () => false))).toBe(message);
  });

  test('the same rules in stack terms', () => {
    expect(refusal(() => stack({ context: 'kind', podMonitor: 'true' }))).toBe('stack config: guide-as-code:podMonitor is set, but guide-as-code:metrics is '
      + 'off, so it would do nothing: turn guide-as-code:metrics on, or leave guide-as-code:podMonitor out');
    expect(refusal(() => stack({ context: 'kind', autoscaling: 'true', hardening: 'true', replicas: '2' }))).toBe('stack config: guide-as-code:replicas is '
      + 'set with guide-as-code:autoscaling on, which owns the replica count: a count in the manifest would reset the autoscaler\'s on every apply; '
      + 'leave guide-as-code:replicas out (guide-as-code:minReplicas is the fewest pods)');
  });

  test('resolved settings hold a default for every setting; those in effect leave out what another setting makes moot', () => {
    const plain = readSynthSettings({}, () => false);
    expect(plain.minReplicas).toBe(2);
    expect(settingsInEffect(plain)).not.toHaveProperty('minReplicas');
    expect(settingsInEffect(plain)).not.toHaveProperty('podMonitor');
    expect(settingsInEffect(plain).replicas).toBe(1);
    const scaled = settingsInEffect(readSynthSettings({ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true' }, () => false));
    expect(scaled).not.toHaveProperty('replicas');
    expect([scaled.minReplicas, scaled.maxReplicas, scaled.cpuUtilization]).toEqual([2, 6, 60]);
    // What is in effect builds a chart again without a rule taking a default for a given setting.
    expect(refusal(() => resolveSettings(scaled, 'chart', 'SecureNginxChart "final"'))).toBe('accepted');
    expect(refusal(() => resolveSettings(readSynthSettings({ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true' }, () => false), 'chart',
      'SecureNginxChart "final"'))).toBe('SecureNginxChart "final": podMonitor is set, but metrics is off, so it would do nothing: turn metrics on, '
      + 'or leave podMonitor out');
  });
});

test('every setting is read from somewhere: a variable, a stack key, the Args or the chart', () => {
  const unread = Object.entries(SETTINGS).filter(([, spec]) => !spec.env && !spec.stack && !spec.arg && !spec.chart).map(([name]) => name);
  expect(unread).toEqual([]);
});
