// How a Deployment replaces its pods, as values whose combinations the API server accepts: made by two factories, the
// way cdk8s-plus's DeploymentStrategy is, so a misspelt type or a rolling update that could never move cannot be written.
import * as k8s from './imports/k8s';
import { fail, GuideConfigError, show } from './validation';

/**
 * A number of pods, or a percentage of the replica count (rounded as Kubernetes rounds it: up for maxSurge, down for
 * maxUnavailable).
 */
export class PercentOrAbsolute {
  /** `amount` percent of the replicas; 0 to 100. */
  public static percent(amount: number): PercentOrAbsolute {
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0 || amount > 100) {
      throw new GuideConfigError(`PercentOrAbsolute.percent(${show(amount)}): ${show(amount)} is not a whole percentage of 0 to 100: `
        + 'use e.g. PercentOrAbsolute.percent(25)', `PercentOrAbsolute.percent(${show(amount)})`, 'is not a whole percentage');
    }
    return new PercentOrAbsolute(amount, true);
  }

  /** `amount` pods; a whole number of at least 0. */
  public static absolute(amount: number): PercentOrAbsolute {
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0) {
      throw new GuideConfigError(`PercentOrAbsolute.absolute(${show(amount)}): ${show(amount)} is not a whole number of at least 0: `
        + 'use e.g. PercentOrAbsolute.absolute(1)', `PercentOrAbsolute.absolute(${show(amount)})`, 'is not a whole number');
    }
    return new PercentOrAbsolute(amount, false);
  }

  private constructor(
    /** The number of pods, or of percent. */
    public readonly value: number,
    /** Whether `value` is a percentage. */
    public readonly isPercent: boolean) {}

  /** Whether this is no pod at all (0 or 0%). */
  public isZero(): boolean {
    return this.value === 0;
  }

  /** The pods this is of `replicas`: percentages rounded up (`roundUp`, as for maxSurge) or down (maxUnavailable). */
  public of(replicas: number, roundUp: boolean): number {
    if (!this.isPercent) return this.value;
    const exact = (replicas * this.value) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }

  /** As a manifest writes it: a number, or `"25%"`. */
  public toKube(): k8s.IntOrString {
    return this.isPercent ? k8s.IntOrString.fromString(`${this.value}%`) : k8s.IntOrString.fromNumber(this.value);
  }

  /** As it is written in code, for messages. */
  public toString(): string {
    return this.isPercent ? `PercentOrAbsolute.percent(${this.value})` : `PercentOrAbsolute.absolute(${this.value})`;
  }
}

/** Options of {@link RolloutStrategy.rollingUpdate}. */
export interface RollingUpdateOptions {
  /**
   * How many pods may be created above the replica count during the rollout.
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: PercentOrAbsolute;
  /**
   * How many pods may be unavailable during the rollout.
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxUnavailable?: PercentOrAbsolute;
}

/**
 * How a rollout replaces pods.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
 */
export class RolloutStrategy {
  /**
   * Replace pods a few at a time. Both bounds 0 is refused: the rollout could never start a new pod nor stop an old one.
   */
  public static rollingUpdate(options: RollingUpdateOptions = {}): RolloutStrategy {
    const written = 'RolloutStrategy.rollingUpdate';
    if (typeof options !== 'object' || options === null) fail(written, `options ${show(options)} is not an object: pass e.g. { maxSurge: PercentOrAbsolute.absolute(1) }`);
    for (const [key, value] of Object.entries(options)) {
      if (key !== 'maxSurge' && key !== 'maxUnavailable') fail(written, `${key} is not an option: pass maxSurge and maxUnavailable`);
      if (value !== undefined && !(value instanceof PercentOrAbsolute)) {
        fail(written, `${key} ${show(value)} is not a PercentOrAbsolute: write PercentOrAbsolute.absolute(1) or PercentOrAbsolute.percent(25)`);
      }
    }
    const maxSurge = options.maxSurge ?? PercentOrAbsolute.percent(25);
    const maxUnavailable = options.maxUnavailable ?? PercentOrAbsolute.percent(25);
    if (maxSurge.isZero() && maxUnavailable.isZero()) {
      fail(written, `maxSurge ${maxSurge} and maxUnavailable ${maxUnavailable} are both 0, which the API server refuses: the rollout `
        + 'could neither add a new pod nor remove an old one; allow one, e.g. maxSurge PercentOrAbsolute.absolute(1)');
    }
    return new RolloutStrategy('RollingUpdate', { maxSurge, maxUnavailable });
  }

  /** Stop every old pod before starting new ones: there is a gap with no pod serving. */
  public static recreate(): RolloutStrategy {
    return new RolloutStrategy('Recreate', undefined);
  }

  private constructor(
    /** `RollingUpdate` or `Recreate`. */
    public readonly type: 'RollingUpdate' | 'Recreate',
    /** The bounds of a rolling update. */
    public readonly rollingUpdate: Required<RollingUpdateOptions> | undefined) {}

  /**
   * Pods that may be unavailable during a rollout of `replicas`: the whole count for Recreate.
   */
  public unavailableDuringRollout(replicas: number): number {
    return this.rollingUpdate ? this.rollingUpdate.maxUnavailable.of(replicas, false) : replicas;
  }

  /** The Deployment's `spec.strategy`. */
  public toKube(): k8s.DeploymentStrategy {
    return this.rollingUpdate
      ? { type: this.type, rollingUpdate: { maxSurge: this.rollingUpdate.maxSurge.toKube(), maxUnavailable: this.rollingUpdate.maxUnavailable.toKube() } }
      : { type: this.type };
  }

  /** As it is written in code, for messages. */
  public toString(): string {
    return this.rollingUpdate
      ? `RolloutStrategy.rollingUpdate({ maxSurge: ${this.rollingUpdate.maxSurge}, maxUnavailable: ${this.rollingUpdate.maxUnavailable} })`
      : 'RolloutStrategy.recreate()';
  }
}
