/**
 * Workspaces: list what the caller may see, create (JWT users, who become their owners), get, rename
 * (if-match; owners and admins) and delete (if-match; owners; removes the workspace and everything it
 * owns, revoking its tokens at once, and records a `workspace.delete` operation).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { base32, newId } from '../../db/ids.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { DB } from '../../db/schema.ts';
import type { Caller } from '../../http/context.ts';
import { aborted, conflict, forbidden, notFound } from '../../http/errors.ts';
import { assertIfMatch, etagOf } from '../../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import { toOperation } from '../../operations/resources.ts';
import { insertOperation } from '../../operations/store.ts';
import type { Operation } from '../../operations/schemas.ts';
import { hasRole, roleIn, roleTooWeak } from '../access.ts';
import type { WorkspaceRole } from '../members/schemas.ts';
import type { TokenCache } from '../token-cache.ts';
import type { CreateWorkspaceBody, UpdateWorkspaceBody, Workspace } from './schemas.ts';
import { insertMember } from '../members/store.ts';
import { toWorkspace } from './resources.ts';
import * as store from './store.ts';

export type WorkspaceServiceDeps = { db: Kysely<DB>; publicUrl: string; tokenCache: TokenCache };

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

export function createWorkspaceService({ db, publicUrl, tokenCache }: WorkspaceServiceDeps) {
  /**
   * The workspace if the caller may act in it, otherwise 404 (never revealing that it exists); 403 when
   * the caller's role there is below what `needs` asks for.
   */
  async function accessible(
    caller: Caller,
    id: string,
    executor: Kysely<DB> = db,
    needs?: { role: WorkspaceRole; action: string },
  ): Promise<store.WorkspaceRow> {
    const role = await roleIn(executor, caller.credential, id);
    const row = role !== undefined ? await store.findWorkspace(executor, id) : undefined;
    if (!row || role === undefined) throw notFound('workspace', id);
    if (needs && !hasRole(role, needs.role)) throw roleTooWeak(id, role, needs.role, needs.action);
    return row;
  }

  return {
    async list(caller: Caller, page: PageRequest): Promise<Page<Workspace>> {
      const visible = store.visibleTo(caller.credential);
      return toPage(await store.listWorkspaces(db, visible, page), page, toWorkspace);
    },

    async create(caller: Caller, body: CreateWorkspaceBody): Promise<Workspace> {
      if (caller.credential.kind !== 'jwt') {
        throw forbidden('workspace API tokens act inside their own workspace and cannot create workspaces', {
          hint: 'use an OAuth2 JWT, or run "atoll workspace create --name <name>" on the server',
        });
      }
      const subject = caller.credential.subject;
      return toWorkspace(
        await createWorkspaceRecord(db, {
          name: body.name,
          slug: body.slug,
          createdBy: subject,
          member: subject,
        }),
      );
    },

    async get(caller: Caller, id: string): Promise<Workspace> {
      return toWorkspace(await accessible(caller, id));
    },

    async update(
      caller: Caller,
      id: string,
      ifMatch: string,
      patch: UpdateWorkspaceBody,
    ): Promise<Workspace> {
      const current = await accessible(caller, id, db, { role: 'admin', action: 'updating the workspace' });
      assertIfMatch('workspace', ifMatch, current.version);
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) return toWorkspace(current);
      try {
        const updated = await store.updateWorkspace(db, id, current.version, changes);
        if (updated) return toWorkspace(updated);
      } catch (error) {
        if (isUniqueViolation(error))
          throw conflict(`slug "${patch.slug}" is taken by another workspace`, ['body', 'slug']);
        throw error;
      }
      // Someone else wrote between our read and our write: their version wins.
      throw aborted('workspace', etagOf((await accessible(caller, id)).version));
    },

    async remove(caller: Caller, id: string, ifMatch: string): Promise<Operation> {
      const operation = await db.transaction().execute(async (trx) => {
        const current = await accessible(caller, id, trx, {
          role: 'owner',
          action: 'deleting the workspace',
        });
        assertIfMatch('workspace', ifMatch, current.version);
        if (!(await store.deleteWorkspace(trx, id, current.version))) throw notFound('workspace', id);
        const op = await insertOperation(trx, {
          workspaceId: id,
          ownerType: 'workspace',
          ownerId: id,
          state: 'SUCCEEDED',
          metadata: { type: 'workspace.delete', workspace_id: id },
          response: { type: 'workspace.delete', workspace_id: id },
          startedBy: caller.subject,
        });
        return toOperation(op, publicUrl);
      });
      tokenCache.invalidate(); // the workspace's tokens went with it
      return operation;
    },
  };
}

/**
 * Inserts a workspace (slug derived from the name when not given) and, when `member` is given, makes
 * that subject its owner; 409 naming body.slug when the slug is taken.
 */
export async function createWorkspaceRecord(
  db: Kysely<DB>,
  input: { name: string; slug: string | undefined; createdBy: string; member: string | undefined },
): Promise<store.WorkspaceRow> {
  const slug = input.slug ?? (await freeSlug(db, input.name));
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await store.insertWorkspace(trx, {
        id: newId('ws'),
        name: input.name,
        slug,
        created_by: input.createdBy,
      });
      if (input.member !== undefined)
        await insertMember(trx, { workspaceId: row.id, subject: input.member, role: 'owner' });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`slug "${slug}" is taken by another workspace`, ['body', 'slug']);
    throw error;
  }
}

/** A free slug derived from a name: lowercase words joined by hyphens, suffixed when taken. */
async function freeSlug(db: Kysely<DB>, name: string): Promise<string> {
  let base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  if (base.length < 3) base = `ws-${base || base32(randomBytes(3))}`.replace(/-+$/, '');
  for (let slug = base; ; slug = `${base}-${base32(randomBytes(3)).slice(0, 5)}`) {
    if (!(await store.slugTaken(db, slug))) return slug;
  }
}
