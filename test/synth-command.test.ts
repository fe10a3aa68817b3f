// `npm run synth` as a user runs it: settings from the environment, one error line and an untouched dist/ on bad
// input, and a dist/ whose top level is one defined state (`kubectl apply -f dist/`).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SYNTH_VARIABLES } from '../lib/synth-settings';
import { writePemFiles } from '../scripts/self-signed';
import { envWithoutSynthSettings, Manifest, nginxDeploymentOf, testCertificate } from './support/helpers';

const root = join(__dirname, '..');
// A folder of the test's own as the current one: synth writes its dist/ there and looks for .keys/ there, so the
// working tree's dist/ and .keys/ are neither touched nor read.
const work = mkdtempSync(join(tmpdir(), 'guide-synth-'));
const dist = join(work, 'dist');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function synth(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'synth.js')], { cwd: work, env: { ...envWithoutSynthSettings(), ...env }, encoding: 'utf8' });
}

/** Every file under dist/ with a hash of its bytes. */
function listing(dir = dist, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) Object.assign(out, listing(path, `${prefix}${entry}/`));
    else out[`${prefix}${entry}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

const objectsIn = (file: string): Manifest[] => parseAllDocuments(readFileSync(join(dist, file), 'utf8')).map((d) => d.toJS());

describe('npm run synth', () => {
  let before: Record<string, string>;
  beforeAll(() => {
    const run = synth();
    expect(run.stderr.replace(/^compiling .*\n/, '')).toBe('');
    expect(run.status).toBe(0);
    before = listing();
  }, 60_000);

  test('the top level of dist/ is the final state alone; the steps are numbered in the guide\'s order in dist/steps/', () => {
    expect(Object.keys(before)).toEqual([
      'guide-final-state.k8s.yaml',
      'steps/1-run-my-nginx.k8s.yaml',
      'steps/2-nginx-svc.k8s.yaml',
      'steps/4-nginxconfigmap.k8s.yaml',
      'steps/5-nginx-secure-app.k8s.yaml',
      'steps/6-curlpod.k8s.yaml',
    ]);
    // Every object is defined once at the top level, so `kubectl apply -f dist/` gives one state, not a mix of steps.
    const ids = objectsIn('guide-final-state.k8s.yaml').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('twice gives byte-identical files', () => {
    expect(synth().status).toBe(0);
    expect(listing()).toEqual(before);
  });

  const BAD_SETTINGS: [Record<string, string>, string][] = [
    [{ GUIDE_REPLICAS: 'two' }, 'error: environment: GUIDE_REPLICAS "two" is not a whole number of at least 0 in decimal digits: set e.g. GUIDE_REPLICAS=2'],
    [{ GUIDE_REPLICAS: '0x2' }, 'error: environment: GUIDE_REPLICAS "0x2" is not a whole number of at least 0 in decimal digits: set e.g. GUIDE_REPLICAS=2'],
    // NginxApp's rule, restated in the terms of the two variables that made it, with a fix an environment user can set.
    [{ GUIDE_HARDENING: 'true', GUIDE_IMAGES: 'guide' }, 'error: environment: GUIDE_HARDENING "true" and GUIDE_IMAGES "guide" give NginxApp "my-nginx" '
      + 'hardening cannot work with imageSet\'s image "bprashanth/nginxhttps:1.0": its nginx (bprashanth/nginxhttps:1.0) runs as root on 80 and 443 '
      + 'from a default.conf of its own, and restricted pods have no root to bind those ports: use an official nginx image (GUIDE_IMAGES=pinned, or '
      + 'GUIDE_NGINX_IMAGE=nginx:1.27.4) with an NginxConfig, or set GUIDE_HARDENING=false'],
    [{ GUIDE_HARDENING: 'true', GUIDE_NGINX_IMAGE: 'bprashanth/nginxhttps:1.0' }, 'error: environment: GUIDE_HARDENING "true" and GUIDE_NGINX_IMAGE '
      + '"bprashanth/nginxhttps:1.0" give NginxApp "my-nginx" hardening cannot work with image "bprashanth/nginxhttps:1.0": its nginx '
      + '(bprashanth/nginxhttps:1.0) runs as root on 80 and 443 from a default.conf of its own, and restricted pods have no root to bind those '
      + 'ports: use an official nginx image (GUIDE_IMAGES=pinned, or GUIDE_NGINX_IMAGE=nginx:1.27.4) with an NginxConfig, or set GUIDE_HARDENING=false'],
    [{ GUIDE_SERVICE_TYPE: 'Ingress' }, 'error: environment: GUIDE_SERVICE_TYPE "Ingress" is not one of "ClusterIP", "NodePort", "LoadBalancer": '
      + 'set e.g. GUIDE_SERVICE_TYPE=ClusterIP'],
    [{ GUIDE_NAMESPACE: 'My_Shop' }, 'error: environment: GUIDE_NAMESPACE "My_Shop" is not a valid DNS-1123 label: use at most 63 lower-case '
      + 'letters, digits and \'-\', starting and ending with a letter or digit (e.g. "my-nginx")'],
    [{ GUIDE_CURL_IMAGE: 'curl image:8' }, 'error: environment: GUIDE_CURL_IMAGE "curl image:8" is not a valid image reference '
      + '(it contains white space): set e.g. GUIDE_CURL_IMAGE=curlimages/curl:8.18.0'],
    [{ GUIDE_HARDENING: 'yes' }, 'error: environment: GUIDE_HARDENING "yes" is not true or false: set e.g. GUIDE_HARDENING=true'],
    [{ GUIDE_REPLICA: '3' }, `error: environment: GUIDE_REPLICA is not a synth setting: did you mean GUIDE_REPLICAS? use one of ${Object.keys(SYNTH_VARIABLES).join(', ')}`],
    [{ GUIDE_TLS_KEYS: '/nonexistent' }, 'error: environment: GUIDE_TLS_KEYS "/nonexistent" gives TlsSecret "nginxsecret" certificateFile '
      + '"/nonexistent/tls.crt" cannot be read (ENOENT): check the path'],
  ];
  // Each bad setting is a process of its own: run them side by side, then check each on its own.
  const badRuns = new Map<Record<string, string>, { status: number; stderr: string; stdout: string }>();
  beforeAll(async () => {
    await Promise.all(BAD_SETTINGS.map(([env]) => new Promise<void>((done) => {
      execFile(process.execPath, [join(root, 'scripts', 'synth.js')], { cwd: work, env: { ...envWithoutSynthSettings(), ...env }, encoding: 'utf8' },
        (error, stdout, stderr) => { badRuns.set(env, { status: error ? Number(error.code) : 0, stdout, stderr }); done(); });
    })));
  }, 60_000);

  test.each(BAD_SETTINGS)('bad setting %j: one error line, exit 1, and dist/ as it was', (env, message) => {
    const run = badRuns.get(env)!;
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`${message}\n`);
    expect(run.stdout).toBe('');
    expect(listing()).toEqual(before);
    expect(readdirSync(work).filter((f) => f.startsWith('dist.'))).toEqual([]);
  });

  test('with GUIDE_TLS_KEYS every file that holds the private key is created owner-only (0600)', async () => {
    const keys = join(work, 'keys');
    const files = writePemFiles(keys, await testCertificate());
    expect(statSync(files.privateKeyFile).mode & 0o777).toBe(0o600);
    const run = synth({ GUIDE_TLS_KEYS: keys });
    expect(run.stderr).toBe('');
    const keyBase64 = Buffer.from(readFileSync(files.privateKeyFile)).toString('base64');
    const holding = Object.keys(listing()).filter((f) => readFileSync(join(dist, f), 'utf8').includes(keyBase64));
    expect(holding).toEqual(['guide-final-state.k8s.yaml', 'steps/3-nginxsecret.k8s.yaml']);
    for (const f of holding) expect((statSync(join(dist, f)).mode & 0o777).toString(8)).toBe('600');
    expect(synth().status).toBe(0);
    expect(listing()).toEqual(before);
  });

  test('a certificate the constructs refuse is reported as GUIDE_TLS_KEYS\'s, the setting that gave it', async () => {
    const keys = join(work, 'other-namespace-keys');
    writePemFiles(keys, await testCertificate({ namespace: 'elsewhere' }));
    const run = synth({ GUIDE_TLS_KEYS: keys, GUIDE_NAMESPACE: 'shop' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: environment: GUIDE_TLS_KEYS "${keys}" gives TlsSecret "nginxsecret" the certificate in `
      + `certificateFile "${keys}/tls.crt" does not cover my-nginx.shop, my-nginx.shop.svc, my-nginx.shop.svc.cluster.local \\(it names `));
    expect(listing()).toEqual(before);
  });

  test('namespace, Service type, replicas, images, hardening and check reach the final state', () => {
    const run = synth({
      GUIDE_NAMESPACE: 'shop', GUIDE_SERVICE_TYPE: 'NodePort', GUIDE_REPLICAS: '3', GUIDE_NGINX_IMAGE: 'nginx:1.29.0',
      GUIDE_CURL_IMAGE: 'curlimages/curl:8.17.0', GUIDE_HARDENING: 'true', GUIDE_CHECK: 'false',
    });
    expect(run.stderr).toBe('');
    const objects = objectsIn('guide-final-state.k8s.yaml');
    expect(objects.map((o) => o.metadata.namespace)).toEqual(objects.map(() => 'shop'));
    expect(objects.find((o) => o.kind === 'Service')!.spec.type).toBe('NodePort');
    const nginx = nginxDeploymentOf(objects);
    expect(nginx.spec.replicas).toBe(3);
    expect(nginx.spec.template.spec.containers[0].image).toBe('nginx:1.29.0');
    expect(nginx.spec.template.spec.containers[0].securityContext).toBeDefined();
    expect(objects.find((o) => o.metadata.name === 'curl-deployment')!.spec.template.spec.containers[0].image).toBe('curlimages/curl:8.17.0');
    expect(objects.some((o) => o.kind === 'Job')).toBe(false);
    // The steps stay the guide's, in the chosen namespace.
    const step1 = objectsIn('steps/1-run-my-nginx.k8s.yaml')[0];
    expect([step1.metadata.namespace, step1.spec.replicas]).toEqual(['shop', 2]);
    expect(synth().status).toBe(0);
    expect(listing()).toEqual(before);
  });

  test('autoscaling, metrics and a PodMonitor reach the final state, with the defaults of the settings they leave unset', () => {
    const run = synth({ GUIDE_HARDENING: 'true', GUIDE_AUTOSCALING: 'true', GUIDE_MAX_REPLICAS: '4', GUIDE_METRICS: 'true', GUIDE_POD_MONITOR: 'true' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const objects = objectsIn('guide-final-state.k8s.yaml');
    const nginx = nginxDeploymentOf(objects);
    expect(nginx.spec).not.toHaveProperty('replicas');
    expect(nginx.spec.template.spec.containers.map((c: Manifest) => c.name)).toEqual(['nginxhttps', 'exporter']);
    expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(objects.find((o) => o.kind === 'PodMonitor')!.metadata.name).toBe('my-nginx');
    expect(objects.find((o) => o.metadata.name === 'my-nginx-metrics')!.spec.ingress[0].from[0].namespaceSelector.matchLabels)
      .toEqual({ 'kubernetes.io/metadata.name': 'monitoring' });
    expect(synth().status).toBe(0);
    expect(listing()).toEqual(before);
  });

  test('--output writes elsewhere with the same files; an unknown argument is one error line, exit 2', () => {
    const elsewhere = join(work, 'elsewhere');
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'synth.js'), '--output', elsewhere],
      { cwd: work, env: envWithoutSynthSettings(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(listing(elsewhere)).toEqual(before);
    const bad = spawnSync(process.execPath, [join(root, 'scripts', 'synth.js'), '--force'], { cwd: work, env: envWithoutSynthSettings(), encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('error: unexpected arguments ["--force"]: use npm run synth -- [--output DIR]\n');
    expect(listing()).toEqual(before);
  });
});
