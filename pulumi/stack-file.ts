// `Pulumi.<stack>.yaml` as the engine hands it to the program, for what runs the program outside `pulumi up`: the
// mock tests, the e2e's Automation API stacks and `npm run diff`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_NAMESPACE, readStackSettings, StackSettings } from './stack-settings';

/** One config value: text as the engine passes it (objects as JSON), and whether it is a secret. */
export interface StackConfigValue {
  readonly value: string;
  readonly secret?: boolean;
}

/** A stack's config by full key (`guide-as-code:replicas`); the shape of the Automation API's ConfigMap. */
export type StackConfig = Readonly<Record<string, StackConfigValue>>;

/**
 * The config of `Pulumi.<stack>.yaml` in `dir`. An encrypted (`secure:`) value cannot be read without the stack's
 * secrets provider: it stands in as `<secret>`, marked secret.
 */
export function readStackFile(stack: string, dir = join(__dirname, '..')): StackConfig {
  const file = parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), 'utf8')) as { config?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(file.config ?? {}).map(([key, value]) => {
    const secure = typeof value === 'object' && value !== null && 'secure' in value;
    if (secure) return [key, { value: '<secret>', secret: true }];
    return [key, { value: typeof value === 'string' ? value : JSON.stringify(value), secret: false }];
  }));
}

/** The settings a stack config gives, read and checked as the program reads them. */
export function stackSettingsOf(config: StackConfig): StackSettings {
  return readStackSettings({
    get: (key) => config[`${CONFIG_NAMESPACE}:${key}`]?.value,
    isSecret: (key) => config[`${CONFIG_NAMESPACE}:${key}`]?.secret ?? false,
  }, Object.keys(config));
}
