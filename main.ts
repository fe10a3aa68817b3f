// Entry point of `cdk8s synth` and `npm run synth`: reads the synth settings and writes the guide's final state to
// dist/ and its steps, one file each, to dist/steps/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { settingsInEffect, settingsOf } from './lib/settings';
import { readSynthSettings, synthErrorInSettingTerms } from './lib/synth-settings';
import { GuideConfigError } from './lib/validation';

// The constructs load only once the settings are good, so a bad setting is reported without that cost.
type GuideCharts = typeof import('./lib/guide-charts');
type OutputCheck = typeof import('./lib/output-check');

try {
  const settings = readSynthSettings(process.env, existsSync);
  // With GUIDE_TLS_KEYS a private key is written into dist/: every file and folder is created owner-only.
  if (settings.tls.from !== 'existing') process.umask(0o077);
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  const { addGuideCharts } = require('./lib/guide-charts') as GuideCharts;
  // A Helm chart's templates hold one deployable state: the steps, which redefine its objects, are left out.
  const deployableOnly = process.env.CDK8S_DEPLOYABLE_ONLY === 'true';
  const steps = new App({ outdir: join(outdir, 'steps') });
  const final = new App({ outdir });
  const inEffect = settingsInEffect(settings);
  const chartSettings = Object.fromEntries(settingsOf('chart').map((s) => [s, inEffect[s]]));
  addGuideCharts(steps, { ...chartSettings, namespace: settings.namespace, finalStateApp: final });
  if (!deployableOnly) steps.synth();
  final.synth();
} catch (e) {
  // A bad setting (one message, in the setting's terms when a construct refused what it gave), or what the App's output
  // check found (one line each); anything else is a bug.
  const problems = e instanceof GuideConfigError ? [synthErrorInSettingTerms(e, process.env).message]
    : (require('./lib/output-check') as OutputCheck).validationProblems(e);
  if (problems === undefined) throw e;
  process.stderr.write(problems.map((p) => `error: ${p}\n`).join(''));
  process.exit(1);
}
