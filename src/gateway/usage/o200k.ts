import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';

/**
 * Token counts in o200k_base (OpenAI's current encoding), from `gpt-tokenizer`'s rank file and
 * split pattern, held compactly: the 200k tokens' bytes in one buffer, found through an
 * open-addressing table of typed arrays: about 18 MB of RSS (7 MB held) and 150-200 ms to load,
 * where the library's own encoder takes about 60 MB (a Map of strings, the decoder, the module's source):
 * the gateway only ever counts, never encodes or decodes. The count is the library's, token for
 * token (test/unit/gateway/usage/o200k.test.ts), except that text spelling a special token such as
 * `<|endoftext|>` is counted as the text it is (as an upstream reads a prompt), where the
 * library refuses it.
 */

const FILE = createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken');

interface Table {
  bytes: Buffer;
  /** Token k's bytes are bytes[start[k] .. start[k + 1]). */
  start: Int32Array;
  rank: Int32Array;
  /** Open addressing by FNV-1a of the bytes: token index, or -1. */
  slots: Int32Array;
  mask: number;
}

function load(): Table {
  // Lines of `<base64 bytes> <rank>`.
  const text = readFileSync(FILE, 'latin1');
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (text.length > 0 && !text.endsWith('\n')) lines++;
  const bytes = Buffer.alloc(Math.ceil(text.length * 0.75));
  const start = new Int32Array(lines + 1);
  const rank = new Int32Array(lines);
  let used = 0;
  let n = 0;
  for (let i = 0; i < text.length && n < lines; n++) {
    const space = text.indexOf(' ', i);
    let end = text.indexOf('\n', space);
    if (end < 0) end = text.length;
    const r = Number(text.slice(space + 1, end));
    if (space < 0 || !Number.isInteger(r)) throw new Error(`${FILE}: line ${n + 1} is not "<base64> <rank>"`);
    start[n] = used;
    used += bytes.write(text.slice(i, space), used, 'base64');
    rank[n] = r;
    i = end + 1;
  }
  start[n] = used;
  let size = 1;
  while (size < n * 2) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  for (let k = 0; k < n; k++) {
    let h = 0x811c9dc5;
    for (let j = start[k]; j < start[k + 1]; j++) h = Math.imul(h ^ bytes[j], 16777619);
    let s = (h >>> 0) & mask;
    while (slots[s] !== -1) s = (s + 1) & mask;
    slots[s] = k;
  }
  return { bytes: bytes.subarray(0, used), start, rank, slots, mask };
}

const T = load();

/** The rank of the token whose bytes are `p`'s chars a..z (one char per byte), or -1. */
function rankOf(p: string, a: number, z: number): number {
  let h = 0x811c9dc5;
  for (let j = a; j < z; j++) h = Math.imul(h ^ p.charCodeAt(j), 16777619);
  const len = z - a;
  for (let s = (h >>> 0) & T.mask; ; s = (s + 1) & T.mask) {
    const k = T.slots[s];
    if (k === -1) return -1;
    const from = T.start[k];
    if (T.start[k + 1] - from !== len) continue;
    let j = 0;
    while (j < len && T.bytes[from + j] === p.charCodeAt(a + j)) j++;
    if (j === len) return T.rank[k];
  }
}

/**
 * Byte-pair merging of one piece (its UTF-8 bytes, one char each): merge the adjacent pair of
 * lowest rank until none is a token; the parts left are the tokens.
 */
function mergedParts(p: string): number {
  const starts: number[] = [];
  const ranks: number[] = [];
  const pairRank = (i: number): number => {
    if (i + 2 >= starts.length) return Infinity;
    const r = rankOf(p, starts[i], starts[i + 2]);
    return r < 0 ? Infinity : r;
  };
  for (let i = 0; i <= p.length; i++) starts.push(i);
  for (let i = 0; i <= p.length; i++) ranks.push(pairRank(i));
  while (starts.length > 1) {
    let lowest = Infinity;
    let at = -1;
    for (let i = 0; i < ranks.length - 1; i++) {
      if (ranks[i] < lowest) {
        lowest = ranks[i];
        at = i;
      }
    }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    ranks.splice(at, 1);
    ranks[at] = pairRank(at);
    if (at > 0) ranks[at - 1] = pairRank(at - 1);
  }
  return starts.length - 1;
}

const NON_ASCII = /[\u0080-\u{10ffff}]/u;

/** The number of o200k_base tokens of `text`. */
export function countO200k(text: string): number {
  let n = 0;
  for (const [m] of text.matchAll(O200K_TOKEN_SPLIT_REGEX)) {
    const p = NON_ASCII.test(m) ? Buffer.from(m, 'utf8').toString('latin1') : m;
    n += p.length === 1 || rankOf(p, 0, p.length) >= 0 ? 1 : mergedParts(p);
  }
  return n;
}
