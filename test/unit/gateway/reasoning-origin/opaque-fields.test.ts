import { describe, expect, it } from 'vitest';
import {
  geminiOpaque,
  messagesOpaque,
  responsesOpaque,
} from '../../../../src/gateway/dialects/opaque-reasoning.js';
import {
  markResponseBody,
  requestBodyForFamily,
} from '../../../../src/gateway/reasoning-origin/opaque-fields.js';

const A = 'agentbox:anthropic:';

describe('passthrough request bodies', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 't', signature: `${A}SIG` },
          { type: 'redacted_thinking', data: `${A}RED` },
          { type: 'tool_use', id: 'x', name: 'n', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'more' }] },
    ],
  };
  const frozen = JSON.stringify(body);

  it("same family: the original bytes, the caller's body untouched, untouched parts shared", () => {
    const out = requestBodyForFamily(body, messagesOpaque, 'anthropic') as typeof body;
    expect((out.messages[1].content as Array<Record<string, unknown>>).slice(0, 2)).toEqual([
      { type: 'thinking', thinking: 't', signature: 'SIG' },
      { type: 'redacted_thinking', data: 'RED' },
    ]);
    expect(JSON.stringify(body)).toBe(frozen);
    expect(out.messages[0]).toBe(body.messages[0]);
    expect(out.messages[2]).toBe(body.messages[2]);
  });

  it('another family: the blocks are left out', () => {
    const out = requestBodyForFamily(body, messagesOpaque, 'bedrock') as typeof body;
    expect(out.messages[1].content).toEqual([{ type: 'tool_use', id: 'x', name: 'n', input: {} }]);
    expect(JSON.stringify(body)).toBe(frozen);
  });

  it('nothing marked: the very same object', () => {
    const plain = {
      model: 'm',
      messages: [{ role: 'assistant', content: [{ type: 'thinking', signature: 'SIG' }] }],
    };
    expect(requestBodyForFamily(plain, messagesOpaque, 'openai')).toBe(plain);
  });

  it('Responses: a foreign reasoning item is left out; Gemini: a call keeps a stand-in, a thought goes', () => {
    const r = requestBodyForFamily(
      {
        input: [
          { type: 'reasoning', id: 'rs_1', encrypted_content: `${A}S` },
          { role: 'user', content: 'x' },
        ],
      },
      responsesOpaque,
      'openai',
    );
    expect(r.input).toEqual([{ role: 'user', content: 'x' }]);
    const g = requestBodyForFamily(
      {
        contents: [
          {
            role: 'model',
            parts: [
              { text: 'why', thought: true, thoughtSignature: `${A}S` },
              { functionCall: { name: 'f', args: {} }, thoughtSignature: `${A}S` },
            ],
          },
        ],
      },
      geminiOpaque,
      'gemini',
    );
    expect(g.contents).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
        ],
      },
    ]);
  });
});

describe('passthrough answers', () => {
  it('marks non-empty values in place and says whether it did', () => {
    const res = {
      content: [
        { type: 'thinking', thinking: '', signature: 'S' },
        { type: 'text', text: 'signature' },
      ],
    };
    expect(markResponseBody(res, messagesOpaque, 'anthropic')).toBe(true);
    expect(res.content[0].signature).toBe(`${A}S`);
    expect(markResponseBody({ content: [{ type: 'text', text: 'x' }] }, messagesOpaque, 'anthropic')).toBe(
      false,
    );
  });
});
