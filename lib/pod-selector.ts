// How the library meets cdk8s-plus without depending on one version of it. cdk8s-plus is released per Kubernetes minor
// (cdk8s-plus-27 ... -34), and each version's classes are nominal to TypeScript: a `LabelSelector` of cdk8s-plus-34 is
// not one of cdk8s-plus-27, because its private members have another declaration. So the library imports no cdk8s-plus
// at all. It reads what it needs of a user's cdk8s-plus objects through the structural interfaces below, which every
// version's objects satisfy, and it hands cdk8s-plus objects of its own (an NginxApp as a pod selector and network peer)
// that behave as each version's do. Where a cdk8s-plus type is nominal, the methods it calls are generic in that type,
// so TypeScript takes it from the version the caller compiles against.
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** A label selector as a manifest writes it. */
export interface LabelSelectorJson {
  /** Labels every selected pod has. */
  readonly matchLabels?: { [key: string]: string };
  /** Set-based requirements. */
  readonly matchExpressions?: readonly unknown[];
}

/**
 * A cdk8s-plus `LabelSelector` of any version, as far as it is read: whether it is empty, and its manifest form.
 */
export interface LabelSelectorLike {
  /** Whether it selects by nothing. */
  isEmpty(): boolean;
  /** The manifest form (cdk8s-plus marks it internal; every version has it, and its own code calls it). */
  _toKube(): LabelSelectorJson;
}

/** A cdk8s-plus `PodSelectorConfig` of any version: the labels of the pods and, optionally, their namespaces. */
export interface PodSelectorConfigLike<L extends LabelSelectorLike = LabelSelectorLike> {
  /** The pods' labels. */
  readonly labelSelector: L;
  /** The namespaces the pods are in. */
  readonly namespaces?: {
    /** Namespaces by their labels. */
    readonly labelSelector?: L;
    /** Namespaces by name. */
    readonly names?: string[];
  };
}

/** A cdk8s-plus `NetworkPolicyPeerConfig` of any version, as a peer of pods gives it. */
export interface NetworkPolicyPeerConfigLike<L extends LabelSelectorLike = LabelSelectorLike> {
  /** The peer's pods. */
  readonly podSelector: PodSelectorConfigLike<L>;
}

/**
 * Anything that selects pods, of this library or of any cdk8s-plus version: an `NginxApp`, a cdk8s-plus `Deployment`,
 * `Pods.select(...)`. It is cdk8s-plus's `IPodSelector`, written so that every version's objects satisfy it.
 */
export interface PodSelectorLike extends IConstruct {
  /** Which pods it selects. */
  toPodSelectorConfig(): PodSelectorConfigLike;
}

/** A label selector of exact labels, which cdk8s-plus of every version reads as its own. */
export class MatchLabels implements LabelSelectorLike {
  constructor(private readonly labels: Readonly<Record<string, string>>) {}

  /** Whether it has no label. */
  public isEmpty(): boolean {
    return Object.keys(this.labels).length === 0;
  }

  /** The manifest form, as cdk8s-plus reads it. */
  public _toKube(): LabelSelectorJson {
    return this.isEmpty() ? {} : { matchLabels: { ...this.labels } };
  }
}

/**
 * The pod selector config of pods with `labels` made in the chart of `scope`: in its namespace, when it names one (as
 * cdk8s-plus's workloads say theirs), so another namespace's policy selects them there. Typed as the caller's
 * cdk8s-plus `PodSelectorConfig`, whichever version that is (see this file's header).
 */
export function podSelectorConfig<L extends LabelSelectorLike>(scope: IConstruct, labels: Readonly<Record<string, string>>): PodSelectorConfigLike<L> {
  const namespace = Chart.of(scope).namespace;
  return {
    labelSelector: new MatchLabels(labels) as LabelSelectorLike as L,
    ...(namespace !== undefined ? { namespaces: { names: [namespace] } } : {}),
  };
}
