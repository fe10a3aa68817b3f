// Compute resources as values that cannot be written wrong: CPU in whole millicores (Cpu), memory and ephemeral storage
// as cdk8s' Size, and the relations the API server enforces between a container's requests and limits, checked where
// the resources are given. The shape follows cdk8s-plus's ContainerResources, so its users read it at a glance.
import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as k8s from './imports/k8s';
import { fail, GuideConfigError, show } from './validation';

/**
 * An amount of CPU, in whole millicores as the API server keeps it (`0.1m` would be rounded up to `1m`).
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-cpu
 */
export class Cpu {
  /** `amount` thousandths of a CPU, e.g. `Cpu.millis(50)` for `50m`; a whole number of at least 1. */
  public static millis(amount: number): Cpu {
    return new Cpu(amount, `Cpu.millis(${show(amount)})`);
  }

  /** `amount` CPUs, e.g. `Cpu.units(0.5)` for `500m`; a multiple of 0.001 of at least 0.001. */
  public static units(amount: number): Cpu {
    return new Cpu(typeof amount === 'number' ? Math.round(amount * 1000 * 1e6) / 1e6 : amount, `Cpu.units(${show(amount)})`);
  }

  /** The amount in millicores. */
  public readonly millis: number;

  private constructor(millis: number, written: string) {
    if (typeof millis !== 'number' || !Number.isInteger(millis) || millis < 1) {
      throw new GuideConfigError(`${written}: ${show(millis)} millicores is not a whole number of at least 1: the API server keeps CPU in `
        + 'whole millicores; use e.g. Cpu.millis(50) or Cpu.units(0.5)', written, 'is not a whole number of millicores');
    }
    this.millis = millis;
  }

  /** The quantity as a manifest writes it: `50m`, or `2` for whole CPUs. */
  public toString(): string {
    return this.millis % 1000 === 0 ? String(this.millis / 1000) : `${this.millis}m`;
  }
}

/** A request and a limit of CPU. */
export interface CpuResources {
  /**
   * What the scheduler reserves for the container.
   * @default - none (the limit, when one is set)
   */
  readonly request?: Cpu;
  /**
   * Where the container is throttled.
   * @default - none
   */
  readonly limit?: Cpu;
}

/** A request and a limit of memory. */
export interface MemoryResources {
  /**
   * What the scheduler reserves for the container.
   * @default - none (the limit, when one is set)
   */
  readonly request?: Size;
  /**
   * Where the container is killed (OOM).
   * @default - none
   */
  readonly limit?: Size;
}

/** A request and a limit of ephemeral storage (the container's writable layer, logs and emptyDir volumes). */
export interface EphemeralStorageResources {
  /**
   * What the scheduler reserves for the pod.
   * @default - none (the limit, when one is set)
   */
  readonly request?: Size;
  /**
   * Where the pod is evicted.
   * @default - none
   */
  readonly limit?: Size;
}

/**
 * The compute resources of a container, as cdk8s-plus's `ContainerResources`: each of CPU, memory and ephemeral storage
 * with an optional request and limit.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface ContainerResources {
  /**
   * CPU, e.g. `{ request: Cpu.millis(50), limit: Cpu.millis(500) }`.
   * @default - none
   */
  readonly cpu?: CpuResources;
  /**
   * Memory, e.g. `{ request: Size.mebibytes(64), limit: Size.mebibytes(128) }`.
   * @default - none
   */
  readonly memory?: MemoryResources;
  /**
   * Ephemeral storage, e.g. `{ request: Size.mebibytes(64), limit: Size.mebibytes(256) }`.
   * @default - none
   */
  readonly ephemeralStorage?: EphemeralStorageResources;
}

/** The three resources, their names in a manifest, and how each amount is made and shown. */
const RESOURCES = {
  cpu: { kube: 'cpu', kind: 'Cpu', example: 'Cpu.millis(50)' },
  memory: { kube: 'memory', kind: 'Size', example: 'Size.mebibytes(64)' },
  ephemeralStorage: { kube: 'ephemeral-storage', kind: 'Size', example: 'Size.mebibytes(64)' },
} as const;

