// Key material and per-run values out of a rendered object, for the snapshots and `npm run diff` alike: Secret values,
// the certificate's fingerprint on the nginx pod template, and Pulumi secrets.
import { CERTIFICATE_FINGERPRINT_ANNOTATION } from '../../lib/certificate';

/** How Pulumi marks a secret value; under mocks, secret inputs arrive wrapped like this. */
export const SECRET_SIG = { key: '4dabf18193072939515e22adb298388d', value: '1b47061264138c4ac30d75fd1eb44270' };

export function isSecretValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SECRET_SIG.key] === SECRET_SIG.value;
}

/** A copy of `value` with Secret data, Pulumi secrets and the certificate fingerprint replaced by markers. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  if (isSecretValue(value)) return '<secret>';
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === CERTIFICATE_FINGERPRINT_ANNOTATION) out[k] = '<SHA-256 fingerprint of the certificate>';
    else if ((k === 'data' || k === 'stringData') && o.kind === 'Secret' && typeof v === 'object' && v !== null && !isSecretValue(v)) {
      out[k] = Object.fromEntries(Object.keys(v).map((name) => [name, `<redacted ${name}>`]));
    } else out[k] = redact(v);
  }
  return out;
}
