import { z } from 'zod';

/**
 * Provider keys that only some provider types understand. The schema accepts them on any
 * provider; `cloud-provider.ts` refuses each one on a type that would ignore it.
 */
export const cloudProviderKeys = {
  auth: z
    .enum(['key', 'client'])
    .optional()
    .describe(
      "anthropic only. client: forward the client's own Authorization (a Claude Pro/Max login) instead of a configured key",
    ),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as us-east-1')
    .optional()
    .describe('bedrock only. AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)'),
  aws_profile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'bedrock only. Profile in ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE, default)',
    ),
  api_version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'expected an Azure api-version such as 2024-10-21')
    .optional()
    .describe(
      'azure only. api-version of the deployments URL shape (default: AZURE_API_VERSION, 2024-10-21)',
    ),
  azure_ad_token: z
    .string()
    .optional()
    .describe('azure only. An Entra ID bearer token, sent instead of the api-key header'),
};

/** Which provider type each key belongs to. */
export const CLOUD_KEY_TYPE: Record<keyof typeof cloudProviderKeys, string> = {
  auth: 'anthropic',
  region: 'bedrock',
  aws_profile: 'bedrock',
  api_version: 'azure',
  azure_ad_token: 'azure',
};
