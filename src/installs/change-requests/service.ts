/**
 * Repository change requests: a fork of an install repository (a bare repository sharing the parent's
 * objects, starting at the parent's main) that a user, wizard or agent pushes to with a short-lived
 * token; :accept renders the fork's inputs.yaml and package.yaml and merges the result into main as a
 * render carrying the request's id; :reject and :withdraw close it; it expires after its time. The
 * request's state follows pushes (READY once the fork has changes; its reviewers are notified).
 * docs/installs.md.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { base32, newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { unixSeconds } from '../../db/time.ts';
import type { Caller } from '../../http/context.ts';
import { ApiError, failedPrecondition, notFound } from '../../http/errors.ts';
import { hashToken } from '../../lib/token-hash.ts';
import { assertIfMatch, etagOf } from '../../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import type { GitStore } from '../../git/store.ts';
import { insertOperation, setOperationJob } from '../../operations/store.ts';
import { diffCommits } from '../diff.ts';
import { classifyChange } from '../engine/tree.ts';
import { renderJob } from '../jobs.ts';
import { settleRenderById } from '../renders/settle.ts';
import { RENDER_ATTEMPTS, renderSerialKey, renderSteps, startRender } from '../renders/start.ts';
import { findRender, findRepository, lockInstallOfRepository } from '../store.ts';
import { changeRequestOfFork, getRepository, markForkDeleted } from '../repositories/store.ts';
import { setRenderJob } from '../renders/store.ts';
import { cloneUrl } from '../resources.ts';
import type { Actor } from '../actor.ts';
import { notifyChangeRequestReady } from './notice.ts';
import {
  closeChangeRequest,
  expireChangeRequest,
  getChangeRequest,
  lockChangeRequest,
  markValidating,
  recordPush,
  setChangeRequestOperation,
} from './state-store.ts';
import { insertToken } from './token-store.ts';
import type {
  CreateRepositoryChangeRequestBody,
  CreateTokenBody,
  CreateTokenResponse,
  RepositoryChangeRequest,
  RepositoryChangeRequestDiff,
} from './schemas.ts';
import * as store from './store.ts';

/** Prefix of change request push tokens (told apart from API tokens by the git endpoint). */
export const GIT_TOKEN_PREFIX = 'atoll_git_';

/** Whether a workspace has an agent with this id (the agents family answers; see installs/module.ts). */
export type AgentLookup = (workspaceId: string, agentId: string) => Promise<boolean>;

export type ChangeRequestServiceDeps = {
  db: Kysely<DB>;
  git: GitStore;
  publicUrl: string;
  notifyOperation(id: string): void;
  agentExists: AgentLookup;
};

export type ChangeRequestService = ReturnType<typeof createChangeRequestService>;

