/**
 * Upstreams (and the proxies in front of them) sometimes echo the key they were sent, whole or
 * masked with its ends kept (`sk-proj-abcd…wxyz1234`). Before an upstream's words go anywhere —
 * a client, a log line, a tool result — every secret is replaced: its exact value, and any run of
 * `MIN_RUN` or more of its consecutive characters.
 */
export const MIN_RUN = 8;
export const SCRUBBED = '[redacted]';

/** `text` with every secret (and every run of MIN_RUN+ of its characters) replaced. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = scrubOne(out, s);
  return out;
}

/** True when `text` holds a secret or a run of MIN_RUN+ of its characters. */
export function holdsSecret(text: string, secrets: readonly (string | undefined)[]): boolean {
  return scrubSecrets(text, secrets) !== text;
}

function scrubOne(text: string, secret: string): string {
  if (secret.length < MIN_RUN) return secret.length >= 4 ? text.split(secret).join(SCRUBBED) : text;
  if (text.length < MIN_RUN) return text;
  const grams = new Set<string>();
  for (let i = 0; i + MIN_RUN <= secret.length; i++) grams.add(secret.slice(i, i + MIN_RUN));
  let out = '';
  let from = 0;
  let i = 0;
  while (i + MIN_RUN <= text.length) {
    if (!grams.has(text.slice(i, i + MIN_RUN))) {
      i++;
      continue;
    }
    // Extend the run while it is still a piece of the secret.
    let j = i + MIN_RUN;
    while (j < text.length && secret.includes(text.slice(i, j + 1))) j++;
    out += text.slice(from, i) + SCRUBBED;
    from = i = j;
  }
  return from === 0 ? text : out + text.slice(from);
}
