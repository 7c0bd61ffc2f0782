import { markPrefix } from './mark.js';

/**
 * Marks opaque values in passthrough stream bytes as they go by: after each key text (`"signature":"`)
 * followed by a non-empty string, the family's mark is inserted. Only unescaped JSON text matches,
 * so a key inside a string value (text the model wrote, a tool's partial JSON) is left alone. A
 * chunk that ends inside a key (or right after one) keeps that tail until the next chunk decides
 * it; `flush()` gives back what is held when the stream ends. Chunks without a key pass unchanged.
 */
export interface StreamMarker {
  push(chunk: Buffer): Buffer;
  flush(): Buffer;
  /** Marks one complete text (a decoded SSE event's data). */
  text(data: string): string;
}

export function createStreamMarker(keys: readonly string[], family: string): StreamMarker {
  const prefix = markPrefix(family);
  const needles = keys.map((k) => Buffer.from(k, 'latin1'));
  const longest = Math.max(...needles.map((n) => n.length));
  let held = Buffer.alloc(0);

  /** Inserts the prefix after every complete key followed by a non-quote; returns [done, tail to hold]. */
  function mark(text: string, final: boolean): [string, string] {
    let out = '';
    let from = 0;
    for (;;) {
      let at = -1;
      let len = 0;
      for (const k of keys) {
        const i = text.indexOf(k, from);
        if (i >= 0 && (at < 0 || i < at)) [at, len] = [i, k.length];
      }
      if (at < 0) break;
      const after = at + len;
      if (after >= text.length && !final) {
        out += text.slice(from, at);
        return [out, text.slice(at)];
      }
      out += text.slice(from, after);
      if (after < text.length && text[after] !== '"' && !text.startsWith(prefix, after)) out += prefix;
      from = after;
    }
    const rest = text.slice(from);
    const hold = final ? 0 : partialTail(rest);
    return [out + rest.slice(0, rest.length - hold), rest.slice(rest.length - hold)];
  }

  /** The length of the longest tail of `s` that is the start of a key. */
  function partialTail(s: string): number {
    for (let n = Math.min(longest - 1, s.length); n > 0; n--) {
      const tail = s.slice(s.length - n);
      if (keys.some((k) => k.startsWith(tail))) return n;
    }
    return 0;
  }

  return {
    push(chunk) {
      if (held.length === 0 && !needles.some((n) => chunk.includes(n))) {
        const tailLen = partialTail(chunk.subarray(Math.max(0, chunk.length - longest)).toString('latin1'));
        if (tailLen === 0) return chunk;
      }
      const [done, tail] = mark(Buffer.concat([held, chunk]).toString('latin1'), false);
      held = Buffer.from(tail, 'latin1');
      return Buffer.from(done, 'latin1');
    },
    flush() {
      if (held.length === 0) return held;
      const [done] = mark(held.toString('latin1'), true);
      held = Buffer.alloc(0);
      return Buffer.from(done, 'latin1');
    },
    text(data) {
      if (!keys.some((k) => data.includes(k))) return data;
      return mark(data, true)[0];
    },
  };
}
