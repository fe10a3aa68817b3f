import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { CurlProbe } from '../lib/curl-probe';
import { ExposedService, ServiceType } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { Manifest, objectOf, synth } from './support/helpers';

function probeFor(chart: Chart, layout = TlsSecretLayout.KUBERNETES_TLS, ports?: { name: string; port: number; targetPort?: number }[]) {
  const app = new NginxApp(chart, 'App', { tls: TlsSecret.fromExisting(chart, 'Secret', { layout }) });
  return new CurlProbe(chart, 'Curl', { service: new ExposedService(chart, 'Service', { app, type: ServiceType.NODE_PORT, ports }) });
}

/** Runs the check Job's script with stand-ins for nslookup and curl, and returns its exit code and output. */
function runCheck(job: Manifest, curlAnswer: { exitCode: number; body: string }, nslookupExit = 0) {
  const bin = mkdtempSync(join(tmpdir(), 'guide-check-'));
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "$0 $*" >> ${bin}/calls\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('nslookup', `exit ${nslookupExit}`);
  stub('curl', `printf '%s' '${curlAnswer.body}'; exit ${curlAnswer.exitCode}`);
  const [shell, flag, script] = job.spec.template.spec.containers[0].command;
  const result = spawnSync(shell, [flag, script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
  const calls = spawnSync('cat', [join(bin, 'calls')], { encoding: 'utf8' }).stdout;
  return { status: result.status, stdout: result.stdout, calls };
}

describe('CurlProbe', () => {
  test('is the guide\'s curl-deployment, mounting the Secret of the Service\'s app', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const probe = probeFor(chart);
    // THEN
    expect(probe.name).toBe('curl-deployment');
    const spec = objectOf(synth(chart), 'Deployment', 'curl-deployment').spec;
    expect(spec.selector.matchLabels).toEqual({ app: 'curlpod' });
    expect(spec.template.spec.volumes).toEqual([{ name: 'secret-volume', secret: { secretName: 'nginxsecret' } }]);
    expect(spec.template.spec.containers[0].command).toEqual(['sh', '-c', 'while true; do sleep 1; done']);
  });

  test('the check trusts the Secret\'s certificate file: tls.crt, or nginx.crt for the ja layout', () => {
    expect(probeFor(Testing.chart()).caCertPath).toBe('/etc/nginx/ssl/tls.crt');
    expect(probeFor(Testing.chart(), TlsSecretLayout.LEGACY_OPAQUE).caCertPath).toBe('/etc/nginx/ssl/nginx.crt');
  });

  test('the URL carries the port only when it is not 443', () => {
    expect(probeFor(Testing.chart()).url).toBe('https://my-nginx');
    expect(probeFor(Testing.chart(), undefined, [{ name: 'https', port: 8443, targetPort: 443 }]).url).toBe('https://my-nginx:8443');
  });

  describe('the one-shot check Job', () => {
    const chart = Testing.chart();
    probeFor(chart).addCheck();
    const job = objectOf(synth(chart), 'Job');

    test('is a Job that never restarts in place and retries a few times', () => {
      expect(job.metadata.name).toMatch(/^my-nginx-https-check-[0-9a-f]{8}$/);
      expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
      expect(job.spec.backoffLimit).toBe(6);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
    });

    test('passes when nginx answers its welcome page over verified https', () => {
      const run = runCheck(job, { exitCode: 0, body: '<html><title>Welcome to nginx!</title></html>' });
      expect(run.status).toBe(0);
      expect(run.calls).toContain('nslookup my-nginx');
      expect(run.calls).toContain('curl --fail --silent --show-error --max-time 10 --cacert /etc/nginx/ssl/tls.crt https://my-nginx');
      expect(run.stdout).toContain('ok: https://my-nginx');
    });

    test('fails when curl fails (e.g. the certificate is not trusted: exit 60)', () => {
      expect(runCheck(job, { exitCode: 60, body: '' }).status).not.toBe(0);
    });

    test('fails when the page is not nginx\'s', () => {
      expect(runCheck(job, { exitCode: 0, body: '<title>Something else</title>' }).status).not.toBe(0);
    });

    test('fails when the Service name does not resolve', () => {
      const run = runCheck(job, { exitCode: 0, body: '<title>Welcome to nginx!</title>' }, 1);
      expect(run.status).not.toBe(0);
      expect(run.calls).not.toContain('curl');
    });
  });
});
