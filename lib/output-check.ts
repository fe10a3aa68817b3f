import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct, Node } from 'constructs';
import { objectProblems } from './rules';
import { collisionProblem, GuideConfigError, NAME_RULES, show } from './validation';

/**
 * Where the rules of rules.ts run, and how their problems are told. Each construct checks the objects it made when it is
 * built ({@link checkMadeObjects}); the App checks everything it synthesizes, run by `app.synth()` (a cdk8s validation
 * on the App): objects of cdk8s-plus or of the user's own, fields changed after a construct was built, a chart's
 * namespace or labels, and the rules that span charts (one kind/namespace/name once, a node port once).
 *
 * Messages name the construct and the prop the user set, as recorded with {@link recordOrigin}; fields of objects
 * this library did not make are named by their path.
 */

/** A field's origin: the prop it was made from and that prop's value. */
export interface FieldOrigin {
  /**
   * The prop as the user wrote it, e.g. `name`, `annotations`; `[*]` takes the index of the field's path in turn
   * (`ports[*].nodePort` for `spec.ports[1].nodePort` names `ports[1].nodePort`).
   */
  readonly prop: string;
  /** The prop's value, when it differs from the field's (a label made from a name). */
  readonly value?: unknown;
  /** How to show a value that is a construct, e.g. `NginxApp "my-nginx"`. */
  readonly shown?: string;
  /** The prop has the field's shape below it: the rest of the field's path is the rest of the prop's (`ports[0].name`). */
  readonly sameShape?: boolean;
}

interface Origin {
  readonly owner: string;
  /** Field paths (`spec.template.spec.containers[0].image`, `[*]` for any index) to the prop each came from. */
  readonly fields: Readonly<Record<string, FieldOrigin>>;
}

// Kept as node metadata of the constructs they are about (never synthesized into a manifest), not in module state.
const ORIGIN = 'guide-as-code:origin';
const CHECKED = 'guide-as-code:output-check';
const STEP = 'guide-as-code:step';

const metadataOf = (scope: IConstruct, type: string) => scope.node.metadata.filter((m) => m.type === type).pop()?.data;
const originOf = (object: ApiObject): Origin | undefined => metadataOf(object, ORIGIN);
const isStep = (chart: Chart): boolean => metadataOf(chart, STEP) === true;

/**
 * Marks charts as successive steps of one walk-through (the guide's manifests, applied one after another): each may
 * define again an object an earlier step defined, which in any other two charts of an App is a collision.
 */
export function markAsSteps(...charts: Chart[]): void {
  for (const chart of charts) if (!isStep(chart)) chart.node.addMetadata(STEP, true);
}

/**
 * Records which prop of which construct each field of `object` comes from, so the App's check names it, and adds
 * the check to the object's App (once).
 */
export function recordOrigin(object: ApiObject, owner: string, fields: Readonly<Record<string, FieldOrigin>>): void {
  object.node.addMetadata(ORIGIN, { owner, fields } satisfies Origin);
  addOutputCheck(object);
}

/** Adds the output check to the App of `scope`, once. */
export function addOutputCheck(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || metadataOf(root, CHECKED) === true) return;
  root.node.addMetadata(CHECKED, true);
  Node.of(root).addValidation({ validate: () => checkApp(root) });
}

/** Every problem of the App's output, one message each. */
function checkApp(app: App): string[] {
  const problems = new Set<string>();
  const seenObjects = new Map<string, { owner: string; chart: Chart }>();
  const seenNodePorts = new Map<number, { owner: string; chart: Chart }>();
  const collide = (a: Chart, b: Chart) => !(isStep(a) && isStep(b) && a !== b);
  for (const chart of app.charts) {
    if (chart.namespace !== undefined) {
      const problem = NAME_RULES.dns1123Label(chart.namespace);
      if (problem) problems.add(`${ownerOfChart(chart)}: namespace ${show(chart.namespace)} ${problem}`);
    }
    for (const object of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
      const json = object.toJson();
      const describe = describer(object, json);
      const report = (path: string, text: string) => problems.add(describe(path, text).message);
      for (const { path, text } of objectProblems(json)) report(path, text);
      const namespace = json.metadata?.namespace ?? '';
      const id = `${json.kind}/${namespace || '(no namespace)'}/${json.metadata?.name}`;
      const first = seenObjects.get(id);
      if (first !== undefined && collide(first.chart, chart)) {
        report('metadata.name', collisionProblem(json.kind, json.metadata?.name, first.owner, namespace || undefined, false));
      } else {
        seenObjects.set(id, { owner: `${ownerOfObject(object)} in chart "${chart.node.id}"`, chart });
      }
      if (json.kind === 'Service') {
        (json.spec?.ports ?? []).forEach((p: { nodePort?: number }, i: number) => {
          if (p.nodePort === undefined) return;
          const other = seenNodePorts.get(p.nodePort);
          if (other !== undefined && collide(other.chart, chart)) {
            report(`spec.ports[${i}].nodePort`, `is also the node port of ${other.owner}, and a node port is one port on every node: `
              + 'give each Service its own node port, or leave it unset to let Kubernetes choose');
          } else {
            seenNodePorts.set(p.nodePort, { owner: `${ownerOfObject(object)} in chart "${chart.node.id}"`, chart });
          }
        });
      }
    }
  }
  return [...problems];
}

