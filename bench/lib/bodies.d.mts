export type ClientDialect = 'chat' | 'messages' | 'responses';
export function smallBody(dialect: ClientDialect, model: string): Record<string, unknown>;
export function messagesToChat(m: Record<string, any>): Record<string, any>;
export function messagesToResponses(m: Record<string, any>): Record<string, any>;
export function largeBody(dialect: ClientDialect, model: string): Record<string, any>;
export function requestBody(
  dialect: ClientDialect,
  size: 'small' | 'large',
  stream: boolean,
  model: string,
): string;
export function requestTarget(
  dialect: ClientDialect,
  size: 'small' | 'large',
): { path: string; headers: Record<string, string> };
