// `npm run keys`: the guide's `make keys` step. Writes .keys/tls.crt and .keys/tls.key (git-ignored).
//   npm run keys -- [--force] [--service my-nginx] [--namespace default] [--days 365] [--out .keys]
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NAME_RULES } from '../lib/validation';

// The X.509 library loads only once a certificate is to be written: a bad argument is reported without that cost.
type SelfSigned = typeof import('./self-signed');

const USAGE = `npm run keys -- [options]

Writes a self-signed certificate and its private key for the guide's Service: <out>/tls.crt and <out>/tls.key
(mode 0600). RSA 2048, CN and O the Service name, its four DNS names as subjectAltName. Keeps existing files.

  --force              replace existing files
  --service NAME       Service the certificate is for (default my-nginx)
  --namespace NS       namespace of the Service (default default); synth checks the same names: GUIDE_NAMESPACE=NS
  --days N             validity in days (default 365)
  --out DIR            folder to write to (default .keys, which synth checks; git-ignored)
  --help               print this and exit

Then: kubectl create secret tls nginxsecret --cert <out>/tls.crt --key <out>/tls.key`;

const OPTIONS = {
  help: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  service: { type: 'string', default: 'my-nginx' },
  namespace: { type: 'string', default: 'default' },
  days: { type: 'string', default: '365' },
  out: { type: 'string', default: '.keys' },
} as const;

class UsageError extends Error {}

/**
 * `npm run keys --force` (without `--`) hands --force to npm, which keeps it as its own config and passes the script
 * only what follows: npm then exports it as npm_config_force. Seen here, the options were meant for this script.
 */
function optionsTakenByNpm(env: NodeJS.ProcessEnv): string[] {
  if (env.npm_lifecycle_event !== 'keys') return [];
  return Object.keys(OPTIONS).filter((name) => env[`npm_config_${name}`] !== undefined);
}

async function main(): Promise<void> {
  const taken = optionsTakenByNpm(process.env);
  if (taken.length > 0) {
    throw new UsageError(`npm took ${taken.map((t) => `--${t}`).join(', ')} for itself (they came before \`--\`), so this script never saw `
      + `${taken.length > 1 ? 'them' : 'it'}: put the options after \`--\`, e.g. npm run keys -- ${taken.map((t) => `--${t}${OPTIONS[t as keyof typeof OPTIONS].type === 'string' ? ' …' : ''}`).join(' ')}`);
  }
  const { values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // Every argument is checked before anything is kept or written, so a bad one never passes silently.
  const service = values.service!;
  const serviceProblem = NAME_RULES.dns1035Label(service);
  if (serviceProblem) throw new UsageError(`--service "${service}" ${serviceProblem} (it is the Service's DNS name)`);
  const namespace = values.namespace!;
  const namespaceProblem = NAME_RULES.dns1123Label(namespace);
  if (namespaceProblem) throw new UsageError(`--namespace "${namespace}" ${namespaceProblem} (it is part of the Service's DNS names)`);
  const days = /^[0-9]+$/.test(values.days!) ? Number(values.days) : NaN;
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days "${values.days}" is not a whole number of at least 1: use e.g. --days 365`);
  const out = values.out!;
  if (out.trim() === '') throw new UsageError('--out is empty: name a folder, e.g. --out .keys');

  const certFile = join(out, 'tls.crt');
  const keyFile = join(out, 'tls.key');
  if (!values.force && existsSync(certFile) && existsSync(keyFile)) {
    const existing = new X509Certificate(readFileSync(certFile));
    console.log(`kept ${certFile} and ${keyFile} (${existing.subjectAltName ?? existing.subject}, valid until ${new Date(existing.validTo).toISOString()}); `
      + 'pass --force to replace them');
    return;
  }
  const { generateSelfSigned, writePemFiles } = require('./self-signed') as SelfSigned;
  const pem = await generateSelfSigned({ service, namespace, days });
  writePemFiles(out, pem);
  const written = new X509Certificate(pem.certificatePem);
  console.log(`wrote ${certFile} and ${keyFile}: ${written.subject.replace(/\n/g, ', ')}; ${written.subjectAltName}; `
    + `valid until ${new Date(written.validTo).toISOString()}`);
  console.log(`create the Secret: kubectl create secret tls nginxsecret --cert ${certFile} --key ${keyFile}`);
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  const usage = e instanceof UsageError || /^Unknown option|^Option|^Unexpected argument/.test(message);
  process.stderr.write(`error: ${message}${usage ? ' (npm run keys -- --help lists the options)' : ''}\n`);
  process.exit(usage ? 2 : 1);
});
