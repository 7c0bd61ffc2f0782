// Request bodies for each client dialect: small, Claude-Code-sized (~100 KB, "large") and a ~1 MB
// conversation ("huge"). The large and huge ones derive from bench/fixtures/claude-code-request.json
// (a Messages request), so every dialect carries the same system prompt, tools and conversation; the
// huge one repeats its tool round trips (with fresh tool ids) until the body passes 1 MB, as a long
// Claude Code session grows.
import { readFileSync } from 'node:fs';

const SYSTEM = 'You are a helpful assistant.';
const PROMPT = 'Say hello in five words.';

/** Small bodies as a client would send them (stream flag added by `requestBody`). */
export function smallBody(dialect, model) {
  if (dialect === 'chat') {
    return {
      model,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: PROMPT },
      ],
      max_tokens: 64,
    };
  }
  if (dialect === 'messages') {
    return { model, max_tokens: 64, system: SYSTEM, messages: [{ role: 'user', content: PROMPT }] };
  }
  if (dialect === 'responses') return { model, instructions: SYSTEM, input: PROMPT, max_output_tokens: 64 };
  throw new Error(`unknown dialect ${dialect}`);
}

const textOf = (content) =>
  typeof content === 'string'
    ? content
    : content
        .filter((b) => b.type === 'text')
        .map((b) => b.text)
        .join('\n');
const resultText = (b) => (typeof b.content === 'string' ? b.content : textOf(b.content ?? []));

/** The Messages fixture as an OpenAI Chat Completions request. */
export function messagesToChat(m) {
  const messages = [{ role: 'system', content: textOf(m.system ?? '') }];
  for (const msg of m.messages) {
    const blocks = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
    if (msg.role === 'assistant') {
      const calls = blocks.filter((b) => b.type === 'tool_use');
      messages.push({
        role: 'assistant',
        content: textOf(blocks) || null,
        ...(calls.length && {
          tool_calls: calls.map((b) => ({
            id: b.id,
            type: 'function',
            function: { name: b.name, arguments: JSON.stringify(b.input) },
          })),
        }),
      });
      continue;
    }
    for (const b of blocks.filter((x) => x.type === 'tool_result'))
      messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content: resultText(b) });
    const text = textOf(blocks.filter((x) => x.type === 'text'));
    if (text) messages.push({ role: msg.role === 'system' ? 'system' : 'user', content: text });
  }
  const tools = m.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.input_schema },
  }));
  return { model: m.model, messages, tools, max_tokens: 4096 };
}

/** The Messages fixture as an OpenAI Responses request. */
export function messagesToResponses(m) {
  const input = [];
  for (const msg of m.messages) {
    const blocks = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
    const text = textOf(blocks);
    if (msg.role === 'assistant') {
      if (text) input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
      for (const b of blocks.filter((x) => x.type === 'tool_use')) {
        input.push({
          type: 'function_call',
          call_id: b.id,
          name: b.name,
          arguments: JSON.stringify(b.input),
        });
      }
      continue;
    }
    for (const b of blocks.filter((x) => x.type === 'tool_result'))
      input.push({ type: 'function_call_output', call_id: b.tool_use_id, output: resultText(b) });
    if (text)
      input.push({
        type: 'message',
        role: msg.role === 'system' ? 'developer' : 'user',
        content: [{ type: 'input_text', text }],
      });
  }
  const tools = m.tools.map((t) => ({
    type: 'function',
    name: t.name,
    description: t.description,
    parameters: t.input_schema,
    strict: false,
  }));
  return {
    model: m.model,
    instructions: textOf(m.system ?? ''),
    input,
    tools,
    max_output_tokens: 4096,
    store: false,
  };
}

let fixture;
function largeMessages() {
  fixture ??= JSON.parse(
    readFileSync(new URL('../fixtures/claude-code-request.json', import.meta.url), 'utf8'),
  );
  return fixture;
}

/** The fixture's conversation grown past `bytes`: its tool round trips repeated with fresh ids. */
function grownMessages(bytes) {
  const base = largeMessages();
  const head = base.messages.slice(0, 2);
  const rounds = base.messages.slice(2);
  const messages = [...head];
  for (let k = 1; JSON.stringify({ ...base, messages }).length < bytes && k < 100; k++) {
    const again = JSON.stringify(rounds).replace(/"(toolu_[A-Za-z0-9_]+)"/g, `"$1_r${k}"`);
    messages.push(...JSON.parse(again));
  }
  return { ...base, messages };
}

export const SIZE_LABELS = { small: 'small', large: '100 KB', huge: '1 MB' };

/** The large (or, with `size` 'huge', ~1 MB) body for a dialect (`stream` flag added by `requestBody`). */
export function largeBody(dialect, model, size = 'large') {
  const m = { ...(size === 'huge' ? grownMessages(1_000_000) : largeMessages()), model };
  if (dialect === 'messages') {
    const { stream: _s, ...rest } = m;
    return rest;
  }
  if (dialect === 'chat') return messagesToChat(m);
  if (dialect === 'responses') return messagesToResponses(m);
  throw new Error(`unknown dialect ${dialect}`);
}

/** The serialised body for a dialect, size and mode, as a client sends it. */
export function requestBody(dialect, size, stream, model) {
  const body = size === 'small' ? smallBody(dialect, model) : largeBody(dialect, model, size);
  if (stream) {
    body.stream = true;
    if (dialect === 'chat') body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

/** Route and headers a client of the dialect sends (Claude Code's headers for large Messages requests). */
export function requestTarget(dialect, size) {
  if (dialect === 'chat')
    return {
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    };
  if (dialect === 'responses')
    return {
      path: '/v1/responses',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    };
  const headers = {
    'content-type': 'application/json',
    'x-api-key': 'bench',
    'anthropic-version': '2023-06-01',
  };
  if (size !== 'small') {
    headers['anthropic-beta'] =
      'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27';
    headers['x-app'] = 'cli';
    headers['user-agent'] = 'claude-cli/2.1.197 (external, sdk-cli)';
  }
  return { path: size !== 'small' ? '/v1/messages?beta=true' : '/v1/messages', headers };
}
