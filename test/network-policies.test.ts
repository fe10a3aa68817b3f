// NetworkPolicies: default deny, the app's ingress, and each client's egress, derived from the constructs.
import { Chart, Testing } from 'cdk8s';
import { CurlProbe } from '../lib/curl-probe';
import { NetworkPolicies } from '../lib/network-policies';
import { NginxApp } from '../lib/nginx-app';
import { validationProblems } from '../lib/output-check';
import { TlsSecret } from '../lib/tls-secret';
import { Manifest, synth } from './support/helpers';

function setup() {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'shop' });
  const web = new NginxApp(chart, 'web', { tls: TlsSecret.fromExisting(chart, 'tls'), hardening: true });
  const probe = new CurlProbe(chart, 'curl', { service: web.exposeViaService(), hardening: true });
  return { app, chart, probe, service: probe.service };
}

const egressNames = (objects: Manifest[]) => objects.filter((o) => o.kind === 'NetworkPolicy' && o.spec.egress).map((o) => o.metadata.name);

test('GIVEN a probe with its check WHEN the policies are made THEN both the client and the check get egress', () => {
  const { chart, probe, service } = setup();
  probe.addCheck();
  new NetworkPolicies(chart, 'net', { service, clients: [probe] });
  expect(egressNames(synth(chart))).toEqual(['curl-deployment-egress', 'curl-deployment-check-egress']);
});

test('GIVEN policies made first WHEN the check is added after them THEN synth refuses, naming the order to use', () => {
  const { app, chart, probe, service } = setup();
  new NetworkPolicies(chart, 'net', { service, clients: [probe] });
  probe.addCheck();
  let problems: string[] | undefined;
  try {
    app.synth();
  } catch (e) {
    problems = validationProblems(e);
  }
  expect(problems).toEqual(['NetworkPolicies "net": clients CurlProbe "curl-deployment" got its check Job after these policies were made, '
    + 'so the default deny leaves the check\'s pods without egress and the check fails: call addCheck() before new NetworkPolicies(...)']);
});
