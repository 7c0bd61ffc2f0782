import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChatContent, ChatPart } from './ask.js';

/** Caps on what one tool call may attach (`litellm.mcp` in the config). */
export interface AttachmentLimits {
  maxImageBytes: number;
  maxFilesBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxImageBytes: 5 * 1024 * 1024,
  maxFilesBytes: 256 * 1024,
};

/** What the caller attached was not usable: one line per bad entry, for a tool error. */
export class AttachmentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'AttachmentError';
  }
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** The media type from an image's first bytes (what the file is, whatever its name says). */
export function sniffImageType(b: Buffer): string | undefined {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (
    b.length >= 12 &&
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}

const kb = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

/** Read at most `max + 1` bytes of a regular file; throws a readable message. */
async function readCapped(path: string, max: number): Promise<Buffer> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read: ${code}`,
      { cause: e },
    );
  }
  if (!st.isFile()) throw new Error('not a regular file');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(st.size, max + 1));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * `images` entries → image parts: `https://` URLs are passed on as URLs (the upstream fetches
 * them), `data:` URLs and file paths are checked for type (PNG, JPEG, GIF, WebP) and size.
 */
export async function resolveImages(entries: string[], limits: AttachmentLimits): Promise<ChatPart[]> {
  const parts: ChatPart[] = [];
  const problems: string[] = [];
  const cap = limits.maxImageBytes;
  for (const [i, entry] of entries.entries()) {
    const where = `images[${i}]`;
    if (/^https:\/\//i.test(entry)) {
      parts.push({ type: 'image_url', image_url: { url: entry } });
      continue;
    }
    if (/^http:\/\//i.test(entry)) {
      problems.push(`${where}: only https:// image URLs are passed on (got ${entry.slice(0, 80)})`);
      continue;
    }
    if (/^data:/i.test(entry)) {
      const m = /^data:([^;,]+);base64,(.*)$/is.exec(entry);
      if (!m) {
        problems.push(`${where}: a data: URL must be data:<image type>;base64,<data>`);
        continue;
      }
      const type = m[1].toLowerCase();
      const bytes = Buffer.from(m[2], 'base64');
      if (!IMAGE_TYPES.includes(type) || sniffImageType(bytes) !== type) {
        problems.push(
          `${where}: data: URL is not a ${IMAGE_TYPES.join(', ')} image${IMAGE_TYPES.includes(type) ? ` (its bytes are not ${type})` : ` (says ${type})`}`,
        );
        continue;
      }
      if (bytes.length > cap) {
        problems.push(
          `${where}: image is ${kb(bytes.length)}, more than the ${kb(cap)} allowed (litellm.mcp.max_image_bytes)`,
        );
        continue;
      }
      parts.push({
        type: 'image_url',
        image_url: { url: `data:${type};base64,${bytes.toString('base64')}` },
      });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readCapped(entry, cap);
    } catch (e) {
      problems.push(`${where} (${entry}): ${(e as Error).message}`);
      continue;
    }
    if (bytes.length > cap) {
      problems.push(
        `${where} (${entry}): image is more than the ${kb(cap)} allowed (litellm.mcp.max_image_bytes)`,
      );
      continue;
    }
    const type = sniffImageType(bytes);
    if (!type) {
      problems.push(`${where} (${entry}): not a PNG, JPEG, GIF or WebP image`);
      continue;
    }
    parts.push({ type: 'image_url', image_url: { url: `data:${type};base64,${bytes.toString('base64')}` } });
  }
  if (problems.length) throw new AttachmentError(problems);
  return parts;
}

/** Text of a file, or a reason it is not text (a NUL byte, or bytes that are not UTF-8). */
function asText(b: Buffer): string | undefined {
  if (b.subarray(0, 8192).includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

/**
 * `files` → one text block with each file's name and text, in order, until `maxFilesBytes`; what
 * does not fit is cut, and the block says where and why. Binary files are refused by name.
 */
export async function resolveFiles(
  paths: string[],
  limits: AttachmentLimits,
): Promise<{ text: string; cut: string[] }> {
  const problems: string[] = [];
  const blocks: string[] = [];
  let left = limits.maxFilesBytes;
  const cut: string[] = [];
  for (const [i, path] of paths.entries()) {
    const where = `files[${i}] (${path})`;
    let bytes: Buffer;
    try {
      bytes = await readCapped(path, Math.max(left, 0) + 4);
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
      continue;
    }
    const full = (await stat(path)).size;
    if (left <= 0) {
      cut.push(`${basename(path)} (${kb(full)}) left out`);
      continue;
    }
    const keep = bytes.subarray(0, Math.min(bytes.length, left));
    // Cut on a character boundary: drop a partial UTF-8 sequence at the end.
    let end = keep.length;
    if (full > keep.length) while (end > 0 && (keep[end - 1] & 0xc0) === 0x80) end--;
    if (full > keep.length && end > 0 && keep[end - 1] >= 0xc0) end--;
    const text = asText(keep.subarray(0, end));
    if (text === undefined) {
      problems.push(`${where}: binary file; only text files (source, CSV, JSON, logs) are included`);
      continue;
    }
    left -= end;
    const note = full > end ? `\n[agentbox: ${basename(path)} cut after ${kb(end)} of ${kb(full)}]` : '';
    if (full > end) cut.push(`${basename(path)} cut after ${kb(end)} of ${kb(full)}`);
    blocks.push(`<file name="${path}">\n${text}${note}\n</file>`);
  }
  if (problems.length) throw new AttachmentError(problems);
  if (cut.length)
    blocks.push(
      `[agentbox: the attached files were cut at ${kb(limits.maxFilesBytes)} in total (litellm.mcp.max_files_bytes): ${cut.join('; ')}]`,
    );
  return { text: blocks.join('\n\n'), cut };
}

/** The user message: attached files' text, then the prompt, then the images. */
export async function userContent(
  prompt: string,
  images: string[] | undefined,
  files: string[] | undefined,
  limits: AttachmentLimits,
): Promise<{ content: ChatContent; cut: string[] }> {
  const problems: string[] = [];
  let fileText = '';
  let cut: string[] = [];
  let imageParts: ChatPart[] = [];
  try {
    if (files?.length) ({ text: fileText, cut } = await resolveFiles(files, limits));
  } catch (e) {
    if (!(e instanceof AttachmentError)) throw e;
    problems.push(...e.problems);
  }
  try {
    if (images?.length) imageParts = await resolveImages(images, limits);
  } catch (e) {
    if (!(e instanceof AttachmentError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length) throw new AttachmentError(problems);
  const text = fileText ? `${fileText}\n\n${prompt}` : prompt;
  if (imageParts.length === 0) return { content: text, cut };
  return { content: [{ type: 'text', text }, ...imageParts], cut };
}
