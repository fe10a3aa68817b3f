// Prints, as JSON, every resource the Pulumi program registers for example stacks (Pulumi.<stack>.yaml), run under
// pulumi.runtime.setMocks: no engine, no cluster. `npm run diff` compares these between two versions.
//   node --require sucrase/register/ts scripts/stack-objects.ts dev        one stack: its resources, as a list
//   node --require sucrase/register/ts scripts/stack-objects.ts dev prod   several: { "dev": [...], "prod": [...] }, in one process
import { generateSelfSigned } from './self-signed';
import { guideProgram } from '../pulumi/program';
import { readStackFile } from '../pulumi/stack-file';
import { runUnderMocks } from './review/mock-engine';

interface Registered { type: string; name: string; inputs: unknown }

async function registeredBy(stack: string, certificatePem: string): Promise<Registered[]> {
  const file = readStackFile(stack);
  const config = Object.fromEntries(Object.entries(file).map(([key, { value }]) => [key, value]));
  const secretKeys = Object.keys(file).filter((key) => file[key].secret);
  const run = await runUnderMocks(() => ({ ...guideProgram() }), config, {
    secretKeys,
    stack,
    stateOf: (type, inputs) => (type === 'tls:index/selfSignedCert:SelfSignedCert' ? { ...inputs, certPem: certificatePem }
      : type === 'tls:index/privateKey:PrivateKey' ? { ...inputs, privateKeyPem: '<mock>' } : inputs),
  });
  if (run.error) throw run.error;
  return run.resources.map(({ type, name, inputs }) => ({ type, name, inputs }));
}

async function main(): Promise<void> {
  const stacks = process.argv.slice(2);
  if (stacks.length === 0) throw new Error('name at least one stack, e.g. dev');
  // The generated certificate the mocked tls provider returns: real, since the program reads its fingerprint.
  const { certificatePem } = await generateSelfSigned({ modulusLength: 2048 });
  const results: Record<string, Registered[]> = {};
  for (const stack of stacks) results[stack] = await registeredBy(stack, certificatePem);
  process.stdout.write(JSON.stringify(stacks.length === 1 ? results[stacks[0]] : results));
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
