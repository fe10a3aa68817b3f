// How a workload follows its load: the bounds and target of a HorizontalPodAutoscaler (autoscaling/v2), given once and
// checked where given, so a minimum above the maximum or a target the autoscaler cannot compute never reaches a cluster.
import { Duration } from 'cdk8s';
import { fail, show } from './validation';

/** Props of {@link NginxAppProps.autoscaling}: a HorizontalPodAutoscaler on CPU. */
export interface AutoscalingProps {
  /**
   * The fewest pods: the autoscaler never scales below it, and a disruption budget protects it.
   * @default 2
   */
  readonly minReplicas?: number;

  /** The most pods. */
  readonly maxReplicas: number;

  /**
   * The average CPU use the autoscaler keeps the pods at, in percent of each pod's CPU request.
   * @default 60
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
   */
  readonly cpuUtilization?: number;

  /**
   * How long the load must stay low before the autoscaler removes pods (it takes the highest recommendation of the
   * window), so a dip in a surge does not scale in; at most an hour.
   * @default Duration.minutes(5)
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly scaleDownStabilization?: Duration;
}

/** The props of {@link AutoscalingProps}, with every default applied. */
export type Autoscaling = Required<AutoscalingProps>;

const AUTOSCALING_PROPS = ['minReplicas', 'maxReplicas', 'cpuUtilization', 'scaleDownStabilization'] as const satisfies readonly (keyof AutoscalingProps)[];

/** The defaults of {@link AutoscalingProps}, each written once. */
export const AUTOSCALING_DEFAULTS = {
  /** {@link AutoscalingProps.minReplicas}'s default: two pods, so a drain or a rollout always leaves one serving. */
  minReplicas: 2,
  /** {@link AutoscalingProps.cpuUtilization}'s default, in percent of the pods' CPU requests. */
  cpuUtilization: 60,
  /** {@link AutoscalingProps.scaleDownStabilization}'s default, the autoscaler's own. */
  scaleDownStabilization: Duration.minutes(5),
} as const;

/** Checks autoscaling props given to `owner` as `prop` and applies the defaults. */
export function autoscalingOf(owner: string, prop: string, given: unknown): Autoscaling | undefined {
  if (given === undefined) return undefined;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail(owner, `${prop} ${show(given)} is not an object: pass e.g. { minReplicas: 2, maxReplicas: 6 }`);
  }
  for (const key of Object.keys(given)) {
    if (!(AUTOSCALING_PROPS as readonly string[]).includes(key)) fail(owner, `${prop}.${key} is not an autoscaling prop: use ${AUTOSCALING_PROPS.join(', ')}`);
  }
  const props = given as AutoscalingProps;
  const count = (name: 'minReplicas' | 'maxReplicas', value: unknown, min: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      fail(owner, `${prop}.${name} ${show(value)} is not a whole number of at least ${min}: use e.g. ${name === 'minReplicas' ? 2 : 6}`);
    }
  };
  const minReplicas = props.minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas;
  count('minReplicas', minReplicas, 1);
  count('maxReplicas', props.maxReplicas, 1);
  if (minReplicas > props.maxReplicas) {
    fail(owner, `${prop}.minReplicas ${minReplicas} is more than ${prop}.maxReplicas ${props.maxReplicas}, which the API server refuses: `
      + 'keep the minimum at most the maximum');
  }
  const cpuUtilization = props.cpuUtilization ?? AUTOSCALING_DEFAULTS.cpuUtilization;
  if (typeof cpuUtilization !== 'number' || !Number.isInteger(cpuUtilization) || cpuUtilization < 1) {
    fail(owner, `${prop}.cpuUtilization ${show(cpuUtilization)} is not a whole percentage of at least 1: use e.g. 60`);
  }
  const window = props.scaleDownStabilization ?? AUTOSCALING_DEFAULTS.scaleDownStabilization;
  if (!(window instanceof Duration)) fail(owner, `${prop}.scaleDownStabilization ${show(window)} is not a Duration: write e.g. Duration.minutes(5)`);
  const seconds = window.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    fail(owner, `${prop}.scaleDownStabilization ${show(window)} is not a whole number of seconds of 0 to an hour, which the API server `
      + 'refuses: use e.g. Duration.minutes(5)');
  }
  return { minReplicas, maxReplicas: props.maxReplicas, cpuUtilization, scaleDownStabilization: window };
}
