// A construct's refusal of a value a setting gave it is reported as that setting's, naming the key or variable the
// user wrote; a refusal of anything the user did not set stays the construct's.
import { Testing } from 'cdk8s';
import { ImageSet } from '../lib/images';
import { NginxApp } from '../lib/nginx-app';
import { synthErrorInSettingTerms } from '../lib/synth-settings';
import { GuideConfigError, inSettingTerms } from '../lib/validation';
import { DEPLOYMENT_DEFAULTS, stackChart, stackErrorInSettingTerms } from '../pulumi/stack-settings';

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

test('the stack\'s refusal names the config key of the first prop the message names', () => {
  // As a program could hand the chart settings that no config reader checked.
  const settings = { ...DEPLOYMENT_DEFAULTS, hardening: true, imageSet: ImageSet.GUIDE };
  const error = refusal(() => stackChart(settings));
  expect(error.message).toMatch(/^NginxApp "my-nginx": hardening cannot work with imageSet's image "bprashanth\/nginxhttps:1.0"/);
  expect(stackErrorInSettingTerms(error, settings).message)
    .toBe(`stack config: guide-as-code:hardening "true" gives NginxApp "my-nginx" ${error.problem}`);
});

test('an error of another construct, or one no setting fed, stays as it is', () => {
  const error = badImage();
  expect(inSettingTerms(error, 'environment', { 'CurlProbe.image': { name: 'GUIDE_CURL_IMAGE', value: 'x' } })).toBe(error);
  expect(inSettingTerms(new GuideConfigError('plain'), 'environment', { 'NginxApp.image': { name: 'GUIDE_NGINX_IMAGE', value: 'x' } }).message)
    .toBe('plain');
});
