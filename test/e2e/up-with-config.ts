// Runs `up` of one stack with the real engine in a process of its own and prints the outcome as JSON, for a program
// that fails: in a plain Node process (as under a language host) the SDK's unobserved rejection of the program's
// error is absorbed here, where Jest would report it as a failed suite.
//   node --import tsx test/e2e/up-with-config.ts <stack> '<config map as JSON>' [<backend URL>]
import { ConfigMap } from '@pulumi/pulumi/automation';
import { stackOf, startEngine } from './engine';

process.on('unhandledRejection', () => { /* the same error reaches the engine, which reports it below */ });

async function main(): Promise<void> {
  const [name, config, backendUrl] = process.argv.slice(2);
  const stack = await stackOf(await startEngine(backendUrl), name, JSON.parse(config) as ConfigMap);
  try {
    const result = await stack.up();
    process.stdout.write(JSON.stringify({ ok: true, result: result.summary.result }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, message: (e as Error).message }));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(2);
});
