// Prints, as JSON, every resource the Pulumi program registers for example stacks (Pulumi.<stack>.yaml), run under
// pulumi.runtime.setMocks: no engine, no cluster. `npm run diff` compares these between two versions.
//   node --require sucrase/register/ts scripts/stack-objects.ts dev        one stack: its resources, as a list
//   node --require sucrase/register/ts scripts/stack-objects.ts dev prod   several: { "dev": [...], "prod": [...] }, in one process
import * as pulumi from '@pulumi/pulumi';
import { generateSelfSigned } from '../lib/self-signed';
import { guideProgram } from '../pulumi/program';
import { readStackFile } from '../pulumi/stack-file';

interface Registered { type: string; name: string; inputs: unknown }

async function registeredBy(stack: string, certificatePem: string): Promise<Registered[]> {
  const file = readStackFile(stack);
  const config = Object.fromEntries(Object.entries(file).map(([key, { value }]) => [key, value]));
  const secretKeys = Object.keys(file).filter((key) => file[key].secret);
  const registered: Registered[] = [];
  // setAllConfig replaces the config and setMocks the monitor, so each stack runs on its own.
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks({
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state = args.type === 'tls:index/selfSignedCert:SelfSignedCert' ? { ...args.inputs, certPem: certificatePem }
        : args.type === 'tls:index/privateKey:PrivateKey' ? { ...args.inputs, privateKeyPem: '<mock>' } : args.inputs;
      return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
  }, 'guide-as-code', stack);
  const outputs = guideProgram();
  await Promise.all(Object.values(outputs).map((o: pulumi.Output<unknown>) => new Promise((resolve) => o.apply((v) => { resolve(v); return v; }))));
  await pulumi.runtime.disconnect();
  return registered;
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
