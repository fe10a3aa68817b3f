// Parity with the guide: with the guide's values the charts are the guide's objects, field for field.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { addGuideCharts, GuideCharts } from '../lib/guide-charts';
import { IMAGES, ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { ExposedService, ServiceType } from '../lib/exposed-service';
import { writePemFiles } from '../scripts/self-signed';
import { TlsSecret, TlsSecretLayout } from '../lib/tls-secret';
import { fixtureObjects, fixtureText, Manifest, objectOf, synth, testCertificate } from './support/helpers';

const GUIDE_FILES = ['run-my-nginx.yaml', 'nginx-svc.yaml', 'nginx-secure-app.yaml', 'curlpod.yaml'] as const;

function chartFor(charts: GuideCharts, file: typeof GUIDE_FILES[number]) {
  return {
    'run-my-nginx.yaml': charts.runMyNginx,
    'nginx-svc.yaml': charts.nginxSvc,
    'nginx-secure-app.yaml': charts.secureApp,
    'curlpod.yaml': charts.curlPod,
  }[file];
}

/** Every container image of a list of objects, in order. */
function imagesOf(objects: Manifest[]): string[] {
  return objects.flatMap((o) => o.spec?.template?.spec?.containers?.map((c: Manifest) => c.image) ?? []);
}

function withImages(objects: Manifest[], images: string[]): Manifest[] {
  const copy = structuredClone(objects);
  let i = 0;
  for (const o of copy) for (const c of o.spec?.template?.spec?.containers ?? []) c.image = images[i++];
  return copy;
}

describe('with the guide\'s images', () => {
  // GIVEN the guide's charts with ImageSet.GUIDE
  const charts = addGuideCharts(Testing.app(), { imageSet: ImageSet.GUIDE });

  test.each(GUIDE_FILES)('%s is reproduced exactly, in the same order', (file) => {
    // WHEN
    const objects = synth(chartFor(charts, file));
    // THEN
    expect(objects).toEqual(fixtureObjects(file));
  });
});

describe('with the default, pinned images', () => {
  const charts = addGuideCharts(Testing.app());

  test.each(GUIDE_FILES)('%s differs from the guide only in its images', (file) => {
    const objects = synth(chartFor(charts, file));
    const guide = fixtureObjects(file);
    expect(withImages(objects, imagesOf(guide))).toEqual(guide);
  });

  test('the images are pinned to a tag, never the guide\'s unpullable ones', () => {
    const images = GUIDE_FILES.flatMap((f) => imagesOf(synth(chartFor(charts, f))));
    expect(images).toEqual(['nginx:1.27.4', 'nginx:1.27.4', 'curlimages/curl:8.18.0']);
    for (const image of images) {
      expect(image).toMatch(/:[\w.-]+$/);
      expect([IMAGES.guide.nginxHttps, IMAGES.guide.curl]).not.toContain(image);
    }
  });
});

describe('the Japanese page\'s variant', () => {
  test('legacy Secret layout without a ConfigMap gives nginx-secure-app.yaml as the ja page shows it', () => {
    // GIVEN
    const chart = Testing.chart();
    const tls = TlsSecret.fromExisting(chart, 'Secret', { layout: TlsSecretLayout.LEGACY_OPAQUE });
    // WHEN
    const app = new NginxApp(chart, 'App', { tls, imageSet: ImageSet.GUIDE });
    new ExposedService(chart, 'Service', { app, type: ServiceType.NODE_PORT });
    // THEN
    expect(synth(chart)).toEqual(fixtureObjects('nginx-secure-app.v-old.yaml'));
  });
});

describe('what kubectl makes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guide-parity-'));

  function kubectl(...args: string[]): Manifest {
    const out = parse(execFileSync('kubectl', [...args, '--dry-run=client', '-o', 'yaml'], { cwd: dir, encoding: 'utf8' }));
    delete out.metadata.creationTimestamp;
    return out;
  }

  test('the ConfigMap equals `kubectl create configmap nginxconfigmap --from-file=default.conf`', () => {
    // GIVEN the https-nginx example's default.conf: the guide's nginx-default.conf plus the final newline it lost
    writeFileSync(join(dir, 'default.conf'), fixtureText('nginx-default.conf') + '\n');
    // WHEN
    const ours = objectOf(synth(addGuideCharts(Testing.app()).configMap), 'ConfigMap');
    // THEN
    expect(ours).toEqual(kubectl('create', 'configmap', 'nginxconfigmap', '--from-file=default.conf'));
  });

  test('the Secret equals `kubectl create secret tls nginxsecret --cert --key`', async () => {
    const pem = await testCertificate();
    writePemFiles(dir, pem);
    const charts = addGuideCharts(Testing.app(), { tls: { from: 'pem', certificatePem: pem.certificatePem, privateKeyPem: pem.privateKeyPem } });
    const ours = objectOf(synth(charts.secret!), 'Secret');
    expect(ours).toEqual(kubectl('create', 'secret', 'tls', 'nginxsecret', '--cert', 'tls.crt', '--key', 'tls.key'));
  });

  test('the Deployment of run-my-nginx.yaml has what `kubectl create deployment` sets, plus the guide\'s run label', () => {
    const ours = objectOf(synth(addGuideCharts(Testing.app(), { imageSet: ImageSet.GUIDE }).runMyNginx), 'Deployment');
    const generated = kubectl('create', 'deployment', 'my-nginx', '--image=nginx', '--port=80', '--replicas=2');
    expect(ours.spec.template.spec.containers[0].image).toBe(generated.spec.template.spec.containers[0].image);
    expect(ours.spec.template.spec.containers[0].ports).toEqual(generated.spec.template.spec.containers[0].ports);
    expect(ours.spec.replicas).toBe(generated.spec.replicas);
  });
});

describe('the final state', () => {
  test('puts the ConfigMap first (no Secret: it is referenced) and the Service before the Deployment it fronts', () => {
    const objects = synth(addGuideCharts(Testing.app()).finalState);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`.replace(/-[0-9a-f]{8}$/, '-<hash>'))).toEqual([
      'ConfigMap/nginxconfigmap',
      'Service/my-nginx',
      'Deployment/my-nginx',
      'Deployment/curl-deployment',
      'Job/my-nginx-https-check-<hash>',
    ]);
    expect(objectOf(objects, 'Service').spec.type).toBe('LoadBalancer');
  });
});
