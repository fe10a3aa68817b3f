// The charts `cdk8s synth` writes: one snapshot each, all valid against the Kubernetes 1.27 schema, deterministic.
import { App, Testing } from 'cdk8s';
import { addGuideCharts, GUIDE_FILES, GuideCharts } from '../lib/guide-charts';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { ServiceType } from '../lib/exposed-service';
import { Manifest, nginxDeploymentOf, redactSecrets, synth, testCertificate, toYaml, validateSchema } from './support/helpers';

let charts: GuideCharts;
let pem: { certificatePem: string; privateKeyPem: string };

beforeAll(async () => {
  pem = await testCertificate();
  charts = addGuideCharts(Testing.app(), { tls: { from: 'pem', ...pem } });
});

function allCharts(c: GuideCharts) {
  return Object.entries(c).filter(([, chart]) => chart !== undefined) as [keyof GuideCharts, NonNullable<GuideCharts[keyof GuideCharts]>][];
}

describe('the guide charts', () => {
  test('one chart per dist/ file, named after the guide\'s manifests', () => {
    expect(allCharts(charts).map(([, chart]) => chart.node.id).sort()).toEqual(Object.values(GUIDE_FILES).sort());
  });

  test.each(Object.keys(GUIDE_FILES))('chart %s matches its snapshot (key material redacted)', (key) => {
    const chart = charts[key as keyof GuideCharts]!;
    expect(toYaml(redactSecrets(synth(chart)))).toMatchSnapshot();
  });

  test('every object is valid against the Kubernetes 1.27 schema', () => {
    const objects = allCharts(charts).flatMap(([, chart]) => synth(chart));
    expect(objects.length).toBe(13);
    for (const object of objects) expect(() => validateSchema(object)).not.toThrow();
  });

  test('the schema check catches what the constructs cannot express', () => {
    const deployment = structuredClone(synth(charts.runMyNginx)[0]) as Manifest;
    deployment.spec.template.spec.containers[0].ports[0].containerPort = '80';
    expect(() => validateSchema(deployment)).toThrow('containerPort must be integer');
  });

  test('names the guide depends on', () => {
    const finalObjects = synth(charts.finalState);
    expect(finalObjects.map((o) => o.metadata.name.replace(/-[0-9a-f]{8}$/, '-<hash>'))).toEqual(
      ['nginxsecret', 'nginxconfigmap', 'my-nginx', 'my-nginx', 'curl-deployment', 'my-nginx-https-check-<hash>']);
    expect(charts.finalState.service.name).toBe('my-nginx');
    expect(charts.finalState.tls.name).toBe('nginxsecret');
  });
});

