// The charts `cdk8s synth` writes: one snapshot each, all valid against the Kubernetes 1.27 schema, deterministic.
import { App, Testing } from 'cdk8s';
import { addGuideCharts, GUIDE_FILES, GuideCharts } from '../lib/guide-charts';
import { SecureNginxChart } from '../lib/secure-nginx-chart';
import { ServiceType } from '../lib/exposed-service';
import { Manifest, redactSecrets, synth, testCertificate, toYaml, validateSchema } from './helpers';

let charts: GuideCharts;
let pem: { certificatePem: string; privateKeyPem: string };

beforeAll(async () => {
  pem = await testCertificate();
  charts = addGuideCharts(Testing.app(), { tls: pem });
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
      addGuideCharts(app, { tls: pem });
      return app.synthYaml();
    };
    const first = yamlOf();
    expect(first.length).toBeGreaterThan(1000);
    expect(yamlOf()).toBe(first);
  });
});

describe('SecureNginxChart options', () => {
  test('hardening adds probes, resources and security contexts, and nothing else changes', () => {
    const plain = synth(new SecureNginxChart(Testing.app(), 'plain'));
    const hardened = synth(new SecureNginxChart(Testing.app(), 'hardened', { hardening: true }));
    expect(toYaml(hardened)).toMatchSnapshot();
    const nginx = hardened.find((o) => o.kind === 'Deployment' && o.metadata.name === 'my-nginx')!;
    const container = nginx.spec.template.spec.containers[0];
    expect(Object.keys(container).sort()).toEqual(
      ['image', 'livenessProbe', 'name', 'ports', 'readinessProbe', 'resources', 'securityContext', 'volumeMounts']);
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    const curl = hardened.find((o) => o.metadata.name === 'curl-deployment')!;
    expect(curl.spec.template.spec.containers[0].securityContext.runAsNonRoot).toBe(true);
    for (const object of hardened) expect(() => validateSchema(object)).not.toThrow();
    // Stripping what hardening adds gives back the plain chart.
    const stripped = structuredClone(hardened);
    for (const o of stripped) {
      const spec = o.spec?.template?.spec;
      if (!spec) continue;
      delete spec.automountServiceAccountToken;
      for (const c of spec.containers) for (const k of ['livenessProbe', 'readinessProbe', 'resources', 'securityContext']) delete c[k];
    }
    // The check Job's name follows its content, which hardening changed.
    const jobName = (objects: Manifest[]) => objects.find((o) => o.kind === 'Job')!.metadata;
    expect(jobName(stripped).name).not.toBe(jobName(plain).name);
    jobName(stripped).name = jobName(plain).name;
    expect(stripped).toEqual(plain);
  });

  test('a namespace, NodePort with fixed ports and service links off', () => {
    const objects = synth(new SecureNginxChart(Testing.app(), 'dev', {
      namespace: 'dev', serviceType: ServiceType.NODE_PORT, nodePorts: { http: 30080, https: 30443 }, enableServiceLinks: false, check: false,
    }));
    expect(objects.every((o) => o.metadata.namespace === 'dev')).toBe(true);
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports.map((p: Manifest) => p.nodePort)).toEqual([30080, 30443]);
    const nginx = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'my-nginx')!;
    expect(nginx.spec.template.spec.enableServiceLinks).toBe(false);
    expect(objects.some((o) => o.kind === 'Job')).toBe(false);
  });
});
