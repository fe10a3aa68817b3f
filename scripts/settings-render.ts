// What lib/settings.ts's table makes: the TypeScript interfaces of the settings each surface takes in code
// (lib/settings.generated.ts) and the tables of docs/settings.md. `npm run settings:generate` writes them;
// test/settings.test.ts proves the committed ones are what this renders.
import { SETTINGS, settingsOf, Surface } from '../lib/settings';

type Name = keyof typeof SETTINGS;

/** The interfaces of lib/settings.generated.ts: one per surface that takes settings in code. */
export function renderTypes(): string {
  const block = (surface: Surface, name: string, doc: string) => {
    const props = settingsOf(surface).map((setting: Name) => {
      const spec = SETTINGS[setting];
      const lines = [`${capitalize(spec.doc)}.`, `@default - ${spec.defaultDoc}`, ...(spec.see ? [`@see ${spec.see}`] : [])];
      return `  /**\n${lines.map((l) => `   * ${l}`).join('\n')}\n   */\n  readonly ${setting}?: ${spec.tsType};`;
    });
    return `/** ${doc} */\nexport interface ${name} {\n${props.join('\n\n')}\n}\n`;
  };
  const values = Object.entries(SETTINGS).map(([setting, spec]) => {
    const lines = [`${capitalize(spec.doc)}.`, ...(spec.see ? [`@see ${spec.see}`] : [])];
    const optional = spec.default === undefined ? '?' : '';
    return `  /**\n${lines.map((l) => `   * ${l}`).join('\n')}\n   */\n  readonly ${setting}${optional}: ${spec.tsType};`;
  });
  const blocks = [
    `/** Every setting once read, checked and defaulted: a setting with a default always has a value. */\nexport interface GuideSettingsValues {\n${values.join('\n\n')}\n}\n`,
    block('chart', 'GuideChartSettings', 'The settings the guide\'s final state takes as props (SecureNginxChart, addGuideCharts).'),
    block('args', 'SecureNginxDeploymentSettings', 'The settings the Pulumi component takes as Args (SecureNginxDeployment).'),
  ];
  const used = (type: string) => blocks.some((b) => new RegExp(`: ${type};`).test(b));
  const imports = Object.entries(TYPE_MODULES).map(([module, types]) => [module, types.filter(used)] as const)
    .filter(([, types]) => types.length > 0).map(([module, types]) => `import type { ${types.join(', ')} } from '${module}';`);
  return ['// Generated from lib/settings.ts by `npm run settings:generate`: edit that table, not this file.', ...imports, '', ...blocks].join('\n');
}

/** Where each type a setting may have comes from. */
const TYPE_MODULES: Readonly<Record<string, readonly string[]>> = {
  'cdk8s': ['Duration'],
  './images': ['ImageSet'],
  './service-type': ['ServiceType'],
  './settings': ['CertificateSetting', 'ClusterSetting'],
  './tls-secret': ['TlsSecretSource'],
};

/** docs/settings.md's table of the GUIDE_* variables. */
export function renderEnvironmentTable(): string {
  const rows = settingsOf('environment').map((setting: Name) => {
    const spec = SETTINGS[setting];
    return `| \`${spec.env}\` | ${spec.envDoc?.defaultDoc ?? spec.defaultDoc} | ${spec.envDoc?.doc ?? spec.doc} |`;
  });
  return ['| variable | default | what it sets |', '|---|---|---|', ...rows].join('\n');
}

/** docs/settings.md's table of the stack config keys. */
export function renderStackTable(): string {
  const rows = settingsOf('stack').flatMap((setting: Name) => {
    const spec = SETTINGS[setting];
    const stack = spec.stack!;
    if (typeof stack === 'string') return [`| \`${stack}\` | ${spec.defaultDoc} | ${spec.doc} |`];
    return Object.entries(stack.keys).map(([key, { doc, defaultDoc }]) => `| \`${key}\` | ${defaultDoc} | ${doc} |`);
  });
  return ['| key | default | what it sets |', '|---|---|---|', ...rows].join('\n');
}

/** The marked regions of docs/settings.md and what each holds. */
export const DOC_TABLES: Readonly<Record<string, () => string>> = {
  'settings:environment': renderEnvironmentTable,
  'settings:stack': renderStackTable,
};

/** `text` with each marked region (`<!-- name -->` ... `<!-- /name -->`) holding what renders it. */
export function withTables(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(DOC_TABLES)) {
    const pattern = new RegExp(`(<!-- ${name} -->\\n)(?:[\\s\\S]*?\\n)?(<!-- /${name} -->)`);
    if (!pattern.test(out)) throw new Error(`docs/settings.md has no region <!-- ${name} --> ... <!-- /${name} -->`);
    out = out.replace(pattern, (_m, open: string, close: string) => `${open}${render()}\n${close}`);
  }
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
