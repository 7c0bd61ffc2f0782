import { readFileSync } from 'node:fs';
import type { Env } from './env.js';
import type { RawProvider } from './schema.js';
import type { ConfigIssue, ServiceAccount, VertexSettings } from './types.js';

/**
 * The `vertex_*` keys of a provider: credentials from `vertex_credentials` (a path, or the JSON
 * itself) or `$GOOGLE_APPLICATION_CREDENTIALS`, the project from `vertex_project`, the credentials'
 * `project_id` or `$GOOGLE_CLOUD_PROJECT`, the location from `vertex_location` (default
 * `us-central1`). `vertex_credentials: metadata` takes tokens from the GCE metadata server
 * (`$GCE_METADATA_HOST`, default metadata.google.internal). Read once at load; the key file's
 * contents never reach messages.
 */
export interface VertexResult {
  vertex?: VertexSettings;
  /** The default api_base for the location. */
  apiBase?: string;
  errors: ConfigIssue[];
}

const VERTEX_KEYS = ['vertex_project', 'vertex_location', 'vertex_credentials'] as const;

export function normalizeVertex(
  raw: RawProvider,
  type: string,
  env: Env,
  at: (key: string) => string,
): VertexResult {
  const errors: ConfigIssue[] = [];
  if (type !== 'vertex_ai') {
    for (const k of VERTEX_KEYS)
      if (raw[k] !== undefined)
        errors.push({ path: at(k), message: 'only vertex_ai providers take this key' });
    return { errors };
  }
  let credentials: ServiceAccount | undefined;
  const source = raw.vertex_credentials?.trim() || env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  const where = at('vertex_credentials');
  const metadata = source === 'metadata';
  if (source && !metadata) {
    const r = readServiceAccount(source);
    if (typeof r === 'string') errors.push({ path: where, message: r });
    else credentials = r;
  }
  const project = raw.vertex_project?.trim() || credentials?.projectId || env.GOOGLE_CLOUD_PROJECT?.trim();
  if (!project) {
    errors.push({
      path: at('vertex_project'),
      message:
        'required for vertex_ai providers (or a credentials file with project_id, or GOOGLE_CLOUD_PROJECT)',
    });
  }
  const location = raw.vertex_location?.trim() || 'us-central1';
  if (!/^[a-z0-9-]+$/.test(location)) {
    errors.push({ path: at('vertex_location'), message: `"${location}" is not a Google Cloud location` });
  }
  if (errors.length > 0) return { errors };
  const vertex: VertexSettings = { project: project!, location };
  if (credentials) vertex.credentials = credentials;
  if (metadata) vertex.metadataHost = env.GCE_METADATA_HOST?.trim() || 'metadata.google.internal';
  return { vertex, apiBase: vertexApiBase(location), errors };
}

/** `https://{location}-aiplatform.googleapis.com/v1`, or the global endpoint. */
export function vertexApiBase(location: string): string {
  return location === 'global'
    ? 'https://aiplatform.googleapis.com/v1'
    : `https://${location}-aiplatform.googleapis.com/v1`;
}

/** A service-account key from a path or inline JSON; a message (never the key) when it is not one. */
export function readServiceAccount(source: string): ServiceAccount | string {
  let text = source;
  if (!source.startsWith('{')) {
    try {
      text = readFileSync(source, 'utf8');
    } catch (e) {
      return `cannot read the credentials file ${source}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'the credentials are not valid JSON';
  }
  if (j.type !== 'service_account')
    return `credentials of type ${JSON.stringify(j.type ?? null)} are not supported: use a service-account key (type service_account)`;
  if (typeof j.client_email !== 'string' || typeof j.private_key !== 'string')
    return 'the service-account key lacks client_email or private_key';
  const sa: ServiceAccount = {
    clientEmail: j.client_email,
    privateKey: j.private_key,
    tokenUri: typeof j.token_uri === 'string' ? j.token_uri : 'https://oauth2.googleapis.com/token',
  };
  if (typeof j.project_id === 'string') sa.projectId = j.project_id;
  return sa;
}
