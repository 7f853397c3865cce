/**
 * The console's one API client (@atoll/client, same origin), acting with the session's credential and
 * workspace, and the helpers pages use with TanStack Query: `call` turns an openapi-fetch answer into its
 * data or an AtollApiError carrying the server's message; `useWorkspaceKey` scopes query keys to the
 * workspace shown, so switching workspaces never shows another's cached data.
 */
import { AtollApiError, createAtollClient, type AtollClient } from '@atoll/client';
import { currentSession, useSession } from './session.tsx';

export const api: AtollClient = createAtollClient({
  baseUrl: globalThis.location?.origin ?? '',
  token: () => currentSession().active?.token,
  workspace: () => currentSession().active?.workspaceId,
});

/** The data of an answer, or an AtollApiError with the server's message. */
export async function call<D>(
  pending: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok || error !== undefined) throw new AtollApiError(response.status, error);
  return data as D;
}

/** The first element of every query key: the workspace shown. */
export function useWorkspaceKey(): string {
  return useSession().session.active?.workspaceId ?? 'none';
}

/**
 * A fresh idempotency key for one user action. getRandomValues, not randomUUID: the console may be served
 * over plain HTTP at a non-loopback address, where randomUUID (secure contexts only) does not exist.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