describe('secrets', () => {
  test('no snapshot or synthesized file holds the private key unless the Secret is embedded on purpose', () => {
    const keyBase64 = Buffer.from(pem.privateKeyPem).toString('base64');
    const embedded = JSON.stringify(synth(charts.secret!));
    expect(embedded).toContain(keyBase64);
    expect(JSON.stringify(redactSecrets(synth(charts.secret!)))).not.toContain(keyBase64);

    const referenced = addGuideCharts(Testing.app());
    expect(referenced.secret).toBeUndefined();
    const all = allCharts(referenced).flatMap(([, chart]) => synth(chart));
    expect(all.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('determinism', () => {
  test('two synths of the same inputs are byte-identical', () => {
    const yamlOf = () => {
      const app = new App({ outdir: Testing.app().outdir });
      addGuideCharts(app, { tls: { from: 'pem', ...pem } });
      return app.synthYaml();
    };
    const first = yamlOf();
    expect(first.length).toBeGreaterThan(1000);
    expect(yamlOf()).toBe(first);
  });
});

describe('SecureNginxChart options', () => {
  test('hardening: nginx runs unprivileged behind the guide\'s Service ports; the curl pods differ by security and an idle loop that ends on SIGTERM', () => {
    const plain = synth(new SecureNginxChart(Testing.app(), 'plain'));
    const hardened = synth(new SecureNginxChart(Testing.app(), 'hardened', { hardening: true }));
    expect(toYaml(hardened)).toMatchSnapshot();
    for (const object of hardened) expect(() => validateSchema(object)).not.toThrow();

    // Clients see no difference: the Service's ports are the guide's; only the targets inside the pod move.
    const ports = (objects: Manifest[]) => objects.find((o) => o.kind === 'Service')!.spec.ports;
    expect(ports(hardened).map((p: Manifest) => [p.name, p.port])).toEqual(ports(plain).map((p: Manifest) => [p.name, p.port]));
    expect(ports(hardened).map((p: Manifest) => p.targetPort ?? p.port)).toEqual([8080, 8443]);
    const nginx = nginxDeploymentOf(hardened);
    const container = nginx.spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ containerPort: 8443 }, { containerPort: 8080 }]);
    // Ready only once https answers; alive as long as plain http does.
    expect(container.readinessProbe.httpGet).toEqual({ path: '/', port: 8443, scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet.port).toBe(8080);
    // default.conf listens where the container serves.
    const conf = hardened.find((o) => o.kind === 'ConfigMap')!.data['default.conf'];
    expect([...conf.matchAll(/^\s*listen\s+(\S+)/gm)].map((m: RegExpMatchArray) => m[1])).toEqual(['8080', '[::]:8080', '8443']);
    // Writable paths on emptyDir, the rest read-only.
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.volumeMounts.filter((m: Manifest) => ['/var/cache/nginx', '/var/run', '/tmp'].includes(m.mountPath)).length).toBe(3);

    // The curl client and the check Job gain security, probes and resources.
    const strip = (o: Manifest) => {
      const copy = structuredClone(o);
      const spec = copy.spec.template.spec;
      delete spec.automountServiceAccountToken;
      for (const c of spec.containers) for (const k of ['resources', 'securityContext']) delete c[k];
      return copy;
    };
    const curlOf = (objects: Manifest[]) => objects.filter((o) => (o.kind === 'Deployment' && o.metadata.name === 'curl-deployment') || o.kind === 'Job');
    const [hardenedCurl, hardenedJob] = curlOf(hardened).map(strip);
    const [plainCurl, plainJob] = curlOf(plain);
    // And the client's idle loop ends on SIGTERM, so drains and rollouts need not wait out its grace period.
    const idle = (o: Manifest) => o.spec.template.spec.containers[0].command;
    expect(idle(hardenedCurl)).toEqual(['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"]);
    expect(idle(plainCurl)).toEqual(['sh', '-c', 'while true; do sleep 1; done']);
    expect({ ...hardenedCurl, spec: { ...hardenedCurl.spec, template: { ...hardenedCurl.spec.template, spec: {
      ...hardenedCurl.spec.template.spec, containers: [{ ...hardenedCurl.spec.template.spec.containers[0], command: idle(plainCurl) }] } } } })
      .toEqual(plainCurl);
    // The Job's name follows its content, which hardening changed.
    expect(hardenedJob.metadata.name).not.toBe(plainJob.metadata.name);
    expect({ ...hardenedJob, metadata: { ...hardenedJob.metadata, name: plainJob.metadata.name } }).toEqual(plainJob);
  });

  test('a namespace, NodePort with fixed ports and service links off', () => {
    const objects = synth(new SecureNginxChart(Testing.app(), 'dev', {
      namespace: 'dev', serviceType: ServiceType.NODE_PORT, nodePorts: { http: 30080, https: 30443 }, enableServiceLinks: false, check: false,
    }));
    expect(objects.every((o) => o.metadata.namespace === 'dev')).toBe(true);
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports.map((p: Manifest) => p.nodePort)).toEqual([30080, 30443]);
    const nginx = nginxDeploymentOf(objects);
    expect(nginx.spec.template.spec.enableServiceLinks).toBe(false);
    expect(objects.some((o) => o.kind === 'Job')).toBe(false);
  });
});
