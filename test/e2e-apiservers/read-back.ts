// What server-side apply kept of an object: the object read back must hold every field that was sent, as sent.
// An API server drops a field it does not serve (a feature gate off, an older schema), and a typed client keeps
// quiet about it; only a read-back shows it.

import { parseQuantity } from '../../lib/rules';

/** A JSON value as kubectl prints it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Go's `omitempty` leaves out an empty list, an empty map, false, 0 and "": sent so, they read back absent, which
 * is the same object.
 */
function isEmpty(v: Json): boolean {
  return v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/**
 * Where `live` (as the API server returns it) lacks or changes what `sent` set, one line per path. The server may add
 * fields (defaults, status) and append list items (an admission plugin's token volume); it may not drop or change one.
 */
export function readBackDifferences(sent: Json, live: Json | undefined, path = '$'): string[] {
  if (live === undefined) return isEmpty(sent) ? [] : [`${path}: sent ${JSON.stringify(sent)}, read back nothing`];
  if (Array.isArray(sent)) {
    if (!Array.isArray(live)) return [`${path}: sent a list, read back ${JSON.stringify(live)}`];
    if (live.length < sent.length) return [`${path}: sent ${sent.length} items, read back ${live.length}`];
    return sent.flatMap((item, i) => readBackDifferences(item, live[i], `${path}[${i}]`));
  }
  if (isObject(sent)) {
    if (!isObject(live)) return [`${path}: sent an object, read back ${JSON.stringify(live)}`];
    return Object.entries(sent).flatMap(([key, value]) => readBackDifferences(value, live[key], `${path}.${key}`));
  }
  // The server keeps a quantity in its canonical form ("2048Mi" reads back "2Gi"): the same amount is the same value.
  if (/\.resources\.(limits|requests)\.[^.]+$/.test(path) && parseQuantity(sent) !== undefined && parseQuantity(sent) === parseQuantity(live)) return [];
  return sent === live ? [] : [`${path}: sent ${JSON.stringify(sent)}, read back ${JSON.stringify(live)}`];
}
