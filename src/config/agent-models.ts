/**
 * The model names coding agents ask for when nobody tells them otherwise. `agentbox env` uses them
 * to decide whether an agent needs model variables, and `/v1/models` lists the ones a glob alias
 * catches, so a glob such as `claude-*` is discoverable by the names that actually reach it.
 */

/** Claude Code 2.1.x's default main model. */
export const CLAUDE_MAIN_NAMES: readonly string[] = ['claude-opus-4-8'];
/** Claude Code 2.1.x's small/fast model (either spelling). */
export const CLAUDE_SMALL_NAMES: readonly string[] = ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'];

/** Every default name, in a stable order. */
export const AGENT_DEFAULT_MODEL_NAMES: readonly string[] = [...CLAUDE_MAIN_NAMES, ...CLAUDE_SMALL_NAMES];
