import { pickAlias, servesAny, shellWord, type AgentTarget } from './env.js';

/** The model Gemini CLI 0.x asks for when none is set. */
const GEMINI_DEFAULT_NAMES = ['gemini-2.5-pro'];

/**
 * Gemini CLI's settings that choose API-key auth. Without them a set GOOGLE_GEMINI_BASE_URL makes
 * the CLI pick its "gateway" auth type, which 0.61 refuses in headless runs ("Invalid auth method").
 */
export const GEMINI_SETTINGS = { security: { auth: { selectedType: 'gemini-api-key' } } };

/**
 * What Gemini CLI needs: the settings.json entry above, then the environment: the gateway's root
 * URL (the CLI appends `/v1beta/models/…`), the key it sends as `x-goog-api-key`, and the model when
 * the config has no alias for the name Gemini CLI sends by default.
 */
export function geminiLines(t: AgentTarget): { settings: string; shell: string[] } {
  const shell = [
    `export GOOGLE_GEMINI_BASE_URL=${t.url}`,
    `export GEMINI_API_KEY=${t.key}`,
    'export GEMINI_DEFAULT_AUTH_TYPE=gemini-api-key',
    'unset GOOGLE_API_KEY GOOGLE_GENAI_USE_VERTEXAI GOOGLE_GENAI_USE_GCA',
  ];
  const model =
    t.model ??
    (servesAny(t.config, GEMINI_DEFAULT_NAMES) ? undefined : pickAlias(t.config, ['code', 'default']));
  if (model) shell.push(`export GEMINI_MODEL=${shellWord(model)}`);
  return { settings: JSON.stringify(GEMINI_SETTINGS), shell };
}

/** The printed form: the settings entry as a comment-headed JSON line, then the shell lines. */
export function geminiText(t: AgentTarget): string {
  const g = geminiLines(t);
  return [
    '# ~/.gemini/settings.json (merge into it): API-key auth against GOOGLE_GEMINI_BASE_URL',
    g.settings,
    '',
    '# shell',
    ...g.shell,
  ].join('\n');
}
