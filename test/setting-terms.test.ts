// A construct's refusal of a value a setting gave it is reported as that setting's, naming the key or variable the
// user wrote; a refusal of anything the user did not set stays the construct's.
import { Testing } from 'cdk8s';
import { ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { inSettingTerms, resolveSettings } from '../lib/settings';
import { synthErrorInSettingTerms } from '../lib/synth-settings';
import { GuideConfigError } from '../lib/validation';
import { stackChart, stackErrorInSettingTerms } from '../pulumi/stack-settings';

function refusal(build: () => unknown): GuideConfigError {
  try {
    build();
  } catch (e) {
    if (e instanceof GuideConfigError) return e;
    throw e;
  }
  throw new Error('accepted');
}

const badImage = () => refusal(() => new NginxApp(Testing.chart(), 'app', { image: 'Nginx:Latest' }));

test('a construct\'s error knows its construct kind and the message after its owner', () => {
  const error = badImage();
  expect(error.owner).toBe('NginxApp "my-nginx"');
  expect(error.kind).toBe('NginxApp');
  expect(error.problem).toMatch(/^image "Nginx:Latest" /);
});

test('GUIDE_NGINX_IMAGE, when set, takes the construct\'s refusal of the image as its own', () => {
  const error = badImage();
  expect(synthErrorInSettingTerms(error, { GUIDE_NGINX_IMAGE: 'Nginx:Latest' }).message)
    .toBe(`environment: GUIDE_NGINX_IMAGE "Nginx:Latest" gives NginxApp "my-nginx" ${error.problem}`);
  // Not set (or set empty, which synth reads as unset): the image came from elsewhere, and the message stays.
  expect(synthErrorInSettingTerms(error, {})).toBe(error);
  expect(synthErrorInSettingTerms(error, { GUIDE_NGINX_IMAGE: '' })).toBe(error);
});

test('the stack\'s refusal names the config key of the prop the message names, and its fix the keys to set', () => {
  // As a program could hand the chart settings that no config reader checked.
  const settings = resolveSettings({ hardening: true, imageSet: ImageSet.GUIDE }, 'stack');
  const error = refusal(() => stackChart(settings));
  expect(error.message).toMatch(/^NginxApp "my-nginx": hardening cannot work with imageSet's image "bprashanth\/nginxhttps:1.0"/);
  expect(stackErrorInSettingTerms(error, settings, ['hardening', 'imageSet']).message)
    .toBe('stack config: guide-as-code:hardening "true" and guide-as-code:imageSet "guide" give NginxApp "my-nginx" hardening cannot work '
      + 'with imageSet\'s image "bprashanth/nginxhttps:1.0": its nginx (bprashanth/nginxhttps:1.0) runs as root on 80 and 443 from a default.conf '
      + 'of its own, and restricted pods have no root to bind those ports: use an official nginx image (guide-as-code:imageSet pinned, or '
      + 'guide-as-code:nginxImage nginx:1.27.4) with an NginxConfig, or set guide-as-code:hardening false');
  // A key the stack does not set is not named: the value came from a default.
  expect(stackErrorInSettingTerms(error, settings, ['hardening']).message).toMatch(/^stack config: guide-as-code:hardening "true" gives NginxApp/);
});

test('an error of another construct, or one no setting fed, stays as it is', () => {
  const error = badImage();
  expect(inSettingTerms(error, 'environment', { curlImage: 'x' })).toBe(error);
  expect(inSettingTerms(new GuideConfigError('plain'), 'environment', { nginxImage: 'x' }).message).toBe('plain');
});
