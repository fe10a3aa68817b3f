// Runs the Pulumi program (pulumi/index.ts) on the mock engine of `npm run diff` (scripts/review/mock-engine.ts) for
// one stack config, with no CLI and no cluster, answering as a cloud and the tls provider would.
import * as pulumi from '@pulumi/pulumi';
import { guideProgram } from '../../pulumi/program';
import { readStackFile } from '../../pulumi/stack-file';
import { Registration, runUnderMocks } from '../../scripts/review/mock-engine';
import { Manifest, pemBlock, testCertificate } from './helpers';

export { isSecretValue, SECRET_SIG } from '../../scripts/review/redact';

/** The key the mocked tls.PrivateKey returns: a stand-in, since nothing parses it. */
export const FAKE_KEY_PEM = pemBlock('PRIVATE KEY', Buffer.from('fake private key').toString('base64'));
export const FAKE_EXPIRY = '2027-11-26T00:00:00Z';

/** What the mocked engine answers beyond the program's own inputs. */
export interface MockOptions {
  /** The status a cloud would write on the Service, for the load balancer outputs. */
  readonly serviceStatus?: ServiceStatus;
  /** The certificate the mocked tls.SelfSignedCert returns (a real one: the program reads its fingerprint). */
  readonly certificatePem?: string;
  /** Config keys set with `pulumi config set --secret`. */
  readonly secretKeys?: string[];
}

/** One registration, as the engine would receive it. */
export type Registered = Registration;

export interface StackRun {
  readonly resources: Registered[];
  readonly outputs: Record<string, unknown>;
  /** What the program threw while it was imported, e.g. for bad config. */
  readonly error?: Error;
}

/** A stack file's config as the Pulumi engine hands it to a program: every value a string, objects as JSON. */
export function stackConfig(stack: string): Record<string, string> {
  return Object.fromEntries(Object.entries(readStackFile(stack)).map(([key, { value }]) => [key, value]));
}

/** The status a cloud would write on the Service, for the load balancer outputs. */
export type ServiceStatus = Manifest | undefined;

/**
 * Runs the program with `config` after installing the mocks, waits for its outputs and returns every
 * registered resource, or what the program threw.
 */
export async function runStack(config: Record<string, string>, options: MockOptions = {}): Promise<StackRun> {
  return runProgram(() => ({ ...guideProgram() }), config, options);
}

/** Runs any program (a function returning its outputs) as {@link runStack} runs the guide's. */
export async function runProgram(run: () => Record<string, pulumi.Output<unknown>>, config: Record<string, string>,
  options: MockOptions = {}): Promise<StackRun> {
  const certificatePem = options.certificatePem ?? (await testCertificate()).certificatePem;
  return runUnderMocks(run, config, {
    secretKeys: options.secretKeys,
    stateOf: (type, inputs) => stateOf(type, inputs, options.serviceStatus, certificatePem),
  });
}

/** What the mocked engine answers for each resource type: its inputs plus the outputs the program reads. */
function stateOf(type: string, inputs: Manifest, serviceStatus: ServiceStatus, certificatePem: string): Manifest {
  switch (type) {
    case 'tls:index/privateKey:PrivateKey':
      return { ...inputs, privateKeyPem: FAKE_KEY_PEM };
    case 'tls:index/selfSignedCert:SelfSignedCert':
      return { ...inputs, certPem: certificatePem, validityEndTime: FAKE_EXPIRY };
    case 'kubernetes:core/v1:Service':
      return {
        ...inputs,
        spec: {
          ...inputs.spec,
          clusterIP: '10.0.162.149',
          ports: inputs.spec.ports.map((p: Manifest, i: number) =>
            (inputs.spec.type === undefined || inputs.spec.type === 'ClusterIP' ? p : { ...p, nodePort: p.nodePort ?? 31704 + i })),
        },
        ...(serviceStatus ? { status: serviceStatus } : {}),
      };
    default:
      return inputs;
  }
}