type Amount = Cpu | Size;

/** A Size as a manifest writes it: in the largest binary unit that keeps it whole (`64Mi`), else in bytes. */
function sizeQuantity(size: Size): string {
  const bytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
  for (const [unit, factor] of [['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** How an amount is compared: millicores or bytes. */
function magnitude(amount: Amount): number {
  return amount instanceof Cpu ? amount.millis : amount.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
}

function describe(amount: Amount): string {
  return amount instanceof Cpu ? amount.toString() : sizeQuantity(amount);
}

/**
 * Checks the resources a prop was given (`owner`: the construct, `prop`: its name, e.g. `resources`): every amount of its
 * kind and in whole units, no other keys, and no request above its limit (which the API server refuses).
 */
export function checkResources(owner: string, prop: string, resources: unknown): asserts resources is ContainerResources | undefined {
  if (resources === undefined) return;
  const example = '{ cpu: { request: Cpu.millis(50), limit: Cpu.millis(500) }, memory: { limit: Size.mebibytes(128) } }';
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    fail(owner, `${prop} ${show(resources)} is not an object: pass e.g. ${example}`);
  }
  for (const [name, pair] of Object.entries(resources)) {
    const resource = RESOURCES[name as keyof typeof RESOURCES];
    if (resource === undefined) {
      const kubeShape = name === 'requests' || name === 'limits';
      fail(owner, `${prop}.${name} is not cpu, memory or ephemeralStorage${kubeShape ? ' (this is the Kubernetes shape, which takes any text)' : ''}: `
        + `pass e.g. ${example}`);
    }
    if (pair === undefined) continue;
    if (typeof pair !== 'object' || pair === null) fail(owner, `${prop}.${name} ${show(pair)} is not an object: pass e.g. { request: ${resource.example} }`);
    for (const [end, amount] of Object.entries(pair as Record<string, unknown>)) {
      const at = `${prop}.${name}.${end}`;
      if (end !== 'request' && end !== 'limit') fail(owner, `${prop}.${name}.${end} is not request or limit: pass { request, limit }`);
      if (amount === undefined) continue;
      const isKind = resource.kind === 'Cpu' ? amount instanceof Cpu : amount instanceof Size;
      if (!isKind) fail(owner, `${at} ${show(amount)} is not a ${resource.kind}: write ${resource.example}`);
      if (amount instanceof Size) {
        const bytes = magnitude(amount);
        if (!Number.isFinite(bytes) || !Number.isInteger(bytes)) {
          fail(owner, `${at} ${show(amount.asString())} is not a whole number of bytes: use e.g. ${resource.example}`);
        }
        if (bytes === 0 && end === 'limit') fail(owner, `${at} is 0, which leaves the container no ${name} at all: set a limit above 0, or none`);
      }
    }
    const { request, limit } = pair as { request?: Amount; limit?: Amount };
    if (request !== undefined && limit !== undefined && magnitude(request) > magnitude(limit)) {
      fail(owner, `${prop}.${name}.request ${describe(request)} is more than ${prop}.${name}.limit ${describe(limit)}, which the API server refuses: `
        + 'request at most the limit');
    }
  }
}

/** The `resources` of a container in a manifest. */
export function resourcesToKube(resources: ContainerResources): k8s.ResourceRequirements {
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  for (const [name, resource] of Object.entries(RESOURCES)) {
    const pair = resources[name as keyof ContainerResources] as { request?: Amount; limit?: Amount } | undefined;
    if (pair?.request !== undefined) requests[resource.kube] = k8s.Quantity.fromString(describe(pair.request));
    if (pair?.limit !== undefined) limits[resource.kube] = k8s.Quantity.fromString(describe(pair.limit));
  }
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}
