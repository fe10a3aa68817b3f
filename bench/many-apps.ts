// Synthesizes N NginxApp + ExposedService pairs in one chart and prints how long construction and synthesis took.
//   tsx bench/many-apps.ts [N]
import { Chart, Testing } from 'cdk8s';
import { ExposedService } from '../lib/exposed-service';
import { NginxApp } from '../lib/nginx-app';

const count = Number(process.argv[2] ?? 1000);
const started = process.hrtime.bigint();
const chart = new Chart(Testing.app(), 'bench');
for (let i = 0; i < count; i++) {
  new ExposedService(chart, `Service${i}`, { app: new NginxApp(chart, `App${i}`, { name: `nginx-${i}` }) });
}
const built = process.hrtime.bigint();
const yaml = chart.toJson().length;
const done = process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => (Number(b - a) / 1e6).toFixed(0);
console.log(`${count} pairs: construct ${ms(started, built)} ms, synthesize ${ms(built, done)} ms, ${yaml} objects, `
  + `heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