export function createChangeRequestService(deps: ChangeRequestServiceDeps) {
  const { db, git, publicUrl } = deps;

  async function wire(row: store.ChangeRequestRow): Promise<RepositoryChangeRequest> {
    const fork = await getRepository(db, row.fork_repository_id);
    return {
      id: row.id,
      html_url: `${publicUrl}/repository_change_requests/${row.id}`,
      workspace_id: row.workspace_id,
      parent_repository_id: row.parent_repository_id,
      fork_repository_id: row.fork_repository_id,
      state: row.state,
      change_type: row.change_type,
      created_by_type: row.created_by_type,
      created_by_id: row.created_by_id,
      remediation_evidence: row.remediation_evidence,
      created_at: unixSeconds(row.created_at),
      updated_at: unixSeconds(row.updated_at),
      expires_at: unixSeconds(row.expires_at),
      rejection_reason: row.rejection_reason,
      etag: etagOf(row.version),
      agent_id: row.agent_id,
      base_sha: row.base_sha,
      render_id: row.render_id,
      failure: row.failure,
      fork_remote_url: cloneUrl(publicUrl, fork.storage),
    };
  }

  async function load(workspaceId: string, id: string): Promise<store.ChangeRequestRow> {
    const row = await store.findChangeRequest(db, workspaceId, id);
    if (!row) throw notFound('repository change request', id);
    return row;
  }

  function assertEditable(row: store.ChangeRequestRow, action: string): void {
    if (!store.EDITABLE_STATES.includes(row.state)) {
      throw failedPrecondition(`repository change request ${row.id} is ${row.state}; it cannot be ${action}`);
    }
    if (row.expires_at.getTime() <= Date.now()) {
      throw failedPrecondition(
        `repository change request ${row.id} expired at ${row.expires_at.toISOString()}`,
      );
    }
  }

  /** Closes a request (REJECTED, WITHDRAWN or EXPIRED); a render waiting for its review fails with it. */
  async function close(
    row: store.ChangeRequestRow,
    state: 'REJECTED' | 'WITHDRAWN' | 'EXPIRED',
    reason: string | null,
  ): Promise<void> {
    if (row.render_id) {
      const outcome =
        state === 'WITHDRAWN'
          ? ({ state: 'cancelled', reason: 'its change request was withdrawn' } as const)
          : ({
              state: 'failed',
              step: 'commit',
              failure: {
                code: state === 'REJECTED' ? 'change_request_rejected' : 'change_request_expired',
                message:
                  state === 'REJECTED'
                    ? `the change request ${row.id} was rejected: ${reason}`
                    : `the change request ${row.id} expired before it was accepted`,
              },
            } as const);
      const { settled, operationId } = await settleRenderById(db, row.render_id, outcome);
      if (settled && operationId) deps.notifyOperation(operationId);
    }
    if (state !== 'REJECTED') {
      const fork = await getRepository(db, row.fork_repository_id);
      await git.remove(fork.storage);
      await markForkDeleted(db, row.fork_repository_id);
    }
  }

  /** Moves a request to a closing state if it is still editable at `version` (409 otherwise). */
  async function transition(
    workspaceId: string,
    id: string,
    ifMatch: string | undefined,
    state: 'REJECTED' | 'WITHDRAWN' | 'EXPIRED',
    reason: string | null,
  ): Promise<store.ChangeRequestRow> {
    const row = await db.transaction().execute(async (trx) => {
      const current = await lockChangeRequest(trx, id, workspaceId);
      if (!current) throw notFound('repository change request', id);
      if (ifMatch !== undefined) assertIfMatch('repository change request', ifMatch, current.version);
      if (state !== 'EXPIRED') assertEditable(current, state === 'REJECTED' ? 'rejected' : 'withdrawn');
      return closeChangeRequest(trx, id, state, reason);
    });
    await close(row, state, reason);
    return row;
  }

  return {
    wire,

    async create(
      workspaceId: string,
      caller: Caller,
      body: CreateRepositoryChangeRequestBody,
    ): Promise<RepositoryChangeRequest> {
      const parent = await findRepository(db, workspaceId, body.parent_repository_id);
      if (!parent) {
        throw new ApiError('NOT_FOUND', {
          message: `repository ${body.parent_repository_id} not found`,
          path: ['body', 'parent_repository_id'],
        });
      }
      if (parent.purpose !== 'deploy') {
        throw failedPrecondition(
          `repository ${parent.id} is a ${parent.purpose} repository; change requests target install (deploy) repositories`,
        );
      }
      if (body.kind === 'agent' && !(await deps.agentExists(workspaceId, body.agent_id))) {
        throw new ApiError('NOT_FOUND', {
          message: `agent ${body.agent_id} not found`,
          path: ['body', 'agent_id'],
        });
      }
      const base = await git.head(parent.storage, 'main');
      if (!base)
        throw failedPrecondition(
          `repository ${parent.id} has no commits yet; wait for its install's first render`,
        );
      const id = newId('rcr');
      const forkId = newId('repo');
      await git.fork(parent.storage, forkId, base);
      try {
        const row = await db.transaction().execute((trx) =>
          store.insertChangeRequest(trx, {
            id,
            forkRepositoryId: forkId,
            workspaceId,
            parentRepositoryId: parent.id,
            installId: parent.install_id,
            baseSha: base,
            createdByType: body.kind,
            createdById: caller.subject,
            agentId: body.kind === 'agent' ? body.agent_id : null,
            remediationEvidence: body.kind === 'agent' ? body.remediation_evidence : null,
            expiresAt: new Date(Date.now() + (body.expires_at_seconds ?? store.DEFAULT_TTL_SECONDS) * 1000),
          }),
        );
        return wire(row);
      } catch (error) {
        await git.remove(forkId).catch(() => {});
        throw error;
      }
    },

    async get(workspaceId: string, id: string): Promise<RepositoryChangeRequest> {
      return wire(await load(workspaceId, id));
    },

    /** What accepting the request would change: the fork's head against `base_sha`, where it started. */
    async diff(workspaceId: string, id: string): Promise<RepositoryChangeRequestDiff> {
      const row = await load(workspaceId, id);
      const fork = await getRepository(db, row.fork_repository_id);
      const gone = `repository change request ${id} is ${row.state}; its fork is gone`;
      if (fork.deleted_at) throw failedPrecondition(gone);
      const head = (await git.exists(fork.storage)) ? await git.head(fork.storage, row.branch) : null;
      const to = head ?? row.base_sha;
      const diff = await diffCommits(git, fork.storage, row.base_sha, to, gone);
      return { repository_change_request_id: id, from_sha: row.base_sha, to_sha: to, ...diff };
    },

    async list(
      workspaceId: string,
      filter: store.ChangeRequestFilter,
      page: PageRequest,
    ): Promise<Page<RepositoryChangeRequest>> {
      const rows = await store.listChangeRequests(db, workspaceId, filter, page);
      const served = await Promise.all(rows.slice(0, page.limit).map(wire));
      const byId = new Map(served.map((r) => [r.id, r]));
      return toPage(rows, page, (r) => byId.get(r.id)!);
    },

    /** A short-lived token for the fork: read (clone) or write (push to its main branch). */
    async createToken(workspaceId: string, id: string, body: CreateTokenBody): Promise<CreateTokenResponse> {
      const row = await load(workspaceId, id);
      if (body.scope === 'write') assertEditable(row, 'pushed to');
      else if (row.state === 'WITHDRAWN' || row.state === 'EXPIRED') {
        throw failedPrecondition(`repository change request ${id} is ${row.state}; its fork is gone`);
      }
      const token = `${GIT_TOKEN_PREFIX}${base32(randomBytes(32))}`;
      const expiresAt = new Date(Date.now() + (body.expires_in_seconds ?? 3600) * 1000);
      await insertToken(db, {
        workspaceId,
        changeRequestId: id,
        tokenHash: hashToken(token),
        scope: body.scope,
        expiresAt,
      });
      const fork = await getRepository(db, row.fork_repository_id);
      return {
        repository_change_request_id: id,
        fork_remote_url: cloneUrl(publicUrl, fork.storage),
        fork_write_token: token,
        expires_at: unixSeconds(expiresAt),
      };
    },

    /** Starts validating and merging: a render carrying the request, reported by the returned operation. */
    async accept(
      { workspaceId, caller }: Actor,
      { id, ifMatch }: { id: string; ifMatch: string },
    ): Promise<{ operationId: string; acceptedAt: number }> {
      const current = await load(workspaceId, id);
      assertEditable(current, 'accepted');
      const fork = await getRepository(db, current.fork_repository_id);
      const head = await git.head(fork.storage, current.branch);
      if (!head || head === current.base_sha) {
        throw failedPrecondition(
          `repository change request ${id} has no changes to accept; push commits to its fork first`,
        );
      }
      const operationId = await db.transaction().execute(async (trx) => {
        const row = (await lockChangeRequest(trx, id))!;
        assertIfMatch('repository change request', ifMatch, row.version);
        assertEditable(row, 'accepted');
        const install = await lockInstallOfRepository(trx, row.parent_repository_id);
        if (install.state === 'deleted') throw failedPrecondition(`install ${install.id} is deleted`);
        await markValidating(trx, id);
        if (row.render_id) {
          // A render waiting for this review: its job carries on with the merge, under its own operation.
          const render = (await findRender(trx, row.render_id))!;
          const job = await renderJob.enqueue(
            trx,
            { render_id: render.id },
            { workspaceId, serialKey: renderSerialKey(install.id), maxAttempts: RENDER_ATTEMPTS },
          );
          await setRenderJob(trx, render.id, job.id);
          if (render.operation_id) await setOperationJob(trx, render.operation_id, job.id);
          return render.operation_id!;
        }
        const operation = await insertOperation(trx, {
          workspaceId,
          ownerType: 'repository_change_request',
          ownerId: id,
          state: 'RUNNING',
          metadata: {
            type: 'repository_change_request.accept',
            repository_change_request_id: id,
            user_id: caller.subject,
          },
          steps: renderSteps(new Date()),
        });
        await startRender(trx, {
          workspaceId,
          installId: install.id,
          createdBy: caller.subject,
          packageVersionId: install.desired_version_id ?? install.package_version_id,
          inputValues: install.input_values,
          message: null,
          skipUnchanged: false,
          extraAnnotations: {},
          changeRequestId: id,
          operationId: operation.id,
        });
        await setChangeRequestOperation(trx, id, operation.id);
        return operation.id;
      });
      return { operationId, acceptedAt: unixSeconds(new Date()) };
    },

    async reject(workspaceId: string, id: string, ifMatch: string, reason: string): Promise<number> {
      const row = await transition(workspaceId, id, ifMatch, 'REJECTED', reason);
      return unixSeconds(row.updated_at);
    },

    async withdraw(workspaceId: string, id: string, ifMatch: string): Promise<number> {
      const row = await transition(workspaceId, id, ifMatch, 'WITHDRAWN', null);
      return unixSeconds(row.updated_at);
    },

    /** Expires open requests whose time is up; returns how many. */
    async expireDue(): Promise<number> {
      const due = await store.expiredChangeRequests(db, 100);
      for (const row of due) {
        const moved = await expireChangeRequest(db, row.id);
        if (moved) await close(moved, 'EXPIRED', null);
      }
      return due.length;
    },

    /** After a push to a fork: the request is READY when the fork differs from where it started. */
    async onPushed(forkStorage: string): Promise<void> {
      const changeRequestId = await changeRequestOfFork(db, forkStorage);
      if (!changeRequestId) return;
      const row = await getChangeRequest(db, changeRequestId);
      if (!store.EDITABLE_STATES.includes(row.state)) return;
      const head = await git.head(forkStorage, row.branch);
      const changed =
        head && head !== row.base_sha ? await git.changedPaths(forkStorage, row.base_sha, head) : [];
      await db.transaction().execute(async (trx) => {
        const current = await lockChangeRequest(trx, row.id);
        if (!current || !store.EDITABLE_STATES.includes(current.state)) return;
        const moved = await recordPush(trx, row.id, {
          ready: changed.length > 0,
          changeType: classifyChange(changed),
        });
        // Ready for review now and not before: its reviewers are told, with the move.
        if (moved.state === 'READY' && current.state !== 'READY') await notifyChangeRequestReady(trx, moved);
      });
    },
  };
}
