// What the constructs of one chart claim together: the names and pod selectors of its objects, and its namespace,
// so two constructs that would overwrite or adopt each other's objects fail at construct time. Kept apart from
// validation.ts's value checks, which need no construct tree: settings and scripts load those without cdk8s.
import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { collisionProblem, fail } from './validation';

/**
 * What the constructs of one chart have reserved, kept in the chart's construct tree (one child per chart, which
 * synthesizes nothing), so the claims live and die with the chart instead of in module state.
 */
class ChartClaims extends Construct {
  private static readonly ID = 'guide-as-code.claims';

  /** The claims of the chart of `scope`, made on first use. */
  public static of(scope: IConstruct): ChartClaims {
    const chart = Chart.of(scope);
    return (chart.node.tryFindChild(ChartClaims.ID) as ChartClaims | undefined) ?? new ChartClaims(chart, ChartClaims.ID);
  }

  public readonly chart: Chart;
  /** `kind/name` to the construct that holds it. */
  public readonly names = new Map<string, string>();
  public readonly selectors: { labels: Readonly<Record<string, string>>; owner: string }[] = [];

  private constructor(chart: Chart, id: string) {
    super(chart, id);
    this.chart = chart;
  }
}

/** The namespace a construct's objects land in: its chart's, or `default` as kubectl would use. */
export function namespaceOf(scope: IConstruct): string {
  return Chart.of(scope).namespace ?? 'default';
}

/**
 * Reserves `kind/name` in the chart of `scope`: two objects of one kind and name in one namespace would
 * overwrite each other when applied, so the second construct fails instead.
 */
export function claimName(scope: IConstruct, kind: string, name: string, owner: string): void {
  const { chart, names: taken } = ChartClaims.of(scope);
  const key = `${kind}/${name}`;
  const other = taken.get(key);
  if (other !== undefined) {
    fail(owner, `name "${name}" ${collisionProblem(kind, name, `${other} in chart "${chart.node.id}"`, namespaceOf(scope), true)}`);
  }
  taken.set(key, owner);
}

/**
 * Reserves a workload's pod labels in the chart of `scope`: when one selector is part of another's, one
 * Deployment's controller adopts or fights over the other's pods, and a Service meant for one reaches both.
 */
export function claimSelector(scope: IConstruct, labels: Readonly<Record<string, string>>, owner: string, fix: string): void {
  const { chart, selectors: taken } = ChartClaims.of(scope);
  const within = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
    Object.entries(a).every(([k, v]) => b[k] === v);
  const clash = taken.find((t) => within(t.labels, labels) || within(labels, t.labels));
  if (clash) {
    const text = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    fail(owner, `its pods' labels ${text} overlap the selector of ${clash.owner} in chart "${chart.node.id}", `
      + `so each would manage the other's pods: ${fix}`);
  }
  taken.push({ labels, owner });
}

/** Refuses a reference to a construct whose objects live in another namespace, where names do not resolve. */
export function checkSameNamespace(owner: string, prop: string, self: IConstruct, other: IConstruct, otherOwner: string,
  why: string): void {
  const mine = namespaceOf(self);
  const theirs = namespaceOf(other);
  if (mine !== theirs) {
    fail(owner, `${prop} ${otherOwner} is in namespace "${theirs}" but this is in "${mine}": ${why}; `
      + 'put both in charts with the same namespace');
  }
}
