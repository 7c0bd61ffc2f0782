import type { CanonicalEvent, CanonicalRequest, Usage } from '../canonical.js';
import type { SseEvent } from '../upstream/sse.js';

/**
 * A stream that stops before its usage arrives (the client hung up, the upstream was cut, or it
 * never reports usage) is still billed by the provider for the whole prompt and the output it
 * generated. Such a stream is settled at no less than the prompt counted with a real tokenizer plus
 * the output seen, and marked estimated. Counting happens only on that path (the tokenizer's
 * tables are loaded on first use).
 */
export class StreamTally {
  /** Output text seen: text, thinking and tool-input deltas, for counting. */
  private output = '';
  /** The upstream's usage carried output or prompt tokens of the final kind. */
  private reportedFinal = false;
  /** Content events a passthrough stream forwarded unparsed: parsed only if their text must be counted. */
  private deferred: SseEvent[] = [];

  later(events: SseEvent[]): void {
    for (const ev of events) this.deferred.push(ev);
  }

  see(ev: CanonicalEvent): void {
    switch (ev.type) {
      case 'text_delta':
      case 'thinking_delta':
        this.output += ev.text;
        break;
      case 'tool_input_delta':
        this.output += ev.partial;
        break;
      case 'usage':
        // OpenAI-format streams report usage only in their last chunk; Anthropic's message_delta
        // carries the final output count. A usage event is the upstream's own final word.
        this.reportedFinal = true;
        break;
      default:
        break;
    }
  }

  /**
   * The usage to settle: as reported when the stream completed with its usage; otherwise raised
   * to the counted prompt and the output seen, with `estimated` set when anything was raised.
   */
  async settle(
    reported: Usage,
    completed: boolean,
    prompt: () => CanonicalRequest | undefined,
    promptBytes: number,
    model: string,
    parseDeferred?: (events: SseEvent[]) => CanonicalEvent[],
  ): Promise<{ usage: Usage; estimated: boolean }> {
    if (completed && this.reportedFinal) return { usage: reported, estimated: false };
    // The content forwarded unparsed is output seen: parsed now that it must be counted.
    if (parseDeferred && this.deferred.length > 0) {
      for (const ev of parseDeferred(this.deferred)) if (ev.type !== 'usage') this.see(ev);
      this.deferred = [];
    }
    const { countTokensLocally, countOutputTokens } = await import('./count-tokens.js');
    let counted: number;
    try {
      const req = prompt();
      counted = req ? countTokensLocally(req, model) : Math.ceil(promptBytes / 4);
    } catch {
      counted = Math.ceil(promptBytes / 4);
    }
    const seenOut = this.output ? countOutputTokens(this.output) : 0;
    const usage: Usage = { ...reported };
    const cached = (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
    let estimated = false;
    if (usage.inputTokens + cached < counted) {
      usage.inputTokens = counted - cached;
      estimated = true;
    }
    if (usage.outputTokens < seenOut) {
      usage.outputTokens = seenOut;
      estimated = true;
    }
    return { usage, estimated };
  }
}
