// The API reference (npm run docs:api, in .ci/run): every export documented, every link resolved, no warning.
import { OptionDefaults } from 'typedoc';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  name: 'guide-as-code',
  entryPoints: ['lib/index.ts', 'pulumi/component.ts'],
  tsconfig: 'tsconfig.build.json',
  out: 'build/api',
  readme: 'none',
  excludeInternal: true,
  excludePrivate: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  // The union classes the cdk8s importer generates carry no comments of their own.
  intentionallyNotDocumented: ['lib.k8s.IntOrString.fromString', 'lib.k8s.IntOrString.fromNumber', 'lib.k8s.IntOrString.value',
    'lib.k8s.Quantity.fromString', 'lib.k8s.Quantity.fromNumber', 'lib.k8s.Quantity.value',
    ...['PodMonitorSpecNativeHistogramMinBucketFactor', 'PodMonitorSpecPodMetricsEndpointsTargetPort']
      .flatMap((union) => ['fromString', 'fromNumber', 'value'].map((member) => `lib.monitoring.${union}.${member}`))],
  disableSources: true,
  // lib/imports/ is made by the cdk8s importer, which names each type's OpenAPI definition with @schema.
  blockTags: [...OptionDefaults.blockTags, '@schema'],
  externalSymbolLinkMappings: {
    '@pulumi/pulumi': {
      CustomResource: 'https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/pulumi/classes/CustomResource.html',
    },
  },
};

export default config;
