/**
 * The snippet family's wire types, as the client's calls return them. openapi-fetch passes responses
 * through `Readable<>`, which drops properties typed only `null` (the legacy result-contract trio), so
 * the schemas are read through it too, and the trio is typed apart (`Contract`).
 */
import type { components } from '@atoll/client';
import type { Readable } from 'openapi-typescript-helpers';

type Schemas = components['schemas'];
export type Snippet = Readable<Schemas['Snippet']>;
export type SnippetRun = Readable<Schemas['SnippetRun']>;
export type SnippetUsage = Schemas['SnippetUsage'];
export type InputDescriptor = Schemas['SnippetInputDescriptor'];
export type DisplayType = Schemas['Snippet']['display_type'];
export type CreateSnippetBody = Schemas['CreateSnippetBody'];
export type UpdateSnippetBody = Schemas['UpdateSnippetBody'];
/** The result contract of a snippet: all null (legacy) or all set. */
export type Contract = Pick<
  Schemas['Snippet'],
  'result_contract_version' | 'result_type' | 'default_visualization'
>;

export const DISPLAY_TYPES: DisplayType[] = ['json', 'table', 'stat', 'logs', 'timeseries'];
