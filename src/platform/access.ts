/**
 * Who may act in which workspace. A workspace token (and a turn token) acts only in its own workspace;
 * a JWT acts in the workspaces its claim lists ("*" = every one) and in those whose members include
 * its subject.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Credential } from '../http/context.ts';
import { membership } from './workspaces/store.ts';

/** True when the workspace exists and the credential may act in it. */
export async function mayActIn(
  db: Kysely<DB>,
  credential: Credential,
  workspaceId: string,
): Promise<boolean> {
  switch (credential.kind) {
    case 'token':
    case 'turn':
      return credential.workspaceId === workspaceId;
    case 'jwt': {
      const m = await membership(db, workspaceId, credential.subject);
      if (!m.exists) return false;
      return m.member || credential.workspaces === '*' || credential.workspaces.includes(workspaceId);
    }
    default: {
      const never: never = credential;
      throw new Error(`unknown credential ${JSON.stringify(never)}`);
    }
  }
}
