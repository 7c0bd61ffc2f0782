export type ClientDialect = 'chat' | 'messages' | 'responses';
export type BodySize = 'small' | 'large' | 'huge';
export const SIZE_LABELS: Record<BodySize, string>;
export function smallBody(dialect: ClientDialect, model: string): Record<string, unknown>;
export function messagesToChat(m: Record<string, any>): Record<string, any>;
export function messagesToResponses(m: Record<string, any>): Record<string, any>;
export function largeBody(
  dialect: ClientDialect,
  model: string,
  size?: 'large' | 'huge',
): Record<string, any>;
export function requestBody(dialect: ClientDialect, size: BodySize, stream: boolean, model: string): string;
export function requestTarget(
  dialect: ClientDialect,
  size: BodySize,
): { path: string; headers: Record<string, string> };
