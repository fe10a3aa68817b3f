// Prints, as JSON, every resource the Pulumi program registers for one example stack (Pulumi.<stack>.yaml), run
// under pulumi.runtime.setMocks: no engine, no cluster. `npm run diff` compares these between two versions.
//   node --import tsx scripts/stack-objects.ts dev
import * as pulumi from '@pulumi/pulumi';
import { generateSelfSigned } from '../lib/self-signed';
import { readStackFile } from '../pulumi/stack-file';

interface Registered { type: string; name: string; inputs: unknown }

async function main(): Promise<void> {
  const stack = process.argv[2];
  const file = readStackFile(stack);
  const config = Object.fromEntries(Object.entries(file).map(([key, { value }]) => [key, value]));
  const secretKeys = Object.keys(file).filter((key) => file[key].secret);
  // The generated certificate the mocked tls provider returns: real, since the program reads its fingerprint.
  const { certificatePem } = await generateSelfSigned({ modulusLength: 2048 });
  const registered: Registered[] = [];
  pulumi.runtime.setAllConfig(config, secretKeys);
  pulumi.runtime.setMocks({
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state = args.type === 'tls:index/selfSignedCert:SelfSignedCert' ? { ...args.inputs, certPem: certificatePem }
        : args.type === 'tls:index/privateKey:PrivateKey' ? { ...args.inputs, privateKeyPem: '<mock>' } : args.inputs;
      return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
  }, 'guide-as-code', stack);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require('../pulumi/index') as Record<string, pulumi.Output<unknown>>;
  await Promise.all(Object.values(program).map((o) => new Promise((resolve) => o.apply((v) => { resolve(v); return v; }))));
  await pulumi.runtime.disconnect();
  process.stdout.write(JSON.stringify(registered));
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
