// Runs the Pulumi program (pulumi/index.ts) under pulumi.runtime.setMocks for one stack config, with no CLI
// and no cluster, and records what reaches the engine.
import * as pulumi from '@pulumi/pulumi';
import { guideProgram } from '../pulumi/program';
import { readStackFile } from '../pulumi/stack-file';
import { Manifest, pemBlock, testCertificate } from './helpers';

export { isSecretValue, SECRET_SIG } from '../scripts/review/redact';

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

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Manifest;
  /** Names of the resources this one was registered as depending on. */
  readonly dependsOn: string[];
  /** The `replaceOnChanges` resource option. */
  readonly replaceOnChanges: string[];
  /** The name of the provider resource it is managed by; undefined for the default provider. */
  readonly provider?: string;
}

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
  const { serviceStatus } = options;
  const resources: Registered[] = [];
  const dependencies = new Map<string, { dependsOn: string[]; replaceOnChanges: string[] }>();
  let program: Record<string, unknown> = {};
  let error: Error | undefined;
  // One copy of the Pulumi SDK for the whole file: setAllConfig replaces the config and setMocks the monitor, and
  // the program runs as a function, so no run sees another's state and @pulumi/kubernetes is loaded once.
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  pulumi.runtime.setMocks({
    newResource(args) {
      const recorded = dependencies.get(args.name) ?? { dependsOn: [], replaceOnChanges: [] };
      // A provider reference is `<urn>::<id>`; the mocks' ids are `<name>-id`.
      const provider = args.provider?.split('::').pop()?.replace(/-id$/, '');
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, ...recorded, ...(provider ? { provider } : {}) });
      return { id: `${args.name}-id`, state: stateOf(args.type, args.inputs, serviceStatus, certificatePem) };
    },
    call(args) {
      return args.inputs;
    },
  }, 'guide-as-code', 'test');
  recordDependencies(pulumi.runtime.getMonitor(), dependencies);
  try {
    program = run();
  } catch (e) {
    error = e as Error;
  }
  const pending = Object.entries(program).map(([name, output]) => new Promise((resolve) => {
    (output as import('@pulumi/pulumi').Output<unknown>).apply((value) => {
      resolve([name, value]);
      return value;
    });
  }));
  const outputs = Object.fromEntries(await Promise.all(pending) as [string, unknown][]);
  // Outputs resolve before every resource is registered; disconnect waits for the outstanding registrations.
  await pulumi.runtime.disconnect();
  return { resources, outputs, error };
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

/** Wraps the mock monitor so the dependencies and options of every registration are recorded (Mocks do not see them). */
function recordDependencies(monitor: unknown, into: Map<string, { dependsOn: string[]; replaceOnChanges: string[] }>): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m = monitor as any;
  const original = m.registerResource.bind(m);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  m.registerResource = (req: any, callback: unknown) => {
    into.set(req.getName(), {
      dependsOn: (req.getDependenciesList() as string[]).map((urn) => urn.split('::').pop()!),
      replaceOnChanges: req.getReplaceonchangesList() as string[],
    });
    return original(req, callback);
  };
}
