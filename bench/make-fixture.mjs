#!/usr/bin/env node
// Builds bench/fixtures/claude-code-request.json, the ~100 KB Messages request the benchmark sends as
// its "large" body: the second request of a real Claude Code capture (system prompt, 24 tools, a
// tool round trip) plus two more Read round trips over project documents, as a session grows.
// Usage: node bench/make-fixture.mjs <claude-tool.jsonl> <doc1.md> <doc2.md>
// (the committed fixture came from research/captures/claude-tool.jsonl, CONTRACT.md and DESIGN.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [capture, ...docs] = process.argv.slice(2);
if (!capture || docs.length === 0) {
  console.error('usage: node bench/make-fixture.mjs <claude-tool.jsonl> <doc.md>...');
  process.exit(2);
}
const records = readFileSync(capture, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const rec = records[records.length - 1];
const body = JSON.parse(JSON.stringify(rec.body));
body.metadata = {
  user_id: JSON.stringify({
    device_id: '0'.repeat(64),
    account_uuid: '',
    session_id: '00000000-0000-4000-8000-000000000000',
  }),
};

const numbered = (text) =>
  text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
    .join('\n');
let n = 2;
for (const doc of docs) {
  const id = `toolu_bench${String(n++).padStart(4, '0')}`;
  body.messages.push({
    role: 'assistant',
    content: [
      { type: 'text', text: `Let me read ${basename(doc)}.` },
      { type: 'tool_use', id, name: 'Read', input: { file_path: `/work/docs/${basename(doc)}` } },
    ],
  });
  body.messages.push({
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: id, content: numbered(readFileSync(doc, 'utf8')) }],
  });
}
body.messages.push({ role: 'assistant', content: [{ type: 'text', text: 'I have read both documents.' }] });
body.messages.push({
  role: 'user',
  content: [{ type: 'text', text: 'Summarise the routing rules in three bullet points.' }],
});

const out = new URL('./fixtures/claude-code-request.json', import.meta.url);
// Formatted as the repository's prettier would, so format checks stay clean.
const { format } = await import('prettier');
const text = await format(JSON.stringify(body), { parser: 'json' });
writeFileSync(out, text);
console.error(
  `wrote ${out.pathname}: ${text.length} bytes, ${body.messages.length} messages, ${body.tools.length} tools`,
);
