// lib/settings.ts is the one table of settings: the interfaces code takes, the tables of docs/settings.md, the readers
// of the environment and of stack config, the component's Args and the chart's props all follow it, so one entry is
// a setting on every surface that takes it, with one default and one check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Testing } from 'cdk8s';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { readStackSettings, readSynthSettings, resolveSettings, SETTINGS, settingsOf } from '../lib/settings';
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

test('every setting is read from somewhere: a variable, a stack key, the Args or the chart', () => {
  const unread = Object.entries(SETTINGS).filter(([, spec]) => !spec.env && !spec.stack && !spec.arg && !spec.chart).map(([name]) => name);
  expect(unread).toEqual([]);
});
