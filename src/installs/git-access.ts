/**
 * Who may fetch from and push to the repositories served at /git (docs/installs.md):
 * - an API token or JWT that may act in the repository's workspace: read (clone, fetch) only;
 * - a change request token (`atoll_git_…`, from :createToken): its own fork only; a write token may push
 *   to the fork's main branch while the request is open, nothing else.
 * Unknown repositories and repositories of other workspaces are both "not found".
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { GitAuthorization, GitAuthorizeRequest } from '../git/http.ts';
import type { Authenticator } from '../http/context.ts';
import { ApiError, HTTP_STATUS } from '../http/errors.ts';
import { EDITABLE_STATES } from './change-requests/store.ts';
import { hashToken } from '../lib/token-hash.ts';
import { GIT_TOKEN_PREFIX } from './change-requests/service.ts';
import { findTokenGrant } from './change-requests/token-store.ts';
import { findRepositoryByStorage } from './store.ts';

const NOT_FOUND: GitAuthorization = { allow: false, status: 404, message: 'repository not found' };

export function createGitAccess(deps: { db: Kysely<DB>; authenticator: Authenticator }) {
  const { db } = deps;

  async function changeRequestToken(request: GitAuthorizeRequest, token: string): Promise<GitAuthorization> {
    const row = await findTokenGrant(db, hashToken(token));
    if (!row || row.expires_at.getTime() <= Date.now()) {
      return {
        allow: false,
        status: 401,
        message: 'the change request token is unknown or expired; create one with :createToken',
      };
    }
    if (row.storage !== request.repo || row.deleted_at !== null) return NOT_FOUND;
    if (request.service === 'upload-pack') return { allow: true };
    if (row.scope !== 'write')
      return { allow: false, status: 403, message: 'this token may only read; create a write token to push' };
    if (!EDITABLE_STATES.includes(row.state) || row.request_expires_at.getTime() <= Date.now()) {
      return {
        allow: false,
        status: 403,
        message: `the change request is ${row.state} and no longer takes pushes`,
      };
    }
    return { allow: true, writableRefs: [`refs/heads/${row.branch}`] };
  }

  return async function authorize(request: GitAuthorizeRequest): Promise<GitAuthorization> {
    const credential = request.credential;
    if (credential === undefined) return { allow: false, status: 401, message: 'authentication required' };
    if (credential.startsWith(GIT_TOKEN_PREFIX)) return changeRequestToken(request, credential);
    try {
      const caller = await deps.authenticator.authenticate(credential);
      const repo = await findRepositoryByStorage(db, request.repo);
      if (!repo) return NOT_FOUND;
      try {
        await deps.authenticator.resolveWorkspace(caller, repo.workspace_id);
      } catch (error) {
        if (error instanceof ApiError && error.status !== 'UNAUTHENTICATED') return NOT_FOUND;
        throw error;
      }
      if (request.service === 'receive-pack') {
        return {
          allow: false,
          status: 403,
          message:
            'repositories are written by renders; to change one, open a repository change request and push to its fork',
        };
      }
      return { allow: true };
    } catch (error) {
      if (error instanceof ApiError) {
        const status = HTTP_STATUS[error.status];
        return { allow: false, status: status === 401 ? 401 : 403, message: error.message };
      }
      throw error;
    }
  };
}
