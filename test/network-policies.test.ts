// NetworkPolicies: default deny, the app's ingress, and each client's egress, derived from the constructs.
import { Chart, Testing } from 'cdk8s';
import { CurlProbe } from '../lib/curl-probe';
import { NetworkPolicies } from '../lib/network-policies';
import { NginxApp } from '../lib/nginx-app';
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

test('GIVEN policies made first WHEN the check is added after them THEN its pods get their egress all the same: the order does not matter', () => {
  const { chart, probe, service } = setup();
  new NetworkPolicies(chart, 'net', { service, clients: [probe] });
  probe.addCheck();
  const policiesFirst = synth(chart);
  const other = setup();
  other.probe.addCheck();
  new NetworkPolicies(other.chart, 'net', { service: other.service, clients: [other.probe] });
  expect(egressNames(policiesFirst)).toEqual(['curl-deployment-egress', 'curl-deployment-check-egress']);
  expect(policiesFirst).toEqual(synth(other.chart));
});
