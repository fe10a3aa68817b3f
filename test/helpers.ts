import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing, Yaml } from 'cdk8s';
import { GuideConfigError } from '../lib/validation';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { redact } from '../scripts/review/redact';
import { isSynthSettingName } from '../lib/synth-settings';
import { generateSelfSigned, SelfSignedOptions, SelfSignedPem } from '../lib/self-signed';

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
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
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
};

/** Validates an object against the Kubernetes 1.27 OpenAPI schema (kubernetes-models); throws on the first error. */
export function validateSchema(object: Manifest): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no schema model for ${object.apiVersion}/${object.kind}: add it to MODELS`);
  new Model(object as never).validate();
}

const certificates = new Map<string, Promise<SelfSignedPem>>();

/**
 * A generated certificate and key for tests (cached per options, since RSA key generation is slow). Nothing is
 * kept on disk or in git.
 */
export function testCertificate(options: SelfSignedOptions = {}): Promise<SelfSignedPem> {
  const key = JSON.stringify(options);
  if (!certificates.has(key)) certificates.set(key, generateSelfSigned({ modulusLength: 2048, ...options }));
  return certificates.get(key)!;
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
