// Runs a Pulumi program under pulumi.runtime.setMocks (no CLI, no engine, no cluster) and records every resource it
// registers, with the dependencies, options and provider the mocks alone do not show. `npm run diff` renders the
// example stacks with it, and the unit tests run the program and the component with it.
import * as pulumi from '@pulumi/pulumi';

/** One registration, as the engine would receive it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  /** Names of the resources this one was registered as depending on. */
  readonly dependsOn: string[];
  /** The `replaceOnChanges` resource option. */
  readonly replaceOnChanges: string[];
  /** The name of the provider resource it is managed by; undefined for the default provider. */
  readonly provider?: string;
}

/** What a run registered and returned, or what the program threw. */
export interface MockRun {
  readonly resources: Registration[];
  readonly outputs: Record<string, unknown>;
  readonly error?: Error;
}

/** How the mocked engine answers. */
export interface MockEngineOptions {
  /** Config keys set with `pulumi config set --secret`. */
  readonly secretKeys?: string[];
  /** The stack's name, as `pulumi.getStack()` returns it. */
  readonly stack?: string;
  /** The state the engine returns for a new resource: its inputs plus the outputs the program reads. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly stateOf?: (type: string, inputs: Record<string, any>) => Record<string, any>;
}

/**
 * Runs `run` (a program: a function returning its outputs) with `config`, waits for its outputs and for every
 * registration, and returns them. One copy of the Pulumi SDK serves every run of a process: setAllConfig replaces the
 * config and setMocks the monitor, so no run sees another's state.
 */
export async function runUnderMocks(run: () => Record<string, pulumi.Output<unknown>>, config: Record<string, string>,
  options: MockEngineOptions = {}): Promise<MockRun> {
  const resources: Registration[] = [];
  const dependencies = new Map<string, { dependsOn: string[]; replaceOnChanges: string[] }>();
  let program: Record<string, pulumi.Output<unknown>> = {};
  let error: Error | undefined;
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  await pulumi.runtime.setMocks({
    newResource(args) {
      const recorded = dependencies.get(args.name) ?? { dependsOn: [], replaceOnChanges: [] };
      // A provider reference is `<urn>::<id>`; the mocks' ids are `<name>-id`.
      const provider = args.provider?.split('::').pop()?.replace(/-id$/, '');
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, ...recorded, ...(provider ? { provider } : {}) });
      return { id: `${args.name}-id`, state: options.stateOf ? options.stateOf(args.type, args.inputs) : args.inputs };
    },
    call: (args) => args.inputs,
  }, 'guide-as-code', options.stack ?? 'test');
  recordDependencies(pulumi.runtime.getMonitor(), dependencies);
  try {
    program = run();
  } catch (e) {
    error = e as Error;
  }
  const pending = Object.entries(program).map(([name, output]) => new Promise<[string, unknown]>((resolve) => {
    output.apply((value) => {
      resolve([name, value]);
      return value;
    });
  }));
  const outputs = Object.fromEntries(await Promise.all(pending));
  // Outputs resolve before every resource is registered; disconnect waits for the outstanding registrations.
  await pulumi.runtime.disconnect();
  return { resources, outputs, error };
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
