/**
 * Token counts of long texts, remembered. An agent resends its whole conversation every turn, so
 * nearly every block of a 500 KB prompt was counted on the previous turn: counting only the new
 * blocks makes a context-window check cost what the turn added, not the whole session. A lookup
 * hashes the text once (about a nanosecond a character) where counting it runs the split pattern
 * and the merges (well over a hundred), so all but the shortest texts are remembered: the 64 texts
 * of a Claude Code request (short tool descriptions and calls among them) cost 0.4–0.5 ms counted
 * again, against 1.1–1.4 ms when only texts of 512 characters and more were remembered. Texts
 * shorter than `MIN_CHARS` are counted directly; the memo holds at most `MAX_CHARS` characters of
 * text in at most `MAX_ENTRIES` texts, least recently used first out.
 */
const MIN_CHARS = 16;
const MAX_CHARS = 8_000_000;
const MAX_ENTRIES = 200_000;

export class TokenMemo {
  private readonly counts = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly count: (text: string) => number,
    private readonly maxChars = MAX_CHARS,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  tokens(text: string): number {
    if (text.length < MIN_CHARS) return this.count(text);
    const known = this.counts.get(text);
    if (known !== undefined) {
      // Refresh its place: the map iterates oldest first.
      this.counts.delete(text);
      this.counts.set(text, known);
      return known;
    }
    const n = this.count(text);
    if (text.length > this.maxChars) return n;
    this.counts.set(text, n);
    this.chars += text.length;
    for (const old of this.counts.keys()) {
      if (this.chars <= this.maxChars && this.counts.size <= this.maxEntries) break;
      this.counts.delete(old);
      this.chars -= old.length;
    }
    return n;
  }

  /** Characters of text held (for tests and metrics). */
  get size(): number {
    return this.chars;
  }

  /** Texts held. */
  get entries(): number {
    return this.counts.size;
  }
}