function ownerOfChart(chart: Chart): string {
  return `Chart "${chart.node.id}"`;
}

function ownerOfObject(object: ApiObject): string {
  return originOf(object)?.owner ?? `${object.kind} "${object.name}" at ${object.node.path}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * Checks the objects a construct made against the rules of their kinds, when it is built: the first problem is thrown as
 * a {@link GuideConfigError} naming the construct and the prop the field came from.
 */
export function checkMadeObjects(...objects: ApiObject[]): void {
  for (const object of objects) {
    const json = object.toJson();
    const [first] = objectProblems(json);
    if (first) {
      const { owner, problem, message } = describer(object, json)(first.path, first.text);
      throw new GuideConfigError(message, owner, problem);
    }
  }
}

/** The message for a field: the construct and prop it came from, else the object and the field's path. */
function describer(object: ApiObject, json: Json) {
  const origin = originOf(object);
  return (path: string, text: string): { owner: string; problem: string; message: string } => {
    const told = (owner: string, problem: string) => ({ owner, problem, message: `${owner}: ${problem}` });
    const value = valueAt(json, path);
    // A chart's namespace and labels land on every object of the chart: the chart is what to fix.
    const chart = Chart.of(object);
    if (path === 'metadata.namespace' && chart.namespace === value) return told(ownerOfChart(chart), `namespace ${show(value)} ${text}`);
    const label = /^metadata\.labels\.(.+)$/.exec(path)?.[1];
    if (label !== undefined && chart.labels[label] === value) return told(ownerOfChart(chart), `labels.${label} ${show(value)} ${text}`);
    const found = origin && matchOrigin(origin.fields, path);
    // A field that is not there (a name missing) has no value to quote.
    const quoted = (v: unknown) => (v === undefined ? '' : ` ${show(v)}`);
    if (origin && found) {
      const made = found.origin.shown !== undefined || (found.origin.value !== undefined && found.origin.value !== value);
      const prop = `${found.prop}${found.origin.shown !== undefined ? ` ${found.origin.shown}` : quoted(made ? found.origin.value : value)}`;
      return told(origin.owner, `${prop}${made ? ` makes ${describeField(path)}${quoted(value)}, which` : ''} ${text}`);
    }
    return told(ownerOfObject(object), `${path}${quoted(value)} ${text}`);
  };
}

/** The recorded origin whose path pattern is the longest prefix of `path`, and its prop with the path's indices filled in. */
function matchOrigin(fields: Readonly<Record<string, FieldOrigin>>, path: string): { origin: FieldOrigin; prop: string } | undefined {
  let best: { length: number; wildcards: number; origin: FieldOrigin; prop: string } | undefined;
  for (const [pattern, origin] of Object.entries(fields)) {
    const re = new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\\\[\*\\\]/g, '\\[(\\d+)\\]')}(?=$|[.[])`);
    const m = re.exec(path);
    // The longest match wins; of two as long, the one naming an index rather than [*].
    const wildcards = (pattern.match(/\[\*\]/g) ?? []).length;
    if (m && (!best || m[0].length > best.length || (m[0].length === best.length && wildcards < best.wildcards))) {
      const indices = m.slice(1);
      const rest = origin.sameShape ? path.slice(m[0].length) : '';
      best = { length: m[0].length, wildcards, origin, prop: origin.prop.replace(/\[\*\]/g, () => `[${indices.shift() ?? '*'}]`) + rest };
    }
  }
  return best && { origin: best.origin, prop: best.prop };
}

function describeField(path: string): string {
  const labels = /(?:^|\.)(?:labels|matchLabels|selector)\.(.+)$/.exec(path);
  if (labels) return `the label "${labels[1]}"`;
  return path;
}

function valueAt(json: Json, path: string): unknown {
  let at: unknown = json;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Json)[part];
  }
  return at;
}

const CDK8S_VALIDATION = 'Validation failed with the following errors:';

/**
 * The problems of the error `app.synth()` throws when validations fail (cdk8s joins them as `[path] message` lines),
 * for tools that print them as their own error lines; undefined for any other error.
 */
export function validationProblems(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(CDK8S_VALIDATION)) return undefined;
  return error.message.slice(CDK8S_VALIDATION.length).split('\n').map((line) => line.trim().replace(/^\[[^\]]*\] /, ''))
    .filter((line) => line !== '');
}
