// Entry point of `cdk8s synth`: reads the environment and writes the guide's manifests to dist/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { addGuideCharts } from './lib/guide-charts';
import { ImageSet } from './lib/images';
import { TlsSecretProps } from './lib/tls-secret';
import { GuideConfigError, checkOneOf } from './lib/validation';

/** Where `npm run keys` writes the certificate and key. */
const KEYS_DIR = '.keys';

function tlsFromEnvironment(): TlsSecretProps {
  // Embedding is opt-in: it puts the private key into dist/.
  const embedFrom = process.env.GUIDE_TLS_KEYS;
  if (embedFrom) return { certificateFile: join(embedFrom, 'tls.crt'), privateKeyFile: join(embedFrom, 'tls.key') };
  // By default the manifests reference the Secret that `kubectl create secret tls nginxsecret --cert .keys/tls.crt
  // --key .keys/tls.key` creates; when those files exist, synth checks them against the Service all the same.
  if (existsSync(join(KEYS_DIR, 'tls.crt')) || existsSync(join(KEYS_DIR, 'tls.key'))) {
    return { existing: true, certificateFile: join(KEYS_DIR, 'tls.crt'), privateKeyFile: join(KEYS_DIR, 'tls.key') };
  }
  return { existing: true };
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
