// Entry point of `cdk8s synth`: reads the environment and writes the guide's manifests to dist/.
import { join } from 'node:path';
import { App } from 'cdk8s';
import { addGuideCharts } from './lib/guide-charts';
import { ImageSet } from './lib/images';
import { TlsSecretProps } from './lib/tls-secret';
import { GuideConfigError, checkOneOf } from './lib/validation';

function tlsFromEnvironment(): TlsSecretProps {
  // Opt-in only: embedding puts the private key into dist/. By default the manifests reference the Secret that
  // `kubectl create secret tls nginxsecret --cert .keys/tls.crt --key .keys/tls.key` creates.
  const keysDir = process.env.GUIDE_TLS_KEYS;
  if (!keysDir) return { existing: true };
  return { certificateFile: join(keysDir, 'tls.crt'), privateKeyFile: join(keysDir, 'tls.key') };
}

try {
  const imageSet = checkOneOf('environment', 'GUIDE_IMAGES', process.env.GUIDE_IMAGES ?? ImageSet.PINNED, Object.values(ImageSet));
  const app = new App();
  addGuideCharts(app, { tls: tlsFromEnvironment(), imageSet });
  app.synth();
} catch (e) {
  if (!(e instanceof GuideConfigError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
}
