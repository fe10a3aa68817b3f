import 'reflect-metadata';
import { createHash, generateKeyPairSync, KeyObject, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { dirname, join } from 'node:path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { GuideConfigError } from '../../lib/validation';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { redact } from '../../scripts/review/redact';
import { isSynthSettingName } from '../../lib/synth-settings';
import { generateSelfSigned, SelfSignedOptions, SelfSignedPem } from '../../scripts/self-signed';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/**
 * A PEM block with any label and body, for stand-ins such as a fake or broken key: no real key is ever written
 * into the test sources.
 */
export function pemBlock(label: string, base64Body: string): string {
  return `-----BEGIN ${label}-----\n${base64Body}\n-----END ${label}-----\n`;
}

/** The guide's own files, as the project keeps them in test/fixtures/. */
export function fixtureText(name: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
}

/** Every document of a guide manifest, parsed. */
export function fixtureObjects(name: string): Manifest[] {
  return parseAllDocuments(fixtureText(name)).map((d) => d.toJS() as Manifest).filter((o) => o !== null);
}

/** The objects as the YAML `cdk8s synth` writes, so a snapshot diff reads like the dist/ diff it stands for. */
export function toYaml(objects: Manifest[]): string {
  return '\n' + Yaml.stringify(...objects);
}

export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart) as Manifest[];
}

/** The pod templates of the workloads among `objects` (Deployments, Jobs, ...), by `<kind>/<name>`. */
export function podTemplatesOf(objects: Manifest[]): [string, Manifest][] {
  return objects.filter((o) => o.spec?.template?.spec).map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template]);
}

/** The nginx Deployment of a synthesized chart (the guide's `my-nginx` unless named). */
export function nginxDeploymentOf(objects: Manifest[], name = 'my-nginx'): Manifest {
  return objectOf(objects, 'Deployment', name);
}

/** One object of a synthesized chart by kind (and name, where a chart has several of a kind). */
export function objectOf(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` "${name}"` : ''}, found ${found.length}`);
  }
  return found[0];
}

/**
 * Replaces Secret values (and the pod template's certificate fingerprint) with stable markers, so snapshots neither
 * change with every generated certificate nor ever hold a private key.
 */
export function redactSecrets(objects: Manifest[]): Manifest[] {
  return objects.map((o) => redact(o) as Manifest);
}

/** This process's environment without any synth setting, so a caller's own GUIDE_* variables never leak into a test. */
export function envWithoutSynthSettings(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !isSynthSettingName(name)));
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** Validates an object against the Kubernetes 1.27 OpenAPI schema (kubernetes-models); throws on the first error. */
export function validateSchema(object: Manifest): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema model for ${object.apiVersion}/${object.kind}: add it to MODELS`);
  new Model(object as never).validate();
}

const certificates = new Map<string, Promise<SelfSignedPem>>();

/**
 * A generated certificate and key for tests (cached per options, since RSA key generation is slow). Nothing goes
 * into git or the working tree; within a jest run they are shared through the run's own temporary folder.
 */
export function testCertificate(options: SelfSignedOptions = {}): Promise<TestPem> {
  const key = JSON.stringify(options);
  if (!certificates.has(key)) certificates.set(key, sharedInRun(key, () => generateSelfSigned({ modulusLength: 2048, ...options })));
  // The two PEMs only, so a test can spread them into props (a construct refuses props it does not have).
  return certificates.get(key)!.then(({ certificatePem, privateKeyPem }) => ({ certificatePem, privateKeyPem }));
}

/** A test certificate and its key. */
export type TestPem = Pick<SelfSignedPem, 'certificatePem' | 'privateKeyPem'>;

/**
 * One certificate per options for the whole run, not per test file: jest's global setup names the run's own
 * folder (removed after the run), where the first file to need it leaves it, owner-only, for the others.
 */
async function sharedInRun(key: string, generate: () => Promise<SelfSignedPem>): Promise<SelfSignedPem> {
  const runDir = process.env.JEST_GUIDE_RUN_DIR;
  if (runDir === undefined) return generate();
  const file = join(runDir, 'test-certificates', `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SelfSignedPem;
    return { ...saved, notAfter: new Date(saved.notAfter) };
  }
  const pem = await generate();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole, then renamed: a file running beside this one reads either nothing or all of it.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(pem), { mode: 0o600 });
  renameSync(partial, file);
  return pem;
}

/** The message of the GuideConfigError that building constructs in `chart` throws; fails if nothing is thrown. */
export function errorOf(build: (chart: Chart) => unknown, chart: Chart = Testing.chart()): string {
  try {
    build(chart);
  } catch (e) {
    expect(e).toBeInstanceOf(GuideConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a GuideConfigError, but the construct was built');
}

/** Key types for {@link certificateWith}, as node:crypto names them. */
export type TestKey = { type: 'rsa'; modulusLength: number } | { type: 'ec'; namedCurve: string } | { type: 'ed25519' };

/**
 * A certificate for the guide's Service names whose public key is of `key`'s kind (signed by a throwaway P-256 key,
 * so kinds WebCrypto cannot sign with work too) and whose extended key usages are `extendedKeyUsages` (OIDs), with
 * the matching private key. For the certificate checks; nothing is written anywhere.
 */
export async function certificateWith(key: TestKey, extendedKeyUsages?: string[]): Promise<Pick<SelfSignedPem, 'certificatePem' | 'privateKeyPem'>> {
  const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
  const signer = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pair = generateKeyPairSync(key.type as any, key as any) as unknown as { publicKey: KeyObject; privateKey: KeyObject };
  const names = ['my-nginx', 'my-nginx.default', 'my-nginx.default.svc', 'my-nginx.default.svc.cluster.local'];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: 'CN=my-nginx',
    issuer: 'CN=my-nginx',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    publicKey: new x509.PublicKey(pair.publicKey.export({ type: 'spki', format: 'der' })),
    signingKey: signer.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
      ...(extendedKeyUsages ? [new x509.ExtendedKeyUsageExtension(extendedKeyUsages)] : []),
    ],
  }, crypto);
  return {
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  };
}
