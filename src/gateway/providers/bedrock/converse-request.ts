import { GatewayError } from '../../errors.js';

/**
 * An Anthropic Messages body (as `buildAnthropicRequest` makes it from the canonical request) →
 * a Bedrock Converse body. The two are close: content blocks map one to one, `system` becomes
 * `system`, sampling goes to `inferenceConfig`, tools to `toolConfig`; thinking (which only some
 * models take) is sent in `additionalModelRequestFields`. What Converse cannot carry is refused:
 * images by URL (Converse takes bytes only) and `tool_choice: none`.
 */
type Obj = Record<string, any>;

export function messagesToConverse(m: Obj): Obj {
  const out: Obj = { messages: (m.messages as Obj[]).map(message) };
  if (Array.isArray(m.system) && m.system.length > 0)
    out.system = m.system.map((b: Obj) => ({ text: String(b.text ?? '') }));
  const inference: Obj = { maxTokens: m.max_tokens };
  if (m.temperature !== undefined) inference.temperature = m.temperature;
  if (m.top_p !== undefined) inference.topP = m.top_p;
  if (Array.isArray(m.stop_sequences)) inference.stopSequences = m.stop_sequences;
  out.inferenceConfig = inference;
  if (Array.isArray(m.tools) && m.tools.length > 0) {
    const toolConfig: Obj = {
      tools: m.tools.map((t: Obj) => ({
        toolSpec: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          inputSchema: { json: t.input_schema ?? { type: 'object', properties: {} } },
        },
      })),
    };
    const choice = m.tool_choice as Obj | undefined;
    if (choice?.type === 'none')
      throw new GatewayError('invalid_request', 'tool_choice "none" is not supported by Bedrock Converse', {
        param: 'tool_choice',
      });
    if (choice?.type === 'any') toolConfig.toolChoice = { any: {} };
    else if (choice?.type === 'tool') toolConfig.toolChoice = { tool: { name: choice.name } };
    else if (choice?.type === 'auto') toolConfig.toolChoice = { auto: {} };
    out.toolConfig = toolConfig;
  }
  if (m.thinking) out.additionalModelRequestFields = { thinking: m.thinking };
  return out;
}

function message(m: Obj): Obj {
  const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content as Obj[]);
  return { role: m.role, content: content.map(block) };
}

function block(b: Obj): Obj {
  switch (b.type) {
    case 'text':
      return { text: b.text };
    case 'image':
      return { image: image(b.source) };
    case 'tool_use':
      return { toolUse: { toolUseId: b.id, name: b.name, input: b.input ?? {} } };
    case 'tool_result': {
      const parts = typeof b.content === 'string' ? [{ type: 'text', text: b.content }] : (b.content ?? []);
      const out: Obj = {
        toolUseId: b.tool_use_id,
        content: (parts as Obj[]).map((p) =>
          p.type === 'image' ? { image: image(p.source) } : { text: p.text ?? '' },
        ),
      };
      if (b.is_error) out.status = 'error';
      return { toolResult: out };
    }
    case 'thinking':
      return { reasoningContent: { reasoningText: { text: b.thinking ?? '', signature: b.signature } } };
    case 'redacted_thinking':
      return { reasoningContent: { redactedContent: b.data } };
    default:
      throw new GatewayError(
        'invalid_request',
        `a ${String(b.type)} block cannot be sent to Bedrock Converse`,
      );
  }
}

function image(source: Obj | undefined): Obj {
  if (source?.type !== 'base64')
    throw new GatewayError(
      'invalid_request',
      'Bedrock Converse takes images as bytes only: send the image base64-encoded instead of by URL',
    );
  const format = String(source.media_type ?? '')
    .replace(/^image\//, '')
    .replace('jpg', 'jpeg');
  return { format, source: { bytes: source.data } };
}
