import { Testing } from 'cdk8s';
import { NginxConfig } from '../lib/nginx-config';
import { NginxApp } from '../lib/nginx-app';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
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
    expect(config.filesRead.map((f) => f.path)).toEqual(['/etc/nginx/ssl/tls.crt', '/etc/nginx/ssl/tls.key']);
  });

  test('for the legacy Secret layout it is the pre-2018 default.conf with nginx.crt and nginx.key', () => {
    const chart = Testing.chart();
    const tls = TlsSecret.fromExisting(chart, 'Secret', { layout: TlsSecretLayout.LEGACY_OPAQUE });
    const config = new NginxConfig(chart, 'Config', { tls });
    expect(config.defaultConf).toBe(fixtureText('nginx-default.v-old.conf'));
    expect(config.filesRead.map((f) => f.path)).toEqual(['/etc/nginx/ssl/nginx.crt', '/etc/nginx/ssl/nginx.key']);
  });

  test('a default.conf of the user\'s own replaces the guide\'s', () => {
    const chart = Testing.chart();
    const config = new NginxConfig(chart, 'Config', { name: 'plain', defaultConf: 'server { listen 80; }\n' });
    expect(objectOf(synth(chart), 'ConfigMap')).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { 'default.conf': 'server { listen 80; }\n' },
    });
    expect(config.filesRead).toEqual([]);
  });

  describe('certificateLoading', () => {
    test("'per-handshake' puts a variable in ssl_certificate, so nginx reads the renewed files at each handshake", () => {
      // GIVEN
      const chart = Testing.chart();
      // WHEN
      const config = new NginxConfig(chart, 'Config', { certificateLoading: 'per-handshake' });
      // THEN: the map gives the variable the Secret's folder; the guide's server block is otherwise unchanged
      expect(config.certificateLoading).toBe('per-handshake');
      expect(config.defaultConf).toBe('map $ssl_server_name $guide_ssl_dir {\n        default /etc/nginx/ssl;\n}\n\n'
        + fixtureText('nginx-default.conf').replace(/\/etc\/nginx\/ssl\//g, '$guide_ssl_dir/') + '\n');
      expect(config.filesRead.map((f) => f.path)).toEqual(['/etc/nginx/ssl/tls.crt', '/etc/nginx/ssl/tls.key']);
    });

    test("is 'at-start' (the guide's default.conf) unless asked, and a user's default.conf says which it is", () => {
      const chart = Testing.chart();
      expect(new NginxConfig(chart, 'Guide').certificateLoading).toBe('at-start');
      const own = new NginxConfig(chart, 'Own', { name: 'own', defaultConf: 'server { listen 443 ssl; ssl_certificate /etc/nginx/ssl/tls.crt; }\n' });
      expect(own.certificateLoading).toBe('at-start');
      const oneLine = new NginxConfig(chart, 'Line', { name: 'line', defaultConf: 'server { listen 443 ssl; ssl_certificate $d/tls.crt; }\n' });
      expect(oneLine.certificateLoading).toBe('per-handshake');
      const perHandshake = new NginxConfig(chart, 'Vars', { name: 'vars', defaultConf: 'server {\n  listen 443 ssl;\n  ssl_certificate $dir/tls.crt;\n}\n' });
      expect(perHandshake.certificateLoading).toBe('per-handshake');
    });

    test('is refused with a default.conf of the user\'s, which decides it', () => {
      expect(() => new NginxConfig(Testing.chart(), 'Config', { defaultConf: 'server { listen 80; }\n', certificateLoading: 'per-handshake' }))
        .toThrow('NginxConfig "nginxconfigmap": certificateLoading is given with defaultConf, which then decides when nginx reads the certificate');
    });

    test('the production preset reads the certificate per handshake; the guide at start', () => {
      const preset = new SecureNginxChart(Testing.app(), 'prod', { hardening: true });
      const guide = new SecureNginxChart(Testing.app(), 'guide');
      expect([preset.config.certificateLoading, guide.config.certificateLoading]).toEqual(['per-handshake', 'at-start']);
      const app = new NginxApp(Testing.chart(), 'app', { tls: TlsSecret.fromExisting(Testing.chart(), 'tls'), hardening: true });
      expect(app.config?.certificateLoading).toBe('per-handshake');
    });

    test('an NginxApp takes it for the config it makes, and refuses it with a config of the user\'s or without tls', () => {
      const chart = Testing.chart();
      const tls = TlsSecret.fromExisting(chart, 'tls');
      expect(new NginxApp(chart, 'a', { name: 'a', tls, hardening: true, certificateLoading: 'at-start' }).config?.certificateLoading).toBe('at-start');
      expect(new NginxApp(chart, 'b', { name: 'b', tls, certificateLoading: 'per-handshake' }).config?.certificateLoading).toBe('per-handshake');
      const config = new NginxConfig(chart, 'conf', { tls });
      expect(() => new NginxApp(chart, 'c', { name: 'c', tls, config, certificateLoading: 'per-handshake' }))
        .toThrow('NginxApp "c": certificateLoading is given with config "nginxconfigmap", whose default.conf decides when nginx reads the certificate: set certificateLoading on that NginxConfig instead');
      expect(() => new NginxApp(chart, 'd', { name: 'd', certificateLoading: 'per-handshake' }))
        .toThrow('NginxApp "d": certificateLoading "per-handshake" is given without tls: there is no certificate to read');
    });
  });
});
