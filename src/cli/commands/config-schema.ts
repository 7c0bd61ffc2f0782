import { configJsonSchemaText } from '../../config/schema.js';
import { out } from '../output.js';

/** `agentbox config schema`: the JSON Schema of config.yml, exactly as in config.schema.json. */
export async function configSchema(): Promise<void> {
  out(configJsonSchemaText());
}
