// The settings of `npm run synth` and `cdk8s synth`: the GUIDE_* environment variables of lib/settings.ts.
import { GuideSettingsValues, inSettingTerms, SETTINGS, settingsOf } from './settings';
import { GuideConfigError } from './validation';

export { isSynthSettingName, KEYS_DIR, readSynthSettings, SYNTH_VARIABLES } from './settings';

/** What the synth settings resolve to: the settings of the guide's charts. */
export type SynthSettings = GuideSettingsValues;

/**
 * A construct's refusal of a value one of the settings gave it, restated in terms of that setting (`environment:
 * GUIDE_TLS_KEYS "/keys" gives TlsSecret "nginxsecret" certificateFile ...`); other errors as they are.
 */
export function synthErrorInSettingTerms(error: GuideConfigError, env: Readonly<Record<string, string | undefined>>): GuideConfigError {
  const given = Object.fromEntries(settingsOf('environment').map((s) => [s, env[SETTINGS[s].env!] === '' ? undefined : env[SETTINGS[s].env!]]));
  return inSettingTerms(error, 'environment', given);
}
