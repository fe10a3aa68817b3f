// `npm run keys`: the guide's `make keys` step. Writes .keys/tls.crt and .keys/tls.key (git-ignored).
//   npm run keys -- [--force] [--service my-nginx] [--namespace default] [--days 365] [--out .keys]
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSelfSigned, writePemFiles } from '../lib/self-signed';

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      service: { type: 'string', default: 'my-nginx' },
      namespace: { type: 'string', default: 'default' },
      days: { type: 'string', default: '365' },
      out: { type: 'string', default: '.keys' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const out = values.out!;
  const certFile = join(out, 'tls.crt');
  const keyFile = join(out, 'tls.key');
  if (!values.force && existsSync(certFile) && existsSync(keyFile)) {
    const existing = new X509Certificate(readFileSync(certFile));
    console.log(`kept ${certFile} and ${keyFile} (${existing.subjectAltName ?? existing.subject}, valid until ${new Date(existing.validTo).toISOString()}); `
      + 'pass --force to replace them');
    return;
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days "${values.days}" is not a whole number of at least 1: use e.g. --days 365`);
  const pem = await generateSelfSigned({ service: values.service, namespace: values.namespace, days });
  writePemFiles(out, pem);
  const written = new X509Certificate(pem.certificatePem);
  console.log(`wrote ${certFile} and ${keyFile}: ${written.subject.replace(/\n/g, ', ')}; ${written.subjectAltName}; `
    + `valid until ${new Date(written.validTo).toISOString()}`);
  console.log(`create the Secret: kubectl create secret tls nginxsecret --cert ${certFile} --key ${keyFile}`);
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${message}${/^Unknown option|^Option/.test(message) ? ' (npm run keys -- --help lists the options)' : ''}\n`);
  process.exit(1);
});
