/** Anthropic's refusals of thinking history (its wording), or null when the body passes. */
export function thinkingRefusal(body: any, issued: Set<string>): string | null {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (const [i, m] of messages.entries()) {
    if (m?.role !== 'assistant' || !Array.isArray(m.content)) continue;
    for (const [j, b] of m.content.entries())
      if (b?.type === 'thinking' && !issued.has(b.signature))
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
  }
  const on = body?.thinking?.type === 'enabled';
  const last = [...messages].reverse().find((m) => m?.role === 'assistant');
  if (!on || !Array.isArray(last?.content) || !last.content.some((b: any) => b?.type === 'tool_use'))
    return null;
  const first = last.content[0]?.type;
  if (first === 'thinking' || first === 'redacted_thinking') return null;
  return `Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`;
}
