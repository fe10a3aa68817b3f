// `npm run keys`: the guide's `make keys` step. Writes .keys/tls.crt and .keys/tls.key (git-ignored).
//   npm run keys -- [--force] [--service my-nginx] [--namespace default] [--days 365] [--out .keys]
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSelfSigned, writePemFiles } from '../lib/self-signed';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      force: { type: 'boolean', default: false },
      service: { type: 'string', default: 'my-nginx' },
      namespace: { type: 'string', default: 'default' },
      days: { type: 'string', default: '365' },
      out: { type: 'string', default: '.keys' },
    },
  });
  const out = values.out!;
  const certFile = join(out, 'tls.crt');
  const keyFile = join(out, 'tls.key');
  if (!values.force && existsSync(certFile) && existsSync(keyFile)) {
    const existing = new X509Certificate(readFileSync(certFile));
    console.log(`kept ${certFile} and ${keyFile} (${existing.subjectAltName ?? existing.subject}, valid until ${existing.validTo}); `
      + 'pass --force to replace them');
    return;
  }
  const days = Number(values.days);
  const pem = await generateSelfSigned({ service: values.service, namespace: values.namespace, days });
  writePemFiles(out, pem);
  const written = new X509Certificate(pem.certificatePem);
  console.log(`wrote ${certFile} and ${keyFile}: ${written.subject.replace(/\n/g, ', ')}; ${written.subjectAltName}; `
    + `valid until ${pem.notAfter.toISOString()}`);
  console.log(`create the Secret: kubectl create secret tls nginxsecret --cert ${certFile} --key ${keyFile}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
