// What a change does to each object: the objects of two renders keyed by where they come from and
// kind/namespace/name, compared as YAML with a unified diff (jsdiff).
import { structuredPatch } from 'diff';
import { stringify } from 'yaml';

/** One rendered object: `source` is the dist/ file or `stack <name>` it belongs to. */
export interface RenderedObject {
  readonly source: string;
  readonly id: string;
  readonly body: unknown;
}

export type Change =
  | { readonly kind: 'added'; readonly object: RenderedObject }
  | { readonly kind: 'removed'; readonly object: RenderedObject }
  | { readonly kind: 'changed'; readonly object: RenderedObject; readonly patch: string };

/** `Deployment/default/my-nginx` for a Kubernetes object, else the given fallback (e.g. a Pulumi type and name). */
export function objectId(object: unknown, fallback: string): string {
  const o = object as { kind?: string; metadata?: { name?: string; namespace?: string } };
  if (o && typeof o.kind === 'string' && o.metadata?.name) return `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
  return fallback;
}

const keyOf = (o: RenderedObject) => `${o.source}\u0000${o.id}`;
const yamlOf = (body: unknown) => stringify(body, { lineWidth: 0 });

/** The changes from `before` to `after`, in the order of `after` (then the removed ones in the order of `before`). */
export function diffObjects(before: readonly RenderedObject[], after: readonly RenderedObject[]): Change[] {
  const old = new Map(before.map((o) => [keyOf(o), o]));
  const seen = new Set<string>();
  const changes: Change[] = [];
  for (const object of after) {
    const key = keyOf(object);
    seen.add(key);
    const previous = old.get(key);
    if (!previous) {
      changes.push({ kind: 'added', object });
      continue;
    }
    const a = yamlOf(previous.body);
    const b = yamlOf(object.body);
    if (a === b) continue;
    const hunks = structuredPatch('before', 'after', a, b, '', '', { context: 3 }).hunks;
    const patch = hunks.map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n')).join('\n');
    changes.push({ kind: 'changed', object, patch });
  }
  for (const object of before) if (!seen.has(keyOf(object))) changes.push({ kind: 'removed', object });
  return changes;
}

/** `3 changed, 1 added, 0 removed` */
export function summaryOf(changes: readonly Change[]): string {
  const count = (kind: Change['kind']) => changes.filter((c) => c.kind === kind).length;
  return `${count('changed')} changed, ${count('added')} added, ${count('removed')} removed`;
}

/** The report as text: each change under a `+`, `-` or `~` line naming the object, then the one-line summary. */
export function formatChanges(changes: readonly Change[]): string {
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  const blocks = changes.map((c) => {
    const head = `${sign[c.kind]} ${c.kind} ${c.object.id} (${c.object.source})`;
    if (c.kind === 'changed') return `${head}\n${c.patch}`;
    return `${head}\n${yamlOf(c.object.body).trimEnd().split('\n').map((l) => `${sign[c.kind]}${l}`).join('\n')}`;
  });
  return [...blocks, summaryOf(changes)].join('\n\n') + '\n';
}
