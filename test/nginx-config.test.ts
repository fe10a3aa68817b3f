import { Testing } from 'cdk8s';
import { NginxConfig } from '../lib/nginx-config';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { fixtureText, objectOf, synth } from './support/helpers';

describe('NginxConfig', () => {
  test('holds the guide\'s default.conf under the key default.conf', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const config = new NginxConfig(chart, 'Config');
    // THEN
    expect(config.name).toBe('nginxconfigmap');
    expect(objectOf(synth(chart), 'ConfigMap').data).toEqual({ 'default.conf': fixtureText('nginx-default.conf') + '\n' });
    expect(config.sslFiles).toEqual(['tls.crt', 'tls.key']);
  });

  test('for the legacy Secret layout it is the pre-2018 default.conf with nginx.crt and nginx.key', () => {
    const chart = Testing.chart();
    const tls = TlsSecret.fromExisting(chart, 'Secret', { layout: TlsSecretLayout.LEGACY_OPAQUE });
    const config = new NginxConfig(chart, 'Config', { tls });
    expect(config.defaultConf).toBe(fixtureText('nginx-default.v-old.conf'));
    expect(config.sslFiles).toEqual(['nginx.crt', 'nginx.key']);
  });

  test('a default.conf of the user\'s own replaces the guide\'s', () => {
    const chart = Testing.chart();
    const config = new NginxConfig(chart, 'Config', { name: 'plain', defaultConf: 'server { listen 80; }\n' });
    expect(objectOf(synth(chart), 'ConfigMap')).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { 'default.conf': 'server { listen 80; }\n' },
    });
    expect(config.sslFiles).toEqual([]);
  });
});
